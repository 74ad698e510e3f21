"""The presigned URL as a value that knows when it was issued and when it goes stale."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from urllib.parse import urlsplit

from ._constants import URL_VALIDITY
from ._exceptions import PresignedUrlExpiredError
from ._redact import redact_url

_ZERO = timedelta(0)


def utc_now() -> datetime:
    return datetime.now(timezone.utc)


@dataclass(frozen=True, repr=False)
class PresignedNotebookUrl:
    """A URL that logs its holder into one notebook instance's Jupyter, and its deadline.

    The URL is a bearer credential: ``repr()`` and ``str()`` mask its token, so read it
    from ``.url`` (or ``ensure_fresh()``) only where it is really needed.
    """

    #: The presigned URL itself: a credential, valid for URL_VALIDITY after ``issued_at``.
    url: str
    #: The notebook instance the URL opens.
    notebook_instance_name: str
    #: When the request was sent (timezone-aware UTC); the service issued the URL no earlier.
    issued_at: datetime
    #: The Jupyter session length asked for; None when the service default (12 h) applies.
    session_duration: timedelta | None = None

    def __post_init__(self) -> None:
        if self.issued_at.tzinfo is timezone.utc:
            return
        if self.issued_at.utcoffset() is None:
            raise ValueError("issued_at must be timezone-aware")
        object.__setattr__(self, "issued_at", self.issued_at.astimezone(timezone.utc))

    @property
    def expires_at(self) -> datetime:
        """When the URL stops working: ``issued_at + URL_VALIDITY``."""
        return self.issued_at + URL_VALIDITY

    @property
    def is_stale(self) -> bool:
        """True once the URL's five minutes are over."""
        return utc_now() >= self.expires_at

    @property
    def time_remaining(self) -> timedelta:
        """How long the URL still works; ``timedelta(0)`` once stale, never negative."""
        return max(self.expires_at - utc_now(), _ZERO)

    @property
    def host(self) -> str:
        """The notebook instance's host name, e.g. ``nb.notebook.us-east-1.sagemaker.aws``.

        Not a secret: automation that opens WebSockets to Jupyter needs it.
        """
        return urlsplit(self.url).hostname or ""

    def ensure_fresh(self, margin: timedelta = _ZERO) -> str:
        """Return the URL if it stays valid for at least *margin* more.

        Raises:
            PresignedUrlExpiredError: when ``now + margin >= expires_at``.
        """
        if margin < _ZERO:
            raise ValueError("margin must not be negative")
        now = utc_now()
        if now + margin >= self.expires_at:
            late = now - self.expires_at
            when = f"expired {late} ago" if late >= _ZERO else f"expires in {-late}"
            raise PresignedUrlExpiredError(
                f"the presigned URL for notebook instance {self.notebook_instance_name!r} "
                f"{when} (issued at {self.issued_at.isoformat()}, margin {margin}); "
                "request a new one",
                notebook_instance_name=self.notebook_instance_name,
            )
        return self.url

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(url={redact_url(self.url)!r}, "
            f"notebook_instance_name={self.notebook_instance_name!r}, "
            f"issued_at={self.issued_at!r}, session_duration={self.session_duration!r})"
        )

    def __str__(self) -> str:
        return redact_url(self.url)
