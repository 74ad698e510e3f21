"""HTTP hygiene of the web app and its server, each bad request sent as raw bytes over a real
socket: Host, Content-Length, slow clients, smuggled headers, log lines, paths, framing."""

from __future__ import annotations

import logging
import socket
import threading
import time
from collections.abc import Iterator

import pytest

from sagemaker_presign import PresignClient
from sagemaker_presign.testing import LocalSageMaker
from sagemaker_presign.web import allow_users, create_app, serve, trusted_header

from .web_support import USER, Site, csrf_of


def raw(port: int, data: bytes, *, timeout: float = 10) -> bytes:
    """Send *data* as it is; read the whole answer (the server closes after it)."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as connection:
        connection.sendall(data)
        chunks: list[bytes] = []
        while chunk := connection.recv(65536):
            chunks.append(chunk)
    return b"".join(chunks)


def status_of(answer: bytes) -> int:
    return int(answer.split(b" ", 2)[1])


def get(path: str, host: str = "127.0.0.1", extra: str = "") -> bytes:
    return (
        f"GET {path} HTTP/1.1\r\nHost: {host}\r\nX-Forwarded-User: alice\r\n{extra}"
        "Connection: close\r\n\r\n"
    ).encode()


# --- Host ---


@pytest.mark.parametrize("host", ["evil.example", "evil.example:80", "127.0.0.2", "[::2]:1"])
def test_an_unknown_host_is_421(site: Site, host: str) -> None:
    answer = raw(site.port, get("/notebook/demo-nb", host))
    assert status_of(answer) == 421
    assert b"csrf" not in answer
    assert site.sagemaker.requests == []


def test_a_dns_rebinding_page_gets_no_token(site: Site) -> None:
    rebound = raw(site.port, get("/notebook/stopped-nb", f"attacker.example:{site.port}"))
    assert status_of(rebound) == 421
    assert b'name="csrf"' not in rebound
    own = raw(site.port, get("/notebook/stopped-nb", f"localhost:{site.port}"))
    assert status_of(own) == 200
    assert b'name="csrf"' in own


def test_a_request_without_host_is_421(site: Site) -> None:
    answer = raw(site.port, b"GET /notebook/demo-nb HTTP/1.0\r\nX-Forwarded-User: alice\r\n\r\n")
    assert status_of(answer) == 421


def test_allowed_hosts_can_be_widened(sagemaker: LocalSageMaker, client: PresignClient) -> None:
    running = Site(sagemaker, client, allowed_hosts=["portal.example.com"])
    try:
        assert status_of(raw(running.port, get("/notebook/demo-nb", "portal.example.com"))) == 303
        assert status_of(raw(running.port, get("/notebook/demo-nb", "127.0.0.1"))) == 421
    finally:
        running.close()
    with pytest.raises(TypeError, match="list of host names"):
        create_app(client, authorize=allow_users(trusted_header("X")), allowed_hosts="localhost")


# --- Content-Length ---


@pytest.mark.parametrize(
    ("length", "status"), [("-1", 400), ("abc", 400), ("1e3", 400), ("1000000000", 413)]
)
def test_a_bad_content_length_is_refused_without_reading_the_body(
    site: Site, length: str, status: int
) -> None:
    head = (
        f"POST /notebook/stopped-nb HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Forwarded-User: alice\r\n"
        f"Content-Length: {length}\r\nConnection: close\r\n\r\n"
    ).encode()
    # No body follows and the connection stays open: an answer proves nothing was waited for.
    with socket.create_connection(("127.0.0.1", site.port), timeout=5) as connection:
        connection.sendall(head)
        answer = connection.recv(65536)
    assert status_of(answer) == status
    assert site.sagemaker.requests == []


def test_a_chunked_body_is_refused(site: Site) -> None:
    head = (
        b"POST /notebook/stopped-nb HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Forwarded-User: alice\r\n"
        b"Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
    )
    with socket.create_connection(("127.0.0.1", site.port), timeout=5) as connection:
        connection.sendall(head)
        assert status_of(connection.recv(65536)) == 411


# --- slow clients and threads ---


@pytest.fixture
def small_server(
    sagemaker: LocalSageMaker, client: PresignClient
) -> Iterator[tuple[int, threading.Event]]:
    identity = trusted_header("X-Forwarded-User")
    app = create_app(client, authorize=allow_users(identity), identity=identity)
    server = serve(app, "127.0.0.1", 0, max_workers=4, timeout=0.5)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    done = threading.Event()
    yield server.server_address[1], done
    server.shutdown()
    server.server_close()


def web_threads() -> int:
    return sum(t.name.startswith("sagemaker-presign-web") for t in threading.enumerate())


def test_half_sent_requests_hold_a_bounded_number_of_threads(
    small_server: tuple[int, threading.Event],
) -> None:
    port, _ = small_server
    connections = [socket.create_connection(("127.0.0.1", port), timeout=10) for _ in range(60)]
    try:
        for connection in connections:
            connection.sendall(b"GET /notebook/demo-nb HTTP/1.1\r\nHost: 127.0.0.1\r\n")
        time.sleep(0.3)
        assert web_threads() <= 4
        # Each half-sent request is dropped after its timeout; then a whole one is answered.
        answer = raw(port, get("/notebook/demo-nb"), timeout=60)
        assert status_of(answer) == 303
        assert web_threads() <= 4
    finally:
        for connection in connections:
            connection.close()


def test_a_silent_connection_is_closed_after_the_timeout(
    small_server: tuple[int, threading.Event],
) -> None:
    port, _ = small_server
    with socket.create_connection(("127.0.0.1", port), timeout=10) as connection:
        connection.sendall(b"GET /notebook/demo-nb HTTP/1.1\r\n")
        began = time.monotonic()
        assert connection.recv(100) == b"", "the server hung up"
        assert time.monotonic() - began < 9


# --- smuggled headers ---


@pytest.mark.parametrize(
    "headers",
    [
        "X_Forwarded_User: alice\r\n",
        "X-Forwarded-User: mallory\r\nX_Forwarded_User: alice\r\n",
        "X_Forwarded_User: alice\r\nX-Forwarded-User: mallory\r\n",
    ],
)
def test_header_names_with_underscores_are_dropped(site: Site, headers: str) -> None:
    request = (
        f"GET /notebook/demo-nb HTTP/1.1\r\nHost: 127.0.0.1\r\n{headers}Connection: close\r\n\r\n"
    ).encode()
    assert status_of(raw(site.port, request)) == 403
    assert site.sagemaker.requests == []


# --- the log line ---


def test_control_characters_cannot_forge_a_log_line(
    site: Site, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="sagemaker_presign.web")
    forged = "/notebook/x%0d%0a2026-12-04 admin GET /notebook/secret -> 303 redirected"
    raw(site.port, get(forged.replace(" ", "%20")))
    raw(site.port, get("/notebook/demo-nb", extra="X-Forwarded-User: \x1b[2Jalice\r\n"))
    lines = [r.getMessage() for r in caplog.records if r.name == "sagemaker_presign.web"]
    assert lines
    for line in lines:
        assert "\n" not in line
        assert "\r" not in line
        assert "\x1b" not in line
    assert any("\\r\\n2026-12-04" in line for line in lines)


def test_the_favicon_is_answered_quietly(site: Site, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="sagemaker_presign.web")
    assert status_of(raw(site.port, get("/favicon.ico"))) == 204
    assert not [r for r in caplog.records if r.name == "sagemaker_presign.web"]


# --- paths, redirects, forms ---


@pytest.mark.parametrize(
    "path", ["//notebook/stopped-nb", "//evil.example/notebook/stopped-nb", "/notebook//x"]
)
def test_a_path_that_is_not_canonical_is_never_echoed(site: Site, path: str) -> None:
    # wsgiref itself collapses a leading // (other servers do not: see the next test).
    answer = raw(site.port, get(path))
    assert status_of(answer) in (200, 404)
    assert b"Location: //" not in answer
    assert b'action="//' not in answer
    assert b"evil.example" not in answer


@pytest.mark.parametrize("path", ["//notebook/stopped-nb", "//evil.example/notebook/stopped-nb"])
def test_a_server_that_keeps_double_slashes_gets_a_404(site: Site, path: str) -> None:
    answers: list[str] = []
    environ = {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": path,
        "HTTP_HOST": "localhost",
        "HTTP_X_FORWARDED_USER": "alice",
    }
    body = b"".join(site.app(environ, lambda status, headers: answers.append(status)))
    assert answers == ["404 Not Found"]
    assert b"evil.example" not in body


def test_redirects_and_forms_use_the_canonical_route(site: Site) -> None:
    status, _, page = site.request("GET", "/notebook/stopped-nb?path=/lab&x=%22%3E", USER)
    assert status == 200
    assert 'action="/notebook/stopped-nb?path=/lab"' in page
    status, headers, _ = site.request(
        "POST",
        "/notebook/stopped-nb?path=/lab&x=1",
        USER,
        f"csrf={csrf_of(page)}",
    )
    assert status == 303
    assert headers["Location"] == "/notebook/stopped-nb?path=/lab"


def test_head_and_other_methods_name_what_is_accepted(site: Site) -> None:
    for method in ("HEAD", "PUT", "DELETE"):
        status, headers, _ = site.request(method, "/notebook/demo-nb", USER)
        assert status == 405
        assert headers["Allow"] == "GET, POST"
    _, _, page = site.request("PUT", "/notebook/demo-nb", USER)
    assert "accepts GET and POST only" in page


# --- framing and page basics ---


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("/notebook/demo-nb", 303),
        ("/notebook/stopped-nb", 200),
        ("/nothing", 404),
        ("/notebook/-bad-", 404),
    ],
)
def test_every_answer_forbids_framing(site: Site, path: str, expected: int) -> None:
    status, headers, _ = site.request("GET", path, USER)
    assert status == expected
    assert headers["X-Frame-Options"] == "DENY"
    policy = headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in policy
    assert "default-src 'none'" in policy
    denied = site.request("GET", path, {"X-Forwarded-User": "mallory"})[1]
    assert denied["X-Frame-Options"] == "DENY"


def test_pages_fit_a_phone_and_say_only_what_is_true(site: Site) -> None:
    _, _, stopped = site.request("GET", "/notebook/stopped-nb", USER)
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in stopped
    assert "(0s)" not in stopped, "no time waited on a stopped page"
    site.sagemaker.add_notebook_instance("booting", status="Pending")
    _, _, pending = site.request("GET", "/notebook/booting", USER)
    assert "(0s)" in pending, "time waited while it is starting"
