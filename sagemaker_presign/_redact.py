"""Keep presigned-URL tokens out of everything a person or a log might read."""

from __future__ import annotations

import re
from urllib.parse import urlsplit, urlunsplit

REDACTED = "***"

# A query parameter value that follows a name ending in "token" (authToken, X-Amz-Security-Token,
# ...), wherever it stands in free text.
_TOKEN_IN_TEXT = re.compile(r"(?i)([?&;]?[\w.-]*token=)[^&#\s\"'<>]+")


def redact_url(url: str) -> str:
    """Return *url* with every query value and any fragment replaced by ``***``.

    The whole query is masked, not just ``authToken``: whatever else the service may put
    there one day is no safer to print.
    """
    try:
        parts = urlsplit(url)
    except ValueError:
        return REDACTED
    if not parts.query and not parts.fragment:
        return url
    query = "&".join(
        f"{pair.partition('=')[0]}={REDACTED}" for pair in parts.query.split("&") if pair
    )
    fragment = REDACTED if parts.fragment else ""
    return urlunsplit((parts.scheme, parts.netloc, parts.path, query, fragment))


def scrub(text: str) -> str:
    """Mask token-like query values anywhere in free text (a service message, say)."""
    return _TOKEN_IN_TEXT.sub(rf"\g<1>{REDACTED}", text)
