"""LocalSageMaker's file server: the presigned S3 GETs of hub content, on a port of its own.

It answers as S3 does where a downloader can tell: ``Range`` (206 and ``Content-Range``),
``ETag``, ``Accept-Ranges``, and a 403 ``AccessDenied`` "Request has expired" once a URL's
``X-Amz-Date`` + ``X-Amz-Expires`` is past. For tests and benchmarks it can cap each
connection's rate, add latency, and reset a connection mid-body or answer 503.
"""

from __future__ import annotations

import socket
import ssl
import struct
import threading
import time
from datetime import datetime, timezone
from http.server import BaseHTTPRequestHandler
from typing import Any, cast
from urllib.parse import parse_qs, unquote, urlsplit

from ._hub import HubStore, file_view
from ._server import TrackedServer

_CHUNK = 256 << 10
_EXPIRED = (
    b'<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>AccessDenied</Code>'
    b"<Message>Request has expired</Message></Error>"
)
_DENIED = (
    b'<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>SignatureDoesNotMatch</Code>'
    b"<Message>The request signature we calculated does not match</Message></Error>"
)


class _FileHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:
        server = cast("FileServer", self.server)
        store, lock = server.store, server.lock
        parts = urlsplit(self.path)
        key = unquote(parts.path.removeprefix("/hub-content-bucket/"))
        query = {name: values[0] for name, values in parse_qs(parts.query).items()}
        with lock:
            store.gets.append((key, self.headers.get("Range", "")))
            latency, rate = store.latency, store.rate_limit
            fault = store.file_faults.pop(0) if store.file_faults else None
            file = store.file(key)
            signature = store.sign(key, query.get("X-Amz-Date", ""), _int(query, "X-Amz-Expires"))
        if latency:
            time.sleep(latency)
        if file is None or query.get("X-Amz-Signature") != signature:
            self._answer(403, _DENIED)
            return
        try:
            signed = datetime.strptime(query["X-Amz-Date"], "%Y%m%dT%H%M%SZ")
        except (KeyError, ValueError):
            self._answer(403, _DENIED)
            return
        age = datetime.now(timezone.utc).replace(tzinfo=None) - signed
        if age.total_seconds() > _int(query, "X-Amz-Expires"):
            self._answer(403, _EXPIRED)
            return
        if fault is not None and fault[0] == "503":
            self._answer(503, b"<Error><Code>SlowDown</Code></Error>")
            return
        span = _range(self.headers.get("Range"), file.size)
        if span is None:
            self.send_response(416)
            self.send_header("Content-Range", f"bytes */{file.size}")
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        start, end = span
        partial = self.headers.get("Range") is not None
        self.send_response(206 if partial else 200)
        self.send_header("Content-Length", str(end - start))
        self.send_header("ETag", file.etag)
        self.send_header("Accept-Ranges", "bytes")
        if partial:
            self.send_header("Content-Range", f"bytes {start}-{end - 1}/{file.size}")
        self.end_headers()
        self._body(file.key, start, end, rate, fault)

    def _body(
        self, key: str, start: int, end: int, rate: int, fault: tuple[str, int] | None
    ) -> None:
        began, sent = time.monotonic(), 0
        reset_at = start + fault[1] if fault is not None and fault[0] == "reset" else None
        position = start
        while position < end:
            stop = min(position + _CHUNK, end)
            if reset_at is not None and stop >= reset_at:
                self.wfile.write(file_view(key, position, max(reset_at, position)))
                self.wfile.flush()
                self._reset()
                return
            piece: bytes | memoryview = file_view(key, position, stop)
            if fault is not None and fault[0] == "corrupt" and position == start:
                piece = bytes([piece[0] ^ 0xFF]) + bytes(piece[1:])  # one byte wrong
            self.wfile.write(piece)
            sent += stop - position
            position = stop
            if rate:
                ahead = sent / rate - (time.monotonic() - began)
                if ahead > 0:
                    time.sleep(ahead)

    def _reset(self) -> None:
        """Close with a TCP reset (SO_LINGER 0), as a dropped connection looks to a client."""
        self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.close_connection = True

    def _answer(self, status: int, body: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", "application/xml")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: tests read `HubStore.gets` instead."""


def _int(query: dict[str, str], name: str) -> int:
    try:
        return int(query.get(name, "0"))
    except ValueError:
        return 0


def _range(header: str | None, size: int) -> tuple[int, int] | None:
    """``(start, end)`` (end exclusive) for a ``bytes=a-b`` / ``bytes=a-`` header; None for one
    S3 would answer 416."""
    if header is None:
        return 0, size
    unit, _, spec = header.partition("=")
    first, dash, last = spec.partition("-")
    if unit.strip() != "bytes" or not dash or not first.isdigit():
        return 0, size  # S3 ignores a Range it cannot parse
    start = int(first)
    end = min(int(last) + 1, size) if last.isdigit() else size
    if start >= size or end <= start:
        return None
    return start, end


class FileServer(TrackedServer):
    """Serves `HubStore`'s files until shut down, over TLS when LocalSageMaker's API is."""

    def __init__(
        self,
        store: HubStore,
        lock: threading.Lock,
        host: str,
        ssl_context: ssl.SSLContext | None = None,
    ) -> None:
        self.store = store
        self.lock = lock
        super().__init__((host, 0), _FileHandler, ssl_context)

    @property
    def url(self) -> str:
        host, port = cast("tuple[str, int]", self.server_address[:2])
        return f"{'https' if self.ssl_context else 'http'}://{host}:{port}"

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that hangs up mid-answer is no error worth a traceback on stderr."""
