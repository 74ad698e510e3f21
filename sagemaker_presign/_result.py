"""`PresignedUrl`: a presigned URL as a value that knows when it was issued and goes stale.

Each door's result (`PresignedNotebookUrl`, `PresignedDomainUrl`, ...) is a subclass that adds
the identifiers of what it opens; the URL, its deadline and its secrecy live here, once.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any, TypeVar
from urllib.parse import urlsplit

from ._constants import DEFAULT_EXPIRES_IN
from ._exceptions import PresignedUrlExpiredError
from ._redact import redact_url

_ZERO = timedelta(0)
R = TypeVar("R", bound="PresignedUrl")


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
class PresignedUrl:
    """A presigned URL and its deadline: the base of every door's result.

    The URL is a bearer credential: ``repr()``, ``str()``, ``vars()`` and
    ``dataclasses.asdict()`` show it with its token masked, so read it from ``.url`` (or
    ``ensure_fresh()``) only where it is really needed. For the same reason no dataclass field
    holds it in clear: ``dataclasses.replace(result, url=result.url, issued_at=...)`` makes a
    changed copy, and without ``url=`` it raises ``TypeError`` naming the missing ``url``.

    Its age is measured on a monotonic clock within the process that made the request (a
    system clock stepped back cannot make it look fresh), and on the wall clock for a
    result built by hand or unpickled elsewhere; either way it never counts more than
    ``valid_for`` left.
    """

    issued_at: datetime
    """When the request was sent (timezone-aware UTC); the service issued the URL no earlier."""
    valid_for: timedelta
    """How long the URL can be opened after it was issued (the API's validity)."""
    session_duration: timedelta | None
    """The session length asked for; None when the service default (12 h) applies."""
    # The URL itself, masked wherever the dataclass machinery shows it. Not init fields:
    # dataclasses.replace(result, url=result.url, ...) passes the URL by its own name.
    _secret: SecretUrl = field(repr=False, init=False)
    # time.monotonic() when the request was sent, in the process that sent it.
    _sent_monotonic: float | None = field(repr=False, compare=False, init=False)

    def _set_base(
        self,
        url: str,
        issued_at: datetime,
        valid_for: timedelta,
        session_duration: timedelta | None,
    ) -> None:
        if issued_at.tzinfo is not timezone.utc:  # ours always are: one check on the warm path
            if issued_at.utcoffset() is None:
                raise ValueError("issued_at must be timezone-aware")
            issued_at = issued_at.astimezone(timezone.utc)
        issued(self, url, issued_at, valid_for, session_duration)

    # What each door says of itself, in messages and reprs.
    def _subject(self) -> str:
        return "the presigned URL"

    def _identifiers(self) -> dict[str, object]:
        """The door's own fields (attribute name -> value), in order."""
        return {}

    @property
    def url(self) -> str:
        """The presigned URL itself: a credential, valid for ``valid_for`` after ``issued_at``."""
        return self._secret.value

    @property
    def expires_at(self) -> datetime:
        """When the URL stops working: ``issued_at + valid_for``."""
        return self.issued_at + self.valid_for

    def _age(self) -> timedelta:
        # The larger of the two ages: a clock stepped back never makes the URL younger, and
        # one stepped forward only makes it stale early, the safe side.
        age = utc_now() - self.issued_at
        if self._sent_monotonic is not None:
            age = max(age, timedelta(seconds=time.monotonic() - self._sent_monotonic))
        return age

    @property
    def is_stale(self) -> bool:
        """True once ``valid_for`` is over."""
        return self._age() >= self.valid_for

    @property
    def time_remaining(self) -> timedelta:
        """How long the URL still works: from ``timedelta(0)`` to ``valid_for``."""
        return min(max(self.valid_for - self._age(), _ZERO), self.valid_for)

    @property
    def host(self) -> str:
        """The host the URL opens, e.g. ``nb.notebook.us-east-1.sagemaker.aws``.

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
        late = self._age() - self.valid_for
        if late + margin >= _ZERO:
            when = f"expired {late} ago" if late >= _ZERO else f"expires in {-late}"
            raise PresignedUrlExpiredError(
                f"the presigned URL for {self._subject()} {when} (issued at "
                f"{self.issued_at.isoformat()}, margin {margin}); request a new one",
                notebook_instance_name=getattr(self, "notebook_instance_name", None),
            )
        return self.url

    def __reduce__(self) -> tuple[Any, ...]:
        # The monotonic reading means nothing in another process: it is left behind.
        state = {
            **self._identifiers(),
            "url": self.url,
            "issued_at": self.issued_at,
            "valid_for": self.valid_for,
            "session_duration": self.session_duration,
        }
        return (_rebuild, (type(self), state))

    def __repr__(self) -> str:
        fields = "".join(f", {name}={value!r}" for name, value in self._identifiers().items())
        return (
            f"{type(self).__name__}(url={redact_url(self.url)!r}{fields}, "
            f"issued_at={self.issued_at!r}, session_duration={self.session_duration!r})"
        )

    def __str__(self) -> str:
        return redact_url(self.url)


@dataclass(frozen=True, repr=False, init=False)
class PresignedArnUrl(PresignedUrl):
    """The base of the results of doors known by an ARN alone (MLflow apps, partner apps)."""

    arn: str
    """The ARN of what the URL opens."""

    _kind = "app"  # what the ARN names, in messages

    def __init__(
        self,
        url: str,
        arn: str,
        issued_at: datetime,
        *,
        session_duration: timedelta | None = None,
        valid_for: timedelta = DEFAULT_EXPIRES_IN,
    ) -> None:
        vars(self)["arn"] = arn
        self._set_base(url, issued_at, valid_for, session_duration)

    def _subject(self) -> str:
        return f"{self._kind} {self.arn!r}"

    def _identifiers(self) -> dict[str, object]:
        return {"arn": self.arn}


def _rebuild(cls: type[R], state: dict[str, Any]) -> R:
    result: R = cls.__new__(cls)
    base = {k: state.pop(k) for k in ("url", "issued_at", "valid_for", "session_duration")}
    vars(result).update(state)
    result._set_base(**base)  # pyright: ignore[reportPrivateUsage]
    return result


def issued(
    result: R,
    url: str,
    issued_at: datetime,
    valid_for: timedelta,
    session_duration: timedelta | None,
) -> R:
    """*result* with its base fields set, its door's own set already: what the constructors
    do once *issued_at* is checked, and what the presign path does alone (its clock reads UTC)
    for a result made with ``object.__new__``, skipping ``__init__``'s checks and calls.

    The fields go straight into the instance's dict (the frozen dataclass's __setattr__
    refuses), item by item: half the instructions of one ``update(**fields)`` call."""
    fields = vars(result)
    fields["issued_at"] = issued_at
    fields["valid_for"] = valid_for
    fields["session_duration"] = session_duration
    fields["_secret"] = SecretUrl(url)
    fields["_sent_monotonic"] = None
    return result


def request_clock() -> tuple[datetime, float]:
    """Both clocks, read together just before a request is sent."""
    return datetime.now(timezone.utc), time.monotonic()


def stamped(result: R, sent_monotonic: float) -> R:
    """*result*, remembering the monotonic reading of the request that made it."""
    vars(result)["_sent_monotonic"] = sent_monotonic
    return result
