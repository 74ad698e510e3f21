"""The web app's test site: the app on a real wsgiref server on 127.0.0.1, a LocalSageMaker
behind it, driven by a real HTTP client."""

from __future__ import annotations

import http.client
import re
import threading
from collections.abc import Callable
from typing import Any

from sagemaker_presign import PresignClient
from sagemaker_presign.testing import LocalSageMaker
from sagemaker_presign.web import allow_users, create_app, serve, trusted_header

USER = {"X-Forwarded-User": "alice"}


class Site:
    """The app served on a free port of 127.0.0.1, and a LocalSageMaker behind it."""

    def __init__(self, sagemaker: LocalSageMaker, client: PresignClient, **options: Any) -> None:
        self.sagemaker = sagemaker
        identity = trusted_header("X-Forwarded-User")
        options.setdefault("authorize", allow_users(identity, ["alice", "bob"]))
        options.setdefault("identity", identity)
        self.app = create_app(client, refresh_seconds=1, **options)
        self.server = serve(self.app, "127.0.0.1", 0)
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def request(
        self,
        method: str,
        path: str,
        headers: dict[str, str] | None = None,
        body: str | None = None,
    ) -> tuple[int, dict[str, str], str]:
        return http_request(self.port, method, path, headers, body)

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def http_request(
    port: int,
    method: str,
    path: str,
    headers: dict[str, str] | None = None,
    body: str | None = None,
) -> tuple[int, dict[str, str], str]:
    """One request to 127.0.0.1:*port* on a connection of its own (a form when *body*)."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        sent = {**(headers or {})}
        if body is not None:
            sent["Content-Type"] = "application/x-www-form-urlencoded"
        connection.request(method, path, body=body, headers=sent)
        response = connection.getresponse()
        return response.status, dict(response.getheaders()), response.read().decode()
    finally:
        connection.close()


def started(sagemaker: LocalSageMaker) -> int:
    return [r.operation for r in sagemaker.requests].count("StartNotebookInstance")


def csrf_of(page: str) -> str:
    match = re.search(r'name="csrf" value="([^"]+)"', page)
    assert match is not None, page
    return match.group(1)


def click_in_threads(
    request: Callable[[], tuple[int, dict[str, str], str]], threads: int = 20, each: int = 10
) -> list[dict[str, str]]:
    """*threads* threads each make *each* requests at once; the headers of every answer, each
    checked to be a 303."""
    answers: list[dict[str, str]] = []
    lock = threading.Lock()

    def click() -> None:
        for _ in range(each):
            status, headers, _ = request()
            assert status == 303
            with lock:
                answers.append(headers)

    running = [threading.Thread(target=click) for _ in range(threads)]
    for thread in running:
        thread.start()
    for thread in running:
        thread.join(timeout=120)
    return answers
