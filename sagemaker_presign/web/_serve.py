"""Running the app on the standard library's ``wsgiref``, one thread per request."""

from __future__ import annotations

import socketserver
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from ._app import WSGIApp


class ThreadingWSGIServer(socketserver.ThreadingMixIn, WSGIServer):
    """wsgiref's server, answering requests in threads (one PresignClient serves them all)."""

    daemon_threads = True
    request_queue_size = 128


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        """The app logs one line per request through logging; the default would go to stderr."""


def serve(app: WSGIApp, host: str = "127.0.0.1", port: int = 8080) -> ThreadingWSGIServer:
    """A threaded wsgiref server for *app*, bound and ready; call ``serve_forever()`` on it."""
    return make_server(
        host, port, app, server_class=ThreadingWSGIServer, handler_class=_QuietHandler
    )
