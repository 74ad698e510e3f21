"""The WSGI app: check the request, authorize, mint a fresh URL per click, answer ``303``.

Nothing here caches a URL: each ``GET`` that finds its resource ready mints one and sends the
browser there with ``303 See Other`` and ``Cache-Control: no-store``, so no browser or proxy
can replay a dead URL. A stopped resource is started only by a ``POST`` from a known person
carrying a CSRF token, never by a ``GET``. One PresignClient is shared by every thread.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, quote

from sagemaker_presign._doors import DOORS
from sagemaker_presign._exceptions import (
    AccessDeniedError,
    CredentialsError,
    InvalidParameterError,
    PresignError,
    ResourceNotFoundError,
    ServiceUnavailableError,
    ThrottlingError,
)

from ._csrf import CsrfTokens, secret_bytes
from ._pages import STYLE_HASH, error_page, start_form, waiting_page
from ._policy import Authorize, Environ, Identity, Target, target_for
from ._request import body_problem, host_allowed, methods, printable, route

if TYPE_CHECKING:
    from sagemaker_presign._client import PresignClient
    from sagemaker_presign._door import Door
    from sagemaker_presign._status import ResourceState

StartResponse = Callable[[str, list[tuple[str, str]]], Any]
WSGIApp = Callable[[Environ, StartResponse], Iterable[bytes]]
Answer = tuple[int, list[tuple[str, str]], bytes, str]

logger = logging.getLogger("sagemaker_presign.web")

#: The Host names accepted when create_app is not told: loopback only.
LOOPBACK_HOSTS = ("localhost", "127.0.0.1", "::1")
#: The largest request body read (the Start form is ~100 bytes).
MAX_BODY = 4096

_REASONS = {
    204: "No Content",
    303: "See Other",
    400: "Bad Request",
    403: "Forbidden",
    404: "Not Found",
    405: "Method Not Allowed",
    409: "Conflict",
    411: "Length Required",
    413: "Content Too Large",
    421: "Misdirected Request",
    502: "Bad Gateway",
    503: "Service Unavailable",
}
# On every answer: nothing cacheable, no Referer carrying a URL anywhere, never in a frame.
_ALWAYS = [
    ("Cache-Control", "no-store"),
    ("Pragma", "no-cache"),
    ("Referrer-Policy", "no-referrer"),
    ("X-Content-Type-Options", "nosniff"),
    ("X-Frame-Options", "DENY"),
    (
        "Content-Security-Policy",
        f"default-src 'none'; style-src '{STYLE_HASH}'; form-action 'self'; "
        "frame-ancestors 'none'; base-uri 'none'",
    ),
]


class _Denied(Exception):
    """The request is refused before its target is fully known."""


class _App:
    def __init__(  # noqa: PLR0917 (private; create_app takes keywords)
        self,
        client: PresignClient,
        authorize: Authorize,
        identity: Identity | None,
        studio_profile_for: Identity | None,
        refresh_seconds: int,
        secret: str | bytes | None,
        allowed_hosts: Iterable[str],
    ) -> None:
        self.client = client
        self.authorize = authorize
        self.identity = identity
        self.studio_profile_for = studio_profile_for
        self.refresh = refresh_seconds
        self.tokens = CsrfTokens(secret_bytes(secret))
        self.hosts = frozenset(host.lower().strip("[]") for host in allowed_hosts)
        self._waiting: OrderedDict[tuple[str | None, Target], float] = OrderedDict()
        self._lock = threading.Lock()

    def __call__(self, environ: Environ, start_response: StartResponse) -> Iterable[bytes]:
        began = time.monotonic()
        method = str(environ.get("REQUEST_METHOD", "GET"))
        path = str(environ.get("PATH_INFO", ""))
        if path == "/favicon.ico":  # asked for by every browser on every page: no log line
            start_response("204 No Content", list(_ALWAYS))
            return [b""]
        who = self.identity(environ) if self.identity is not None else None
        status, headers, body, outcome = self._handle(environ, method, path, who)
        logger.info(
            "%s %s %s -> %d %s (%.0f ms)",
            printable(who or "-"),
            printable(method),
            printable(path),
            status,
            outcome,
            (time.monotonic() - began) * 1000,
        )
        start_response(f"{status} {_REASONS.get(status, 'OK')}", [*_ALWAYS, *headers])
        return [body]

    def _handle(  # noqa: PLR0911 (one answer per check, in the order they are made)
        self, environ: Environ, method: str, path: str, who: str | None
    ) -> Answer:
        if not host_allowed(environ, self.hosts):
            return _html(421, "Wrong host", "This server does not answer for that host.", "host")
        problem = body_problem(environ, MAX_BODY)
        if problem is not None:
            status, detail = problem
            return _html(status, "Bad request", detail, "body")
        found = route(path)
        if found is None:
            return _html(404, "Not found", "There is nothing to open here.", "no route")
        door, params = found
        allowed = methods(door)
        if method not in allowed:
            detail = f"This address accepts {' and '.join(allowed)} only."
            status, headers, body, outcome = _html(405, "Method not allowed", detail, "method")
            return status, [*headers, ("Allow", ", ".join(allowed))], body, outcome
        try:
            target = self._target(environ, door, params)
            if target is None:
                return _html(404, "Not found", "There is nothing to open here.", "no route")
            if not self._allowed(environ, target):
                return _html(403, "Forbidden", "You may not open this.", "denied")
            if method == "POST":
                return self._start(environ, target, who)
            return self._open(environ, target, who)
        except _Denied:
            return _html(403, "Forbidden", "You may not open this.", "denied")
        except PresignError as error:
            return self._error(error)

    def _target(self, environ: Environ, door: Door, params: dict[str, str]) -> Target | None:
        """The route's Target, completed: a Studio user profile left out is the person's own
        (with *studio_profile_for*), a domain's name is resolved to its ID."""
        web = door.web
        assert web is not None  # `route` finds routed doors only
        if web.name not in params and self.studio_profile_for is not None:
            profile = self.studio_profile_for(environ)
            if profile is not None:
                params[web.name] = profile
        if web.name not in params:
            return None
        if web.resolve is not None:
            try:
                params = web.resolve(self.client, params)
            except ResourceNotFoundError:
                # Only someone the policy would let in learns that the name does not exist.
                if not self._allowed(environ, target_for(door.name, params)):
                    raise _Denied from None
                raise
        return target_for(door.name, params)

    def _allowed(self, environ: Environ, target: Target) -> bool:
        # One profile per person: nobody opens another's, whatever the route names.
        mapped = self.studio_profile_for
        web = DOORS[target.kind].web
        assert web is not None
        inferred = web.segments.index(web.name) >= web.required  # a route may leave it out
        if mapped is not None and inferred and target.name != mapped(environ):
            return False
        return bool(self.authorize(environ, target))

    # --- GET: ready -> mint and redirect; else a page that says where it is ---

    def _open(self, environ: Environ, target: Target, who: str | None) -> Answer:
        state = self._state(target)
        key = (who, target)
        if state.is_ready:
            with self._lock:
                self._waiting.pop(key, None)
            url = self._mint(environ, target)
            return 303, [("Location", url), ("Content-Length", "0")], b"", "redirected"
        if state.condition in ("failed", "gone"):
            detail = f"{_describe(target)} is {state.status}."
            return _html(502, "Not available", detail, state.condition)
        startable = state.condition == "startable"
        form = None
        if startable and who is not None:
            action = _canonical(environ, target)
            form = start_form(action, self.tokens.issue(who, target.resource, "start"))
        page = waiting_page(
            _describe(target),
            state.status,
            None if startable else self._elapsed(key),
            start_form=form,
            refresh=self.refresh,
        )
        headers = [("Content-Type", "text/html; charset=utf-8")]
        if form is None:
            headers.append(("Refresh", str(self.refresh)))
        return 200, headers, page, f"waiting ({state.status})"

    def _state(self, target: Target) -> ResourceState:
        return self.client.status(target.kind, **target.identifiers)

    def _mint(self, environ: Environ, target: Target) -> str:
        params: dict[str, Any] = {**target.identifiers, **_query(environ, target)}
        return self.client.presign(target.kind, **params).url

    def _elapsed(self, key: tuple[str | None, Target]) -> str:
        now = time.monotonic()
        with self._lock:
            first = self._waiting.setdefault(key, now)
            self._waiting.move_to_end(key)
            while len(self._waiting) > 1000:  # bounded: one entry per person and resource
                self._waiting.popitem(last=False)
        seconds = int(now - first)
        return f"waiting {seconds // 60}m{seconds % 60:02d}s" if seconds >= 60 else f"{seconds}s"

    # --- POST: start a stopped resource, with a CSRF token, for a known person ---

    def _start(self, environ: Environ, target: Target, who: str | None) -> Answer:
        if who is None:
            return _html(403, "Forbidden", "Starting needs a signed-in person.", "no identity")
        form = parse_qs(_read_body(environ))
        token = form.get("csrf", [""])[0]
        verdict = self.tokens.check(token, who, target.resource, "start")
        if verdict == "expired":
            return _html(403, "Forbidden", "The form has expired; reload the page.", "csrf")
        if verdict != "valid":
            return _html(403, "Forbidden", "This form is not valid; reload the page.", "csrf")
        # The door's own start: a start that lost the race with someone else's is ignored,
        # any other refusal raises (and maps to its status below).
        self.client.start(target.kind, **target.identifiers)
        location = _canonical(environ, target)
        return 303, [("Location", location), ("Content-Length", "0")], b"", "started"

    # --- errors ---

    def _error(self, error: PresignError) -> Answer:
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


