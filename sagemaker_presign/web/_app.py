"""The WSGI app: authorize, check the resource, mint a fresh URL per click, answer ``303``.

Nothing here caches a URL: each ``GET`` that finds its resource ready mints one and sends the
browser there with ``303 See Other`` and ``Cache-Control: no-store``, so no browser or proxy
can replay a dead URL. A stopped resource is started only by a ``POST`` carrying a CSRF token,
never by a ``GET``. One PresignClient is shared by every thread of the server.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, quote

from sagemaker_presign._exceptions import (
    AccessDeniedError,
    CredentialsError,
    InvalidParameterError,
    PresignError,
    ResourceNotFoundError,
    ServiceUnavailableError,
    ThrottlingError,
)

from ._pages import error_page, start_form, waiting_page

if TYPE_CHECKING:
    from sagemaker_presign._client import PresignClient

Environ = Mapping[str, Any]
StartResponse = Callable[[str, list[tuple[str, str]]], Any]
WSGIApp = Callable[[Environ, StartResponse], Iterable[bytes]]

logger = logging.getLogger("sagemaker_presign.web")

_REASONS = {
    303: "See Other",
    400: "Bad Request",
    403: "Forbidden",
    404: "Not Found",
    405: "Method Not Allowed",
    409: "Conflict",
    502: "Bad Gateway",
    503: "Service Unavailable",
}
# On every answer: nothing cacheable, no Referer carrying a URL anywhere.
_ALWAYS = [
    ("Cache-Control", "no-store"),
    ("Pragma", "no-cache"),
    ("Referrer-Policy", "no-referrer"),
    ("X-Content-Type-Options", "nosniff"),
]


@dataclass(frozen=True)
class Target:
    """What a request asks to open; `authorize` gets it with the request's environ."""

    kind: str
    """``"notebook"``, ``"studio"`` or ``"mlflow"``."""
    name: str
    """The notebook instance, the Studio user profile or the MLflow tracking server."""
    domain_id: str | None = None
    """For Studio: the domain."""
    space_name: str | None = None
    """For Studio: the space, if one was asked for."""


Authorize = Callable[[Environ, Target], bool]


def trusted_header(name: str) -> Callable[[Environ], str | None]:
    """The identity an authenticating proxy put in header *name* (``X-Forwarded-User``...).

    Only trustworthy behind that proxy, when nothing else can reach the app: anyone who can
    talk to the app directly can send the header too.
    """
    key = "HTTP_" + name.upper().replace("-", "_")

    def identity(environ: Environ) -> str | None:
        value = environ.get(key)
        return value.strip() or None if isinstance(value, str) else None

    return identity


def allow_users(
    identity: Callable[[Environ], str | None], users: Iterable[str] | None = None
) -> Authorize:
    """An `authorize` that lets in requests with an identity (one of *users*, if given)."""
    allowed = None if users is None else frozenset(users)

    def authorize(environ: Environ, target: Target) -> bool:
        who = identity(environ)
        return who is not None and (allowed is None or who in allowed)

    return authorize


