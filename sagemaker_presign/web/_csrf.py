"""CSRF tokens for the Start button: bound to person, resource and action, short-lived.

A token is ``<expiry>.<hex HMAC-SHA256>`` over the expiry, the person, the target's resource
and the action. Every worker and replica that shares the secret accepts every other's tokens;
without a given secret each process draws its own, and a token is only good in the process that
issued it.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import secrets
import time
from typing import Literal

#: How long a Start form stays valid.
TOKEN_SECONDS = 600
_TOKEN = re.compile(r"([0-9]{1,12})\.([0-9a-f]{64})")
_MIN_SECRET_BYTES = 16

Verdict = Literal["valid", "expired", "invalid", "missing"]


def secret_bytes(secret: str | bytes | None) -> bytes:
    """The given secret as bytes (at least 16), or a random one for this process."""
    if secret is None:
        return secrets.token_bytes(32)
    raw = secret.encode() if isinstance(secret, str) else secret
    if not isinstance(raw, bytes):  # pyright: ignore[reportUnnecessaryIsInstance]
        raise TypeError("secret must be str or bytes")
    if len(raw) < _MIN_SECRET_BYTES:
        raise ValueError(
            f"the CSRF secret must be at least {_MIN_SECRET_BYTES} bytes "
            "(python -c 'import secrets; print(secrets.token_urlsafe(32))' makes one)"
        )
    return raw


class CsrfTokens:
    """Issues and checks tokens with one secret."""

    def __init__(self, secret: bytes, lifetime: int = TOKEN_SECONDS) -> None:
        self._secret = secret
        self._lifetime = lifetime

    def issue(self, who: str, resource: str, action: str, now: float | None = None) -> str:
        expiry = int(time.time() if now is None else now) + self._lifetime
        return f"{expiry}.{self._mac(expiry, who, resource, action)}"

    def check(
        self, token: str, who: str, resource: str, action: str, now: float | None = None
    ) -> Verdict:
        """``valid``; ``expired`` (well-formed, ours, too old); ``missing``; else ``invalid``."""
        if not token:
            return "missing"
        match = _TOKEN.fullmatch(token) if token.isascii() else None
        if match is None:
            return "invalid"
        expiry = int(match.group(1))
        expected = self._mac(expiry, who, resource, action)
        if not hmac.compare_digest(match.group(2).encode(), expected.encode()):
            return "invalid"
        current = time.time() if now is None else now
        if current > expiry or expiry - current > self._lifetime + 60:
            return "expired"
        return "valid"

    def _mac(self, expiry: int, who: str, resource: str, action: str) -> str:
        # JSON keeps the fields apart whatever characters a name holds.
        message = json.dumps([expiry, who, resource, action]).encode()
        return hmac.new(self._secret, message, hashlib.sha256).hexdigest()
