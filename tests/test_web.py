"""Mint on click: the WSGI app on a real wsgiref server on 127.0.0.1, LocalSageMaker behind it,
driven by a real HTTP client."""

from __future__ import annotations

import logging
import subprocess
import sys
from typing import Any
from urllib.parse import urlencode

import pytest

from sagemaker_presign import PresignClient
from sagemaker_presign.testing import LocalSageMaker
from sagemaker_presign.web import Target, create_app

from .test_doors import has
from .web_support import USER, Site, click_in_threads, csrf_of, started


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
    answers = click_in_threads(lambda: site.request("GET", "/notebook/demo-nb", USER))
    locations = [headers["Location"] for headers in answers]
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
    site = Site(sagemaker, client)
    try:
        status, headers, _ = site.request("GET", f"/studio/{domain}/alice", USER)
        assert status == 303
        assert headers["Location"] == sagemaker.issued_domain_urls[-1]
        waiting = site.request("GET", f"/studio/{domain}/newbie", USER)
        assert waiting[0] == 200
        assert waiting[1]["Refresh"] == "1"
        assert "Pending" in waiting[2]
        refused = site.request("POST", f"/studio/{domain}/newbie", USER, "csrf=x")
        assert refused[0] == 405
        assert refused[1]["Allow"] == "GET"
        assert "accepts GET only" in refused[2]
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
