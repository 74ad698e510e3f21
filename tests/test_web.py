"""Mint on click: the WSGI app on a real wsgiref server on 127.0.0.1, LocalSageMaker behind it,
driven by a real HTTP client."""

from __future__ import annotations

import http.client
import logging
import re
import subprocess
import sys
import threading
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlencode

import pytest

from sagemaker_presign import PresignClient
from sagemaker_presign.testing import LocalSageMaker
from sagemaker_presign.web import Target, allow_users, create_app, serve, trusted_header

from .test_doors import has

USER = {"X-Forwarded-User": "alice"}


class Site:
    """The app served on a free port of 127.0.0.1, and a LocalSageMaker behind it."""

    def __init__(self, sagemaker: LocalSageMaker, client: PresignClient, **options: Any) -> None:
        self.sagemaker = sagemaker
        identity = trusted_header("X-Forwarded-User")
        options.setdefault("authorize", allow_users(identity, ["alice", "bob"]))
        self.app = create_app(client, identity=identity, refresh_seconds=1, **options)
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
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        try:
            sent = {**(headers or {})}
            if body is not None:
                sent["Content-Type"] = "application/x-www-form-urlencoded"
            connection.request(method, path, body=body, headers=sent)
            response = connection.getresponse()
            return response.status, dict(response.getheaders()), response.read().decode()
        finally:
            connection.close()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def site(sagemaker: LocalSageMaker, client: PresignClient) -> Iterator[Site]:
    sagemaker.add_notebook_instance("stopped-nb", status="Stopped")
    running = Site(sagemaker, client)
    yield running
    running.close()


def started(sagemaker: LocalSageMaker) -> int:
    return [r.operation for r in sagemaker.requests].count("StartNotebookInstance")


def test_a_click_is_a_303_to_a_fresh_url_that_nothing_caches(site: Site) -> None:
    status, headers, body = site.request("GET", "/notebook/demo-nb", USER)
    assert status == 303
    assert headers["Location"] == site.sagemaker.notebook_instance("demo-nb").issued_urls[-1]
    assert headers["Cache-Control"] == "no-store"
    assert headers["Referrer-Policy"] == "no-referrer"
    assert body == ""
    again = site.request("GET", "/notebook/demo-nb", USER)[1]["Location"]
    assert again != headers["Location"], "minted per click, never cached"


def test_a_landing_path_is_passed_on(site: Site) -> None:
    status, headers, _ = site.request("GET", "/notebook/demo-nb?path=/lab", USER)
    assert status == 303
    assert headers["Location"].split("?")[0].endswith(".sagemaker.aws/lab")


@pytest.mark.parametrize("headers", [{}, {"X-Forwarded-User": "mallory"}, {"X-Forwarded-User": ""}])
def test_without_an_allowed_identity_it_is_403_and_says_nothing(
    site: Site, headers: dict[str, str]
) -> None:
    status, answer_headers, body = site.request("GET", "/notebook/demo-nb", headers)
    assert status == 403
    assert "Location" not in answer_headers
    assert "demo-nb" not in body
    unknown = site.request("GET", "/notebook/no-such-nb", headers)
    assert unknown[0] == 403, "a denied person learns nothing about what exists"
    assert site.sagemaker.requests == []


def test_authorize_sees_the_target(sagemaker: LocalSageMaker, client: PresignClient) -> None:
    seen: list[Target] = []

    def only_demo(environ: Any, target: Target) -> bool:
        seen.append(target)
        return target.name == "demo-nb"

    site = Site(sagemaker, client, authorize=only_demo)
    try:
        assert site.request("GET", "/notebook/demo-nb", USER)[0] == 303
        assert site.request("GET", "/notebook/other", USER)[0] == 403
    finally:
        site.close()
    assert seen == [Target("notebook", "demo-nb"), Target("notebook", "other")]


def test_authorize_is_mandatory(client: PresignClient) -> None:
    with pytest.raises(TypeError, match="authorize"):
        create_app(client, authorize=None)  # type: ignore[arg-type]


def csrf_of(page: str) -> str:
    match = re.search(r'name="csrf" value="([0-9a-f]+)"', page)
    assert match is not None, page
    return match.group(1)


def test_a_get_never_starts_anything(site: Site) -> None:
    status, headers, page = site.request("GET", "/notebook/stopped-nb", USER)
    assert status == 200
    assert "Location" not in headers
    assert "Stopped" in page
    assert '<form method="post"' in page
    assert headers["Cache-Control"] == "no-store"
    assert started(site.sagemaker) == 0


@pytest.mark.parametrize("body", [None, "csrf=", "csrf=" + "0" * 64])
def test_a_post_without_the_right_token_is_refused(site: Site, body: str | None) -> None:
    status, _, _ = site.request("POST", "/notebook/stopped-nb", USER, body)
    assert status == 403
    assert started(site.sagemaker) == 0


def test_a_token_is_bound_to_the_person(site: Site) -> None:
    token = csrf_of(site.request("GET", "/notebook/stopped-nb", USER)[2])
    bob = {"X-Forwarded-User": "bob"}
    status, _, _ = site.request("POST", "/notebook/stopped-nb", bob, urlencode({"csrf": token}))
    assert status == 403
    assert started(site.sagemaker) == 0


