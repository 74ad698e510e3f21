"""Reading the CA bundle once per client, not once per HTTPS connection.

botocore hands urllib3 one shared SSL context per connection pool manager, and, before every
request, sets the pool's ``ca_certs`` to the bundle's path (certifi's, ``AWS_CA_BUNDLE`` or
the ``verify`` argument). urllib3 then calls ``load_verify_locations`` on that shared context
for every new connection: with certifi's ~150 certificates, tens of milliseconds per
connection, for certificates the context already holds.

For clients we build, `load_ca_bundle_once` wraps the client's HTTP session so that the first
connection through a context loads the bundle into it, and later ones find it there: the pool's
``ca_certs`` is cleared once the context holds the bundle, and urllib3 loads nothing more.
Verification is unchanged: the same certificates, ``CERT_REQUIRED`` and hostname checks, which
urllib3 still applies. It relies on the shape of botocore's ``URLLib3Session`` and urllib3's
pools, so each piece is checked and anything unexpected leaves botocore's own behaviour in place.
This is the package's one reach into botocore (developer rule 2 in docs/performance.md): on
clients it builds only, an attribute of that client's own HTTP session object, never a module.
"""

from __future__ import annotations

import os
import threading
import weakref
from collections.abc import Callable
from typing import Any, cast

__all__ = ["load_ca_bundle_once"]

_SETUP = "_setup_ssl_cert"


def load_ca_bundle_once(client: Any) -> bool:
    """Make *client*'s HTTPS connections share one load of the CA bundle; False (and nothing
    changed) when botocore's HTTP session is not shaped as expected."""
    session = getattr(getattr(client, "_endpoint", None), "http_session", None)
    original = getattr(session, _SETUP, None)
    if session is None or not callable(original) or isinstance(original, _LoadOnce):
        return False
    setattr(session, _SETUP, _LoadOnce(original))
    return True


class _LoadOnce:
    """Stands in for the session's ``_setup_ssl_cert(conn, url, verify)``."""

    def __init__(self, original: Callable[..., object]) -> None:
        self._original = original
        self._lock = threading.Lock()
        # id(context) -> the bundles (paths) it holds. Keyed by id for a lookup without lock or
        # weakref on every request; an entry leaves with its context (weakref.finalize),
        # before the id can be reused.
        self._loaded: dict[int, set[str]] = {}

    def __call__(self, conn: Any, url: str, verify: Any) -> None:
        self._original(conn, url, verify)
        bundle = getattr(conn, "ca_certs", None)
        if not isinstance(bundle, str):
            return  # plain HTTP, or no verification: nothing to load
        conn_kw: object = getattr(conn, "conn_kw", None)
        context: Any = (
            cast("dict[str, Any]", conn_kw).get("ssl_context")
            if isinstance(conn_kw, dict)
            else None
        )
        if context is None or getattr(conn, "ca_cert_dir", None) is not None:
            return  # not the case we know: urllib3 loads the bundle per connection, as always
        held = self._loaded.get(id(context))  # the warm path: held already, no lock, no stat
        if (held is None or bundle not in held) and not self._load_once(context, bundle):
            return  # urllib3 loads the bundle its own way, as always
        conn.ca_certs = None  # the context holds it: nothing left for urllib3 to load

    def _load_once(self, context: Any, bundle: str) -> bool:
        """Load *bundle* into *context* unless it holds it; False when urllib3 should load it
        its own way (an unusual context, an unreadable bundle: urllib3 then says so)."""
        if not callable(getattr(context, "load_verify_locations", None)) or not os.path.isfile(
            bundle
        ):
            return False
        with self._lock:
            held = self._loaded.get(id(context))
            if held is None:
                try:
                    weakref.finalize(context, self._loaded.pop, id(context), None)
                except TypeError:  # a context without weak references: not one we know
                    return False
                held = self._loaded[id(context)] = set()
            if bundle not in held:
                try:
                    context.load_verify_locations(cafile=bundle)
                except (OSError, ValueError):
                    return False
                held.add(bundle)
        return True
