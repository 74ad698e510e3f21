"""The HTTP side of LocalSageMaker: AWS JSON 1.1 over a standard-library server on loopback."""

from __future__ import annotations

import contextlib
import json
import socket
import ssl
import sys
import threading
import time
import uuid
from datetime import datetime, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, cast

from ._backend import ApiError, Backend, JsonObject, RecordedRequest

_TARGET_PREFIX = "SageMaker."
_CONTENT_TYPE = "application/x-amz-json-1.1"


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as botocore's connection pool expects
    # An idle keep-alive connection gives up its thread after this many seconds.
    timeout = 30

    def setup(self) -> None:
        super().setup()
        # Without this, a response written as headers + body pays ~40 ms of delayed ACK per
        # keep-alive request, and every warm measurement against this server is noise.
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def _read_body(self) -> bytes:
        """The request body, sent with a Content-Length or in chunks."""
        if "chunked" not in self.headers.get("Transfer-Encoding", "").lower():
            return self.rfile.read(int(self.headers.get("Content-Length") or 0))
        chunks: list[bytes] = []
        while True:
            size = int(self.rfile.readline(65537).split(b";")[0].strip() or b"0", 16)
            if size == 0:
                while self.rfile.readline(65537) not in (b"\r\n", b"\n", b""):
                    pass  # trailers
                return b"".join(chunks)
            chunks.append(self.rfile.read(size))
            self.rfile.readline(65537)  # the CRLF after each chunk

    def do_POST(self) -> None:
        try:
            raw = self._read_body()
        except ValueError:
            self.close_connection = True
            self._send_error(ApiError("SerializationException", "Malformed chunked body"))
            return
        target = self.headers.get("X-Amz-Target", "")
        operation = target[len(_TARGET_PREFIX) :] if target.startswith(_TARGET_PREFIX) else target
        body = _parse_object(raw)
        server = cast("LocalServer", self.server)
        backend = server.backend
        backend.record(
            RecordedRequest(
                operation=operation,
                body=body if body is not None else {},
                headers={name.lower(): value for name, value in self.headers.items()},
                received_at=datetime.now(timezone.utc),
                client_port=self.client_address[1],
            )
        )
        if server.latency:
            time.sleep(server.latency)  # the round trip to a real region, for load tests
        fault = backend.take_fault(operation)
        if fault is not None:
            if fault.delay:
                time.sleep(fault.delay)
            if fault.drop:
                self._drop()
                return
            if fault.body is not None:
                self._send(fault.status, fault.body)
                return
            if fault.error_code is not None:
                self._send_error(ApiError(fault.error_code, fault.message, fault.status))
                return
        try:
            if not target.startswith(_TARGET_PREFIX):
                raise ApiError("UnknownOperationException", f"Unknown target {target!r}")
            if not self.headers.get("Authorization", "").startswith("AWS4-HMAC-SHA256 "):
                raise ApiError(
                    "MissingAuthenticationTokenException", "Missing Authentication Token", 403
                )
            if raw and body is None:
                raise ApiError("SerializationException", "The request body is not a JSON object")
            answer = backend.handle(operation, body or {})
        except ApiError as error:
            self._send_error(error)
        else:
            self._send(200, json.dumps(answer).encode())

    def _send_error(self, error: ApiError) -> None:
        payload = {"__type": error.code, "message": error.message}
        self._send(error.status, json.dumps(payload).encode())

    def _send(self, status: int, payload: bytes) -> None:
        head = (
            f"HTTP/1.1 {status} {self.responses.get(status, ('',))[0]}\r\n"
            f"Content-Type: {_CONTENT_TYPE}\r\n"
            f"Content-Length: {len(payload)}\r\n"
            f"x-amzn-RequestId: {uuid.uuid4()}\r\n"
            "\r\n"
        ).encode("latin-1")
        self.log_request(status, len(payload))
        # One write for head and body: no small-packet stall even without TCP_NODELAY.
        with contextlib.suppress(OSError):  # the client gave up (a read timeout, say)
            self.wfile.write(head + payload)
            self.wfile.flush()

    def _drop(self) -> None:
        self.close_connection = True
        with contextlib.suppress(OSError):
            self.connection.shutdown(socket.SHUT_RDWR)

    def log_message(self, format: str, *args: Any) -> None:
        """Stay quiet: a test's output is no place for an access log."""


def _parse_object(raw: bytes) -> JsonObject | None:
    if not raw:
        return {}
    try:
        value = json.loads(raw)
    except ValueError:
        return None
    return cast("JsonObject", value) if isinstance(value, dict) else None


class TrackedServer(ThreadingHTTPServer):
    """A threading HTTP server that can hang up on its kept-alive connections and speaks TLS
    when given a context, each handshake in its request's own thread."""

    daemon_threads = True
    # socketserver's default backlog of 5 resets connections when many threads connect at once.
    request_queue_size = 128
    # A restart on a fixed port must not wait for the last run's TIME_WAIT connections
    # (on Windows the option would let another process take the port: not there).
    allow_reuse_address = sys.platform != "win32"

    def __init__(
        self,
        address: tuple[str, int],
        handler: type[BaseHTTPRequestHandler],
        ssl_context: ssl.SSLContext | None,
    ) -> None:
        self.ssl_context = ssl_context
        self._open: set[socket.socket] = set()
        self._open_lock = threading.Lock()
        super().__init__(address, handler)

    def process_request(self, request: Any, client_address: Any) -> None:
        with self._open_lock:
            self._open.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request: Any) -> None:
        with self._open_lock:
            self._open.discard(request)
        super().shutdown_request(request)

    def close_connections(self) -> None:
        """Hang up on every connection still open (kept alive by a client)."""
        with self._open_lock:
            connections = list(self._open)
        for connection in connections:
            with contextlib.suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)

    def get_request(self) -> tuple[socket.socket, Any]:
        connection, address = super().get_request()
        if self.ssl_context is not None:
            # The handshake happens in the request's own thread (finish_request), so a slow or
            # broken client never holds up the accept loop.
            connection = self.ssl_context.wrap_socket(
                connection, server_side=True, do_handshake_on_connect=False
            )
        return connection, address

    def finish_request(self, request: Any, client_address: Any) -> None:
        if isinstance(request, ssl.SSLSocket):
            try:
                request.settimeout(getattr(self.RequestHandlerClass, "timeout", None) or 10)
                request.do_handshake()
            except (OSError, ssl.SSLError):
                return  # a client that does not trust us, or went away: nothing to answer
        super().finish_request(request, client_address)


class LocalServer(TrackedServer):
    def __init__(
        self,
        backend: Backend,
        address: tuple[str, int],
        *,
        ssl_context: ssl.SSLContext | None = None,
        latency: float = 0.0,
    ) -> None:
        self.backend = backend
        self.latency = latency
        super().__init__(address, _Handler, ssl_context)
