"""The presigned URL as a value that knows when it was issued and when it goes stale."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any
from urllib.parse import urlsplit

from ._constants import URL_VALIDITY
from ._exceptions import PresignedUrlExpiredError
from ._redact import redact_url

_ZERO = timedelta(0)


def utc_now() -> datetime:
    return datetime.now(timezone.utc)


class SecretUrl:
    """Holds the URL so that ``repr``, ``str``, ``vars()`` and ``dataclasses.asdict()`` of a
    result show it with its token masked; ``.value`` is the URL itself."""

    __slots__ = ("value",)

    def __init__(self, value: str) -> None:
        self.value = value

    def __repr__(self) -> str:
        return repr(redact_url(self.value))

    def __str__(self) -> str:
        return redact_url(self.value)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, SecretUrl) and other.value == self.value

    def __hash__(self) -> int:
        return hash(self.value)

    def __deepcopy__(self, memo: dict[int, Any]) -> SecretUrl:
        return self  # immutable; asdict() deep-copies field values

    def __reduce__(self) -> tuple[Any, ...]:
        return (SecretUrl, (self.value,))


@dataclass(frozen=True, repr=False, init=False)
class PresignedNotebookUrl:
    """A URL that logs its holder into one notebook instance's Jupyter, and its deadline.

    The URL is a bearer credential: ``repr()``, ``str()``, ``vars()`` and
    ``dataclasses.asdict()`` show it with its token masked, so read it from ``.url`` (or
    ``ensure_fresh()``) only where it is really needed.

    Its age is measured on a monotonic clock within the process that made the request (a
    system clock stepped back cannot make it look fresh), and on the wall clock for a
    result built by hand or unpickled elsewhere; either way it never counts more than
    ``URL_VALIDITY`` left.
    """

    notebook_instance_name: str
    """The notebook instance the URL opens."""
    issued_at: datetime
    """When the request was sent (timezone-aware UTC); the service issued the URL no earlier."""
    session_duration: timedelta | None
    """The Jupyter session length asked for; None when the service default (12 h) applies."""
    # The URL itself, masked wherever the dataclass machinery shows it.
    _secret: SecretUrl = field(repr=False)
    # time.monotonic() when the request was sent, in the process that sent it.
    _sent_monotonic: float | None = field(default=None, repr=False, compare=False)

    def __init__(
        self,
        url: str,
        notebook_instance_name: str,
        issued_at: datetime,
        session_duration: timedelta | None = None,
    ) -> None:
        if issued_at.utcoffset() is None:
            raise ValueError("issued_at must be timezone-aware")
        if issued_at.tzinfo is not timezone.utc:
            issued_at = issued_at.astimezone(timezone.utc)
        object.__setattr__(self, "notebook_instance_name", notebook_instance_name)
        object.__setattr__(self, "issued_at", issued_at)
        object.__setattr__(self, "session_duration", session_duration)
        object.__setattr__(self, "_secret", SecretUrl(url))
        object.__setattr__(self, "_sent_monotonic", None)

    @property
    def url(self) -> str:
        """The presigned URL itself: a credential, valid for URL_VALIDITY after ``issued_at``."""
        return self._secret.value

    @property
    def expires_at(self) -> datetime:
        """When the URL stops working: ``issued_at + URL_VALIDITY``."""
        return self.issued_at + URL_VALIDITY

    def _age(self) -> timedelta:
        # The larger of the two ages: a clock stepped back never makes the URL younger, and
        # one stepped forward only makes it stale early, the safe side.
        age = utc_now() - self.issued_at
        if self._sent_monotonic is not None:
            age = max(age, timedelta(seconds=time.monotonic() - self._sent_monotonic))
        return age

    @property
    def is_stale(self) -> bool:
        """True once the URL's five minutes are over."""
        return self._age() >= URL_VALIDITY

    @property
    def time_remaining(self) -> timedelta:
        """How long the URL still works: from ``timedelta(0)`` to ``URL_VALIDITY``."""
        return min(max(URL_VALIDITY - self._age(), _ZERO), URL_VALIDITY)

    @property
    def host(self) -> str:
        """The notebook instance's host name, e.g. ``nb.notebook.us-east-1.sagemaker.aws``.

        Not a secret: automation that opens WebSockets to Jupyter needs it.
        """
        return urlsplit(self.url).hostname or ""

    def ensure_fresh(self, margin: timedelta = timedelta(0)) -> str:
        """Return the URL if it stays valid for at least *margin* more.

        Raises:
            PresignedUrlExpiredError: when less than *margin* of the validity is left.
        """
        if margin < _ZERO:
            raise ValueError("margin must not be negative")
        late = self._age() - URL_VALIDITY
        if late + margin >= _ZERO:
            when = f"expired {late} ago" if late >= _ZERO else f"expires in {-late}"
            raise PresignedUrlExpiredError(
                f"the presigned URL for notebook instance {self.notebook_instance_name!r} "
                f"{when} (issued at {self.issued_at.isoformat()}, margin {margin}); "
                "request a new one",
                notebook_instance_name=self.notebook_instance_name,
            )
        return self.url

    def __reduce__(self) -> tuple[Any, ...]:
        # The monotonic reading means nothing in another process: it is left behind.
        return (
            type(self),
            (self.url, self.notebook_instance_name, self.issued_at, self.session_duration),
        )

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(url={redact_url(self.url)!r}, "
            f"notebook_instance_name={self.notebook_instance_name!r}, "
            f"issued_at={self.issued_at!r}, session_duration={self.session_duration!r})"
        )

    def __str__(self) -> str:
        return redact_url(self.url)


def request_clock() -> tuple[datetime, float]:
    """Both clocks, read together just before a request is sent."""
    return utc_now(), time.monotonic()


def issued_result(
    url: str,
    *,
    notebook_instance_name: str,
    clock: tuple[datetime, float],
    session_duration: timedelta | None,
) -> PresignedNotebookUrl:
    """The result of a request sent at *clock* (from `request_clock`)."""
    result = PresignedNotebookUrl(url, notebook_instance_name, clock[0], session_duration)
    object.__setattr__(result, "_sent_monotonic", clock[1])
    return result
