"""Keep presigned-URL tokens, signatures and passwords out of everything a person or log reads.

Every pattern here is linear in the length of the text: each starts with a literal
(``token``, ``signature``, ``://``) so that the regex engine tries a constant amount of work
at each position. An earlier ``[\\w.-]*token=`` rescanned every run of word characters, and a
proxy's 80 KB HTML error page took 21 seconds with the GIL held.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit, urlunsplit

REDACTED = "***"

# A secret value after a key that ends in "token" or "signature" (authToken, X-Amz-Security-Token,
# X-Amz-Signature, Signature, token), in the encodings it turns up in: a query (``k=v``), a
# percent-encoded query (``k%3Dv``), JSON (``"k": "v"``), a Python repr (``'k': b'v'``), a
# header or log line (``k: v``, botocore's ``Signature:\n<hex>``).
_KEYED_CREDENTIAL = r"""(?ix)
    (?P<key> token | signature )
    (?P<sep> ["']? [ \t]{0,8} (?: = | %3D | : ) \s{0,8} (?: b?["'] )? )
    [^\s"'&#<>,;\\)]+
    """
# The password of a URL's user info: scheme://user:password@host.
_URL_USER_INFO = r"(?P<head>://[^/\s@:]{0,256}:)[^/\s@]+@"
# C0 and C1 control characters, DEL, and the bidirectional overrides that make text print
# other than it reads. Shown escaped, never raw, in anything that reaches a terminal.
_CONTROL = "[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]"


def redact_url(url: str) -> str:
    """Return *url* with every query value, any fragment and any password replaced by ``***``.

    The whole query is masked, not just ``authToken``: whatever else the service may put
    there one day is no safer to print.
    """
    try:
        parts = urlsplit(url)
    except ValueError:
        return REDACTED
    netloc = parts.netloc
    if "@" in netloc:
        netloc = f"{REDACTED}@{netloc.rpartition('@')[2]}"
    query = "&".join(
        f"{pair.partition('=')[0]}={REDACTED}" for pair in parts.query.split("&") if pair
    )
    fragment = REDACTED if parts.fragment else ""
    return urlunsplit((parts.scheme, netloc, parts.path, query, fragment))


def scrub(text: str) -> str:
    """Mask token and signature values and URL passwords anywhere in free text."""
    text = re.sub(_KEYED_CREDENTIAL, rf"\g<key>\g<sep>{REDACTED}", text)
    if "://" in text:
        text = re.sub(_URL_USER_INFO, rf"\g<head>{REDACTED}@", text)
    return text


def escape_controls(text: str) -> str:
    """Fold line breaks and tabs into spaces; show other control characters escaped."""
    return re.sub(_CONTROL, _escape, text)


def _escape(match: re.Match[str]) -> str:
    character = match.group()
    if character in "\t\n\r\v\f":
        return " "
    return character.encode("unicode_escape").decode("ascii")


def clean(text: str) -> str:
    """`scrub` then `escape_controls`: what every message of ours goes through."""
    return escape_controls(scrub(text))