def _html(status: int, title: str, detail: str, outcome: str) -> Answer:
    return (
        status,
        [("Content-Type", "text/html; charset=utf-8")],
        error_page(title, detail),
        outcome,
    )


def _describe(target: Target) -> str:
    web = DOORS[target.kind].web
    assert web is not None
    return web.title.format(**target.identifiers)


def _query(environ: Environ, target: Target) -> dict[str, str]:
    """The query parameters the target's door passes on (``?path=/lab``), by Param name."""
    web = DOORS[target.kind].web
    if web is None or not web.query:
        return {}
    given = parse_qs(str(environ.get("QUERY_STRING", "")))
    return {param: given[key][0] for key, param in web.query.items() if key in given}


def _canonical(environ: Environ, target: Target) -> str:
    """The target's own route under the app's mount point: never the raw request path, so a
    path such as ``//evil.example/`` cannot become a protocol-relative Location."""
    mount = "/" + str(environ.get("SCRIPT_NAME", "")).strip("/")
    url = quote(mount.rstrip("/"), safe="/") + target.path
    web = DOORS[target.kind].web
    query = _query(environ, target)
    passed = [
        f"{key}={quote(query[param], safe='/')}"
        for key, param in (web.query.items() if web is not None else ())
        if param in query
    ]
    return f"{url}?{'&'.join(passed)}" if passed else url


