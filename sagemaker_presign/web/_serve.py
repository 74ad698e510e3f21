"""Running the app on the standard library's ``wsgiref``: a bounded pool of worker threads,
a timeout per connection, and header names with ``_`` dropped."""

from __future__ import annotations

import contextlib
import logging
import socket
import sys
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer

from ._app import WSGIApp

logger = logging.getLogger("sagemaker_presign.web")

#: Seconds a connection may take to send its request (and to take the answer).
CONNECTION_TIMEOUT = 10.0
#: Worker threads answering requests.
MAX_WORKERS = 32
#: Accepted connections waiting for a worker before new ones are closed at once.
MAX_WAITING = 256


class ThreadingWSGIServer(WSGIServer):
    """wsgiref's server, answering requests on a bounded pool of threads (one PresignClient
    serves them all). A slow or half-sent request holds a worker for at most
    `CONNECTION_TIMEOUT` seconds; past `MAX_WAITING` queued connections, new ones are closed."""

    request_queue_size = 128

    def __init__(
        self,
        *args: Any,
        max_workers: int = MAX_WORKERS,
        timeout: float = CONNECTION_TIMEOUT,
        **kwargs: Any,
    ) -> None:
        self.connection_timeout = timeout
        self._pool = ThreadPoolExecutor(max_workers, thread_name_prefix="sagemaker-presign-web")
        self._queued = threading.BoundedSemaphore(max_workers + MAX_WAITING)
        super().__init__(*args, **kwargs)

    def get_request(self) -> tuple[socket.socket, Any]:
        connection, address = super().get_request()
        connection.settimeout(self.connection_timeout)  # the handler's reads and writes
        return connection, address

    def process_request(self, request: Any, client_address: Any) -> None:
        if not self._queued.acquire(blocking=False):
            self.shutdown_request(request)  # overloaded: refuse rather than pile up sockets
            return
        self._pool.submit(self._answer, request, client_address)

    def _answer(self, request: Any, client_address: Any) -> None:
        try:
            self.finish_request(request, client_address)
        except Exception:
            self.handle_error(request, client_address)
        finally:
            self.shutdown_request(request)
            self._queued.release()

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that timed out or went away is no news; anything else is logged."""
        if isinstance(sys.exc_info()[1], OSError):
            return
        logger.exception("the web app failed on a request from %s", client_address[0])

    def server_close(self) -> None:
        super().server_close()
        self._pool.shutdown(wait=False, cancel_futures=True)


class _Handler(WSGIRequestHandler):
    def get_environ(self) -> dict[str, Any]:
        """wsgiref's environ, less headers whose names hold ``_``: ``X_Forwarded_User`` would
        otherwise land in (or be joined to) the proxy's ``HTTP_X_FORWARDED_USER``."""
        environ = {k: v for k, v in super().get_environ().items() if not k.startswith("HTTP_")}
        for name, value in self.headers.items():
            key = name.replace("-", "_").upper()
            if "_" in name or key in environ:  # smuggled, or CONTENT_TYPE/CONTENT_LENGTH
                continue
            key = "HTTP_" + key
            environ[key] = f"{environ[key]},{value.strip()}" if key in environ else value.strip()
        return environ

    def log_message(self, format: str, *args: object) -> None:
        """The app logs one line per request through logging; the default would go to stderr."""


def serve(
    app: WSGIApp,
    host: str = "127.0.0.1",
    port: int = 8080,
    *,
    max_workers: int = MAX_WORKERS,
    timeout: float = CONNECTION_TIMEOUT,
) -> ThreadingWSGIServer:
    """A wsgiref server for *app* on a bounded thread pool, bound and ready; call
    ``serve_forever()`` on it. A connection gets *timeout* seconds for each read and write;
    OSError (``EADDRINUSE``...) if it cannot bind."""

    server = ThreadingWSGIServer((host, port), _Handler, max_workers=max_workers, timeout=timeout)
    server.set_app(app)
    with contextlib.suppress(OSError):
        server.socket.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return server