class _App:
    def __init__(
        self,
        client: PresignClient,
        authorize: Authorize,
        identity: Callable[[Environ], str | None] | None,
        studio_profile_for: Callable[[Environ], str | None] | None,
        refresh_seconds: int,
    ) -> None:
        self.client = client
        self.authorize = authorize
        self.identity: Callable[[Environ], str | None] = identity or _nobody
        self.studio_profile_for = studio_profile_for
        self.refresh = refresh_seconds
        self._secret = secrets.token_bytes(32)
        self._waiting: OrderedDict[tuple[str | None, Target], float] = OrderedDict()
        self._lock = threading.Lock()

    def __call__(self, environ: Environ, start_response: StartResponse) -> Iterable[bytes]:
        began = time.monotonic()
        method = str(environ.get("REQUEST_METHOD", "GET"))
        who = self.identity(environ)
        path = str(environ.get("PATH_INFO", ""))
        status, headers, body, outcome = self._handle(environ, method, path, who)
        logger.info(
            "%s %s %s -> %d %s (%.0f ms)",
            who or "-",
            method,
            path,
            status,
            outcome,
            (time.monotonic() - began) * 1000,
        )
        start_response(f"{status} {_REASONS.get(status, 'OK')}", [*_ALWAYS, *headers])
        return [body]

    # --- routing ---

    def _handle(
        self, environ: Environ, method: str, path: str, who: str | None
    ) -> tuple[int, list[tuple[str, str]], bytes, str]:
        target = self._route(environ, path)
        if target is None:
            return _html(404, "Not found", "There is nothing to open here.", "no route")
        if method not in ("GET", "POST"):
            return _html(405, "Method not allowed", "Use GET.", "method")
        if not self.authorize(environ, target):
            return _html(403, "Forbidden", "You may not open this.", "denied")
        try:
            if method == "POST":
                return self._start(environ, target, who, path)
            return self._open(environ, target, who, path)
        except PresignError as error:
            return self._error(error)

    def _route(self, environ: Environ, path: str) -> Target | None:
        parts = [part for part in path.split("/") if part]
        if len(parts) == 2 and parts[0] in ("notebook", "mlflow"):
            return Target(parts[0], parts[1])
        if parts[:1] == ["studio"] and len(parts) in (2, 3, 4):
            profile = parts[2] if len(parts) > 2 else None
            if profile is None and self.studio_profile_for is not None:
                profile = self.studio_profile_for(environ)
            if profile is None:
                return None
            space = parts[3] if len(parts) == 4 else None
            return Target("studio", profile, domain_id=parts[1], space_name=space)
        return None

    # --- GET: ready -> mint and redirect; else a page that says where it is ---

    def _open(
        self, environ: Environ, target: Target, who: str | None, path: str
    ) -> tuple[int, list[tuple[str, str]], bytes, str]:
        status, ready, startable, failed = self._status(target)
        key = (who, target)
        if ready:
            with self._lock:
                self._waiting.pop(key, None)
            url = self._mint(environ, target)
            return 303, [("Location", url), ("Content-Length", "0")], b"", "redirected"
        if failed:
            return _html(502, "Not available", f"{_describe(target)} is {status}.", "failed")
        elapsed = self._elapsed(key)
        form = start_form(_self_url(environ, path), self._token(who, target)) if startable else None
        page = waiting_page(
            _describe(target), status, elapsed, start_form=form, refresh=self.refresh
        )
        headers = [("Content-Type", "text/html; charset=utf-8")]
        if form is None:
            headers.append(("Refresh", str(self.refresh)))
        return 200, headers, page, f"waiting ({status})"

    def _status(self, target: Target) -> tuple[str, bool, bool, bool]:
        """The status, and whether it is ready, startable, failed."""
        if target.kind == "notebook":
            status = self.client.get_status(target.name)
            return str(status), status == "InService", status == "Stopped", status == "Failed"
        if target.kind == "mlflow":
            server = self.client.get_mlflow_tracking_server_status(target.name)
            ready = server in ("Started", "Created", "Updated", "MaintenanceComplete")
            return str(server), ready, server == "Stopped", str(server).endswith("Failed")
        assert target.domain_id is not None
        describe = self.client._studio_plan(  # pyright: ignore[reportPrivateUsage]
            target.domain_id, target.name, target.space_name
        ).requests["describe"]
        state = str(describe()[0])
        return state, state == "InService", False, state.endswith("Failed")

    def _mint(self, environ: Environ, target: Target) -> str:
        if target.kind == "notebook":
            query = parse_qs(str(environ.get("QUERY_STRING", "")))
            landing = query.get("path", [None])[0]
            return self.client.create_presigned_url(target.name, landing_path=landing).url
        if target.kind == "mlflow":
            return self.client.create_presigned_mlflow_tracking_server_url(target.name).url
        assert target.domain_id is not None
        return self.client.create_presigned_domain_url(
            target.domain_id, target.name, space_name=target.space_name
        ).url

    def _elapsed(self, key: tuple[str | None, Target]) -> str:
        now = time.monotonic()
        with self._lock:
            first = self._waiting.setdefault(key, now)
            self._waiting.move_to_end(key)
            while len(self._waiting) > 1000:  # bounded: one entry per person and resource
                self._waiting.popitem(last=False)
        seconds = int(now - first)
        return f"waiting {seconds // 60}m{seconds % 60:02d}s" if seconds >= 60 else f"{seconds}s"

    # --- POST: start a stopped resource, with a CSRF token ---

    def _start(
        self, environ: Environ, target: Target, who: str | None, path: str
    ) -> tuple[int, list[tuple[str, str]], bytes, str]:
        if target.kind == "studio":
            return _html(405, "Method not allowed", "Studio profiles are not started.", "method")
        form = parse_qs(_read_body(environ))
        token = form.get("csrf", [""])[0]
        if not hmac.compare_digest(token, self._token(who, target)) and not hmac.compare_digest(
            token, self._token(who, target, window=-1)
        ):
            return _html(403, "Forbidden", "The form has expired; reload the page.", "csrf")
        # The door's own start: a start that lost the race with someone else's is ignored,
        # any other refusal raises (and maps to its status below).
        if target.kind == "notebook":
            self.client._start_notebook(target.name)  # pyright: ignore[reportPrivateUsage]
        else:
            self.client._mlflow_plan(target.name).requests["start"]()  # pyright: ignore[reportPrivateUsage]
        location = _self_url(environ, path)
        return 303, [("Location", location), ("Content-Length", "0")], b"", "started"

    def _token(self, who: str | None, target: Target, window: int = 0) -> str:
        hour = int(time.time() // 3600) + window
        message = f"{who}|{target}|{hour}".encode()
        return hmac.new(self._secret, message, hashlib.sha256).hexdigest()

    # --- errors ---

    def _error(self, error: PresignError) -> tuple[int, list[tuple[str, str]], bytes, str]:
        logger.warning("SageMaker call failed: %s", error)
        if isinstance(error, ResourceNotFoundError):
            return _html(404, "Not found", "There is no such resource.", "not found")
        if isinstance(error, (ThrottlingError, ServiceUnavailableError)):
            status, headers, body, _ = _html(
                503, "Busy", "SageMaker is busy; try again in a few seconds.", "throttled"
            )
            return status, [*headers, ("Retry-After", "5")], body, "throttled"
        if isinstance(error, (AccessDeniedError, CredentialsError)):
            return _html(
                502,
                "Not allowed at SageMaker",
                "SageMaker refused this server's credentials or permissions; the operator's "
                "log says why.",
                "denied at SageMaker",
            )
        if isinstance(error, InvalidParameterError):
            return _html(400, "Bad request", str(error), "invalid")
        return _html(502, "SageMaker failed", "SageMaker could not be asked; try again.", "error")


def _html(
    status: int, title: str, detail: str, outcome: str
) -> tuple[int, list[tuple[str, str]], bytes, str]:
    return (
        status,
        [("Content-Type", "text/html; charset=utf-8")],
        error_page(title, detail),
        outcome,
    )


def _nobody(environ: Environ) -> str | None:
    return None


def _describe(target: Target) -> str:
    if target.kind == "notebook":
        return f"Notebook instance {target.name}"
    if target.kind == "mlflow":
        return f"MLflow tracking server {target.name}"
    return f"Studio user profile {target.name}"


def _self_url(environ: Environ, path: str) -> str:
    """This request's path (with its query), under the app's mount point."""
    query = str(environ.get("QUERY_STRING", ""))
    base = quote(str(environ.get("SCRIPT_NAME", "")) + path)
    return f"{base}?{query}" if query else base


def _read_body(environ: Environ) -> str:
    try:
        length = min(int(environ.get("CONTENT_LENGTH") or 0), 4096)
    except ValueError:
        length = 0
    stream = environ.get("wsgi.input")
    raw = stream.read(length) if stream is not None and length else b""
    return raw.decode("utf-8", "replace") if isinstance(raw, bytes) else ""


def create_app(
    client: PresignClient,
    *,
    authorize: Authorize,
    identity: Callable[[Environ], str | None] | None = None,
    studio_profile_for: Callable[[Environ], str | None] | None = None,
    refresh_seconds: int = 5,
) -> WSGIApp:
    """A WSGI app that redirects each click to a freshly minted presigned URL.

    Routes: ``/notebook/<name>`` (``?path=/lab`` to land there), ``/mlflow/<name>``,
    ``/studio/<domain_id>/<user_profile>[/<space>]``, and ``/studio/<domain_id>`` when
    *studio_profile_for* maps the request to its user profile. *authorize* is required: it
    gets the WSGI environ and the `Target` and returns whether to let the request in (deny:
    ``403`` with no detail). *identity* names the person in the log and binds the CSRF token
    (`trusted_header` for the common proxy set-up).
    """
    if not callable(authorize):
        raise TypeError("authorize must be a callable (environ, target) -> bool")
    return _App(client, authorize, identity, studio_profile_for, refresh_seconds)