def test_start_wait_redirect(site: Site) -> None:
    token = csrf_of(site.request("GET", "/notebook/stopped-nb", USER)[2])
    status, headers, _ = site.request(
        "POST", "/notebook/stopped-nb", USER, urlencode({"csrf": token})
    )
    assert status == 303
    assert headers["Location"] == "/notebook/stopped-nb"
    assert started(site.sagemaker) == 1
    pages: list[str] = []
    for _ in range(10):  # the page refreshes itself; each GET is one describe
        status, headers, page = site.request("GET", "/notebook/stopped-nb", USER)
        if status == 303:
            break
        pages.append(page)
        assert headers["Refresh"] == "1"
    assert status == 303
    assert headers["Location"].startswith("https://stopped-nb.notebook.")
    assert any("Pending" in page for page in pages)


@pytest.mark.parametrize(
    ("fault", "status", "fragment"),
    [
        (("ValidationException", 400, "RecordNotFound"), 404, "no such resource"),
        (("ThrottlingException", 400, "Rate exceeded"), 503, "busy"),
        (("AccessDeniedException", 400, "not authorized"), 502, "log says why"),
        (("InternalFailure", 500, "boom"), 503, "busy"),
    ],
)
def test_errors_map_to_statuses(
    site: Site, fault: tuple[str, int, str], status: int, fragment: str
) -> None:
    code, http_status, message = fault
    site.sagemaker.fail_next(code, status=http_status, message=message, times=5)
    got, headers, body = site.request("GET", "/notebook/demo-nb", USER)
    assert got == status
    assert fragment in body
    if status == 503:
        assert headers["Retry-After"] == "5"
    site.sagemaker.clear_faults()


def test_two_hundred_clicks_from_twenty_threads(site: Site) -> None:
    locations: list[str] = []
    lock = threading.Lock()

    def click() -> None:
        for _ in range(10):
            status, headers, _ = site.request("GET", "/notebook/demo-nb", USER)
            assert status == 303
            with lock:
                locations.append(headers["Location"])

    threads = [threading.Thread(target=click) for _ in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert len(locations) == 200
    assert len(set(locations)) == 200, "every click got its own URL"
    assert set(locations) <= set(site.sagemaker.notebook_instance("demo-nb").issued_urls)


def test_the_token_is_never_logged(site: Site, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    location = site.request("GET", "/notebook/demo-nb", USER)[1]["Location"]
    token = location.partition("authToken=")[2]
    assert len(token) > 20
    lines = [r.getMessage() for r in caplog.records if r.name == "sagemaker_presign.web"]
    assert any("alice GET /notebook/demo-nb -> 303" in line for line in lines)
    assert token not in caplog.text + "".join(r.getMessage() for r in caplog.records)


def test_studio_routes(sagemaker: LocalSageMaker, client: PresignClient) -> None:
    domain = sagemaker.add_domain().domain_id
    sagemaker.add_user_profile(domain, "alice")
    sagemaker.add_user_profile(domain, "newbie", status="Pending")
    site = Site(sagemaker, client, studio_profile_for=trusted_header("X-Forwarded-User"))
    try:
        status, headers, _ = site.request("GET", f"/studio/{domain}/alice", USER)
        assert status == 303
        assert headers["Location"] == sagemaker.issued_domain_urls[-1]
        mapped = site.request("GET", f"/studio/{domain}", USER)
        assert mapped[0] == 303, "the identity maps to its own user profile"
        waiting = site.request("GET", f"/studio/{domain}/newbie", USER)
        assert waiting[0] == 200
        assert waiting[1]["Refresh"] == "1"
        assert "Pending" in waiting[2]
        assert site.request("POST", f"/studio/{domain}/newbie", USER, "csrf=x")[0] == 405
    finally:
        site.close()


@pytest.mark.skipif(
    not has("CreatePresignedMlflowTrackingServerUrl"), reason="this botocore lacks MLflow"
)
def test_mlflow_routes(sagemaker: LocalSageMaker, client: PresignClient) -> None:
    sagemaker.add_mlflow_tracking_server("tracker")
    sagemaker.add_mlflow_tracking_server("asleep", status="Stopped")
    site = Site(sagemaker, client)
    try:
        status, headers, _ = site.request("GET", "/mlflow/tracker", USER)
        assert status == 303
        assert headers["Location"].startswith("https://t-tracker.")
        page = site.request("GET", "/mlflow/asleep", USER)[2]
        status, _, _ = site.request(
            "POST", "/mlflow/asleep", USER, urlencode({"csrf": csrf_of(page)})
        )
        assert status == 303
        operations = [r.operation for r in sagemaker.requests]
        assert operations.count("StartMlflowTrackingServer") == 1
    finally:
        site.close()


def test_serve_refuses_to_start_without_a_trusted_header() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "sagemaker_presign", "serve", "--local", "--port", "0"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert proc.returncode == 2
    assert "--trust-header" in proc.stderr
    assert "refuses to start" in proc.stderr
