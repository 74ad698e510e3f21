"""What the service's successful answers must hold, checked before anyone relies on them."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any, TypeVar, cast
from urllib.parse import urlsplit

from ._exceptions import UnexpectedResponseError

S = TypeVar("S")


def _fields(response: Any) -> Mapping[str, object]:
    if type(response) is dict or isinstance(response, Mapping):  # a dict skips the ABC check
        return cast("Mapping[str, object]", response)
    return {}


# What a usable answer looks like, whole: https, a host of letters, digits, dots and hyphens
# (no user info, no backslash), an optional port, then printable ASCII only. Anything else
# gets the slower, precise diagnosis below and is refused.
_PLAIN_HTTPS_URL = re.compile(
    r"https://[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?"
    r"(?::(?:[0-9]{1,4}|[1-5][0-9]{4}|6[0-4][0-9]{3}|65[0-4][0-9]{2}|655[0-2][0-9]|6553[0-5]))?"
    r"(?:[/?#][\x21-\x7e]*)?"
)
_UNPRINTABLE = re.compile(r"[^\x21-\x7e]")


def presigned_url(
    response: Any,
    url_field: str,
    operation: str,
    subject: str,
    notebook_instance_name: str | None = None,
) -> str:
    """Return the response's URL (*url_field*), or raise if it is not a plain https URL.

    Refused, with UnexpectedResponseError and never the URL in the message: another scheme,
    user info before the host (``https://real.host@evil.example/`` prints like the real
    one), white space or control characters anywhere (a two-line "URL", terminal escapes),
    an empty or malformed host.
    """
    url = _fields(response).get(url_field)
    if isinstance(url, str) and _PLAIN_HTTPS_URL.fullmatch(url):
        return url
    problem = _url_problem(url).replace("AuthorizedUrl", url_field)
    raise UnexpectedResponseError(
        f"SageMaker's answer to {operation} for {subject} {problem}",
        notebook_instance_name=notebook_instance_name,
    )


def _url_problem(url: object) -> str:  # noqa: PLR0911 - one answer per problem
    """Say what is wrong with an AuthorizedUrl that is not a plain https URL."""
    if url is None:
        return "has no AuthorizedUrl"
    if not isinstance(url, str):
        return f"has an AuthorizedUrl that is a {type(url).__name__}, not a string"
    if not url.strip():
        return "has an empty AuthorizedUrl"
    bad = _UNPRINTABLE.search(url)
    if bad is not None:
        return (
            f"has an AuthorizedUrl with white space, a control or a non-ASCII character "
            f"({bad.group()!r} at position {bad.start()})"
        )
    try:
        parts = urlsplit(url)
    except ValueError:
        return "has an AuthorizedUrl that is not a URL"
    scheme = url[: len(parts.scheme)]  # as written: urlsplit lowers it
    if scheme != "https":
        return f"has an AuthorizedUrl whose scheme is {scheme[:20]!r}, not 'https'"
    if "@" in parts.netloc:
        return "has an AuthorizedUrl with user info before its host (a disguised host)"
    if not parts.hostname:
        return "has an AuthorizedUrl without a host"
    return "has an AuthorizedUrl whose host or port is malformed"


def described_status(
    response: Any,
    *,
    status_field: str,
    status_type: Callable[[str], S],
    operation: str,
    subject: str,
    notebook_instance_name: str | None = None,
) -> tuple[S, str | None]:
    """Return a describe's status (as *status_type*) and its FailureReason."""
    fields = _fields(response)
    status = fields.get(status_field)
    if not isinstance(status, str) or not status:
        raise UnexpectedResponseError(
            f"SageMaker's answer to {operation} for {subject} has no {status_field}",
            notebook_instance_name=notebook_instance_name,
        )
    reason = fields.get("FailureReason")
    return status_type(status), reason if isinstance(reason, str) and reason else None