def _read_body(environ: Environ) -> str:
    """The form body; `body_problem` already refused a length that is bad or too large."""
    length = int(str(environ.get("CONTENT_LENGTH") or "0"))
    stream = environ.get("wsgi.input")
    raw = stream.read(length) if stream is not None and length else b""
    return raw.decode("utf-8", "replace") if isinstance(raw, bytes) else ""


def create_app(
    client: PresignClient,
    *,
    authorize: Authorize,
    identity: Identity | None = None,
    studio_profile_for: Identity | None = None,
    refresh_seconds: int = 5,
    secret: str | bytes | None = None,
    allowed_hosts: Iterable[str] = LOOPBACK_HOSTS,
) -> WSGIApp:
    """A WSGI app that redirects each click to a freshly minted presigned URL.

    Routes: ``/notebook/<name>`` (``?path=/lab`` to land there), ``/mlflow/<name>``,
    ``/studio/<domain>/<user_profile>[/<space>]`` (the domain by ID or by name), and
    ``/studio/<domain>`` when *studio_profile_for* maps the request to its user profile.

    *authorize* is required: it gets the WSGI environ and the `Target` and returns whether to
    let the request in (deny: ``403`` with no detail); combine admission (`allow_users`) with
    a per-resource policy (`allow_map`, `owner_tag`) using `all_of`. With
    *studio_profile_for*, a Studio route for any other profile than the person's is a ``403``.
    *identity* names the person in the log and binds the CSRF token; without it nothing can be
    started. *secret* signs the tokens: give the same one to every worker and replica (else
    each process draws its own). *allowed_hosts*: the ``Host`` names answered (``"*"`` for
    any); others get ``421``, which stops DNS-rebinding pages.
    """
    if not callable(authorize):
        raise TypeError("authorize must be a callable (environ, target) -> bool")
    if isinstance(allowed_hosts, str):
        raise TypeError("allowed_hosts must be a list of host names, not one str")
    return _App(
        client,
        authorize,
        identity,
        studio_profile_for,
        refresh_seconds,
        secret,
        allowed_hosts,
    )
