"""One click through the web app in a real browser: headless Chromium (Debian's ``chromium``),
driven by Playwright, from the status page through Start, the auto-refresh and the ``303`` to
the presigned URL, to the notebook's landing page.

SageMaker's side of the URL is a small HTTPS server on 127.0.0.1, where Chromium's resolver
rules send every ``*.sagemaker.aws`` name (nothing leaves the machine). Like the real proxy, it
takes the token once, answers with a redirect to the tokenless ``/lab`` page and sets a cookie;
it records every request's Referer.
"""

from __future__ import annotations

import shutil
import ssl
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING, Any, cast

import pytest
import trustme

from sagemaker_presign import PresignClient
from sagemaker_presign.testing import LocalSageMaker

from .web_support import Site

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Request

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
HOST = "stopped-nb.notebook.us-east-1.sagemaker.aws"
LANDING = f"https://{HOST}/lab"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


class Notebook(ThreadingHTTPServer):
    """The notebook instance's side of a presigned URL, on 127.0.0.1 over HTTPS."""

    daemon_threads = True

    def __init__(self, sagemaker: LocalSageMaker) -> None:
        self.sagemaker = sagemaker
        self.seen: list[tuple[str, str]] = []  # path, Referer
        super().__init__(("127.0.0.1", 0), _NotebookHandler)
        certificate = trustme.CA().issue_cert("*.notebook.us-east-1.sagemaker.aws")
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        certificate.configure_cert(context)  # pyright: ignore[reportUnknownMemberType]
        self.socket = context.wrap_socket(self.socket, server_side=True)


class _NotebookHandler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        server = cast("Notebook", self.server)
        server.seen.append((self.path, self.headers.get("Referer", "")))
        token = self.path.partition("authToken=")[2]
        issued = server.sagemaker.notebook_instance("stopped-nb").issued_urls
        if token and any(url.endswith(f"?authToken={token}") for url in issued):
            self.send_response(302)
            self.send_header("Location", "/lab")
            self.send_header("Set-Cookie", "_xsrf=session; Secure; HttpOnly")
            self.send_header("Content-Length", "0")
            self.end_headers()
        elif self.path == "/lab":
            body = b"<title>JupyterLab</title>JupyterLab"
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        else:
            self.send_error(403)

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet."""


@pytest.fixture
def notebook(sagemaker: LocalSageMaker) -> Iterator[Notebook]:
    server = Notebook(sagemaker)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture
def browser(notebook: Notebook) -> Iterator[Browser]:
    if CHROMIUM is None:
        pytest.fail(
            "this test needs Chromium: install Debian's 'chromium' package "
            "(bash .ci/dev check does, as root)"
        )
    from playwright.sync_api import sync_playwright

    rules = f"--host-resolver-rules=MAP *.sagemaker.aws:443 127.0.0.1:{notebook.server_address[1]}"
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            # The certificate is the test's own, for a name only these rules resolve.
            args=[*ARGS, rules, "--ignore-certificate-errors"],
        )
        yield chromium
        chromium.close()


def test_click_start_wait_and_land(
    browser: Browser, notebook: Notebook, sagemaker: LocalSageMaker, client: PresignClient
) -> None:
    sagemaker.add_notebook_instance("stopped-nb", status="Stopped")
    site = Site(sagemaker, client)
    seen: list[tuple[str, str, str]] = []  # method, URL, Referer of every request
    try:
        context = browser.new_context(extra_http_headers={"X-Forwarded-User": "alice"})
        page = context.new_page()

        def note(request: Request) -> None:
            seen.append((request.method, request.url, request.all_headers().get("referer", "")))

        page.on("request", note)
        page.goto(f"http://127.0.0.1:{site.port}/notebook/stopped-nb")
        assert "Stopped" in page.content()
        page.click("button[type=submit]")  # the POST, with its CSRF token
        page.wait_for_url(LANDING, timeout=60_000)
        assert page.url == LANDING
        assert "JupyterLab" in page.content()
        session = context.new_cdp_session(page)
        history = cast(
            "dict[str, Any]",
            session.send("Page.getNavigationHistory"),  # pyright: ignore[reportUnknownMemberType]
        )
        visited = [str(entry["url"]) for entry in history["entries"]]
        context.close()
    finally:
        site.close()

    assert [r.operation for r in sagemaker.requests].count("StartNotebookInstance") == 1
    assert any(method == "POST" for method, _, _ in seen)
    assert any("authToken=" in path for path, _ in notebook.seen), "the browser followed the 303"
    assert visited[-1] == LANDING
    assert not [url for url in visited if "authToken" in url], "no presigned URL in history"
    referers = [referer for _, _, referer in seen] + [referer for _, referer in notebook.seen]
    assert not [referer for referer in referers if "authToken" in referer]
    assert sum(url.endswith("/notebook/stopped-nb") for _, url, _ in seen) >= 3, "auto-refresh"
