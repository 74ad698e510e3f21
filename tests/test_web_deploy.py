"""The web app the way real deployments run it: under gunicorn with several workers sharing a
CSRF secret, and on AWS Lambda behind an ALB or a function URL through apig-wsgi (fed
real-shaped events)."""

from __future__ import annotations

import base64
import os
import re
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest
from apig_wsgi import make_lambda_handler

from sagemaker_presign import PresignClient
from sagemaker_presign.testing import DUMMY_ACCESS_KEY_ID, DUMMY_SECRET_ACCESS_KEY, LocalSageMaker
from sagemaker_presign.web import allow_users, create_app, trusted_header

from .web_support import click_in_threads, csrf_of, http_request

SECRET = "a-secret-every-worker-shares-0123456789"
ROOT = Path(__file__).resolve().parent.parent


class Gunicorn:
    def __init__(self, sagemaker: LocalSageMaker) -> None:
        env = {
            **os.environ,
            "TEST_SAGEMAKER_ENDPOINT": sagemaker.endpoint_url,
            "SAGEMAKER_PRESIGN_WEB_SECRET": SECRET,
            "AWS_ACCESS_KEY_ID": DUMMY_ACCESS_KEY_ID,
            "AWS_SECRET_ACCESS_KEY": DUMMY_SECRET_ACCESS_KEY,
        }
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "--workers",
                "2",
                "--bind",
                "127.0.0.1:0",
                "--timeout",
                "60",
                "tests.apps.gunicorn_app:app",
            ],
            cwd=ROOT,
            env=env,
            stderr=subprocess.PIPE,
            stdin=subprocess.DEVNULL,
            text=True,
        )
        assert self.process.stderr is not None
        self.port = 0
        booted = 0
        for line in self.process.stderr:
            found = re.search(r"Listening at: http://127\.0\.0\.1:(\d+)", line)
            if found:
                self.port = int(found.group(1))
            booted += "Booting worker" in line
            if self.port and booted == 2:
                break
        assert self.port, "gunicorn did not start"
        # Drain what it logs later, so its pipe never fills.
        self.drain = threading.Thread(target=self.process.stderr.read, daemon=True)
        self.drain.start()

    def request(
        self, method: str, path: str, body: str | None = None
    ) -> tuple[int, dict[str, str], str]:
        return http_request(self.port, method, path, {"X-Forwarded-User": "alice"}, body)

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=30)
        self.drain.join(timeout=30)
        assert self.process.stderr is not None
        self.process.stderr.close()


@pytest.fixture
def gunicorn(sagemaker: LocalSageMaker) -> Iterator[Gunicorn]:
    server = Gunicorn(sagemaker)
    yield server
    server.stop()


def held(port: int) -> socket.socket:
    """A connection whose request is half sent: the sync worker that took it waits on it."""
    connection = socket.create_connection(("127.0.0.1", port), timeout=30)
    connection.sendall(b"GET /notebook/demo-nb HTTP/1.1\r\nHost: 127.0.0.1\r\n")
    time.sleep(0.3)  # time for a worker to accept it
    return connection


def release(connection: socket.socket) -> str:
    """Send the rest of the held request; the pid of the worker that answered."""
    with connection:
        connection.sendall(b"X-Forwarded-User: alice\r\nConnection: close\r\n\r\n")
        answer = b""
        while chunk := connection.recv(65536):
            answer += chunk
    found = re.search(rb"X-Worker-Pid: (\d+)", answer)
    assert found is not None, answer
    return found.group(1).decode()


def test_a_page_from_one_worker_and_the_post_to_another(
    sagemaker: LocalSageMaker, gunicorn: Gunicorn
) -> None:
    for index in range(3):
        name = f"stopped-{index}"
        sagemaker.add_notebook_instance(name, status="Stopped")
        first = held(gunicorn.port)  # one worker busy: the page comes from the other
        status, headers, page = gunicorn.request("GET", f"/notebook/{name}")
        assert status == 200
        page_worker = headers["X-Worker-Pid"]
        second = held(gunicorn.port)  # the page's worker busy now
        assert release(first) != page_worker
        # Only the worker that did not serve the page is free to take the POST.
        status, headers, _ = gunicorn.request(
            "POST", f"/notebook/{name}", urlencode({"csrf": csrf_of(page)})
        )
        assert headers["X-Worker-Pid"] != page_worker
        assert status == 303, "a worker accepts the token another worker issued"
        assert release(second) == page_worker
    starts = [r for r in sagemaker.requests if r.operation == "StartNotebookInstance"]
    assert len(starts) == 3


def test_two_hundred_clicks_from_twenty_threads_under_gunicorn(
    sagemaker: LocalSageMaker, gunicorn: Gunicorn
) -> None:
    answers = click_in_threads(lambda: gunicorn.request("GET", "/notebook/demo-nb"))
    locations = [headers["Location"] for headers in answers]
    assert len(locations) == 200
    assert len(set(locations)) == 200, "every click got its own URL"
    assert set(locations) <= set(sagemaker.notebook_instance("demo-nb").issued_urls)
    assert len({headers["X-Worker-Pid"] for headers in answers}) == 2


# --- AWS Lambda, through apig-wsgi ---

FUNCTION_URL_HOST = "abcdefghijklmnopqrstuvwxyz012345.lambda-url.us-east-1.on.aws"
ALB_HOST = "portal.example.com"


def iam_caller(environ: Mapping[str, Any]) -> str | None:
    """A function URL with AuthType AWS_IAM: the caller's ARN, as Lambda reports it."""
    context: dict[str, Any] = environ.get("apig_wsgi.request_context") or {}
    iam: dict[str, Any] = context.get("authorizer", {}).get("iam", {})
    arn = iam.get("userArn")
    return arn.rpartition("/")[2] if isinstance(arn, str) else None


def alb_event(method: str, path: str, body: str = "", user: str = "alice") -> dict[str, Any]:
    return {
        "requestContext": {
            "elb": {
                "targetGroupArn": "arn:aws:elasticloadbalancing:us-east-1:123456789012:"
                "targetgroup/presign/0123456789abcdef"
            }
        },
        "httpMethod": method,
        "path": path,
        "queryStringParameters": {},
        "headers": {
            "host": ALB_HOST,
            "x-amzn-oidc-identity": user,
            "x-forwarded-for": "203.0.113.7",
            "x-forwarded-port": "443",
            "x-forwarded-proto": "https",
            "user-agent": "Mozilla/5.0",
            **({"content-type": "application/x-www-form-urlencoded"} if body else {}),
        },
        "body": body,
        "isBase64Encoded": False,
    }


def function_url_event(method: str, path: str, body: str = "") -> dict[str, Any]:
    return {
        "version": "2.0",
        "routeKey": "$default",
        "rawPath": path,
        "rawQueryString": "",
        "headers": {
            "host": FUNCTION_URL_HOST,
            "x-forwarded-proto": "https",
            "x-forwarded-port": "443",
            "x-forwarded-for": "203.0.113.7",
            **({"content-type": "application/x-www-form-urlencoded"} if body else {}),
        },
        "requestContext": {
            "accountId": "123456789012",
            "apiId": FUNCTION_URL_HOST.split(".", maxsplit=1)[0],
            "authorizer": {
                "iam": {
                    "accessKey": "AKIA...",
                    "accountId": "123456789012",
                    "callerId": "AIDA...",
                    "userArn": "arn:aws:iam::123456789012:user/alice",
                    "userId": "AIDA...",
                }
            },
            "domainName": FUNCTION_URL_HOST,
            "domainPrefix": FUNCTION_URL_HOST.split(".", maxsplit=1)[0],
            "http": {
                "method": method,
                "path": path,
                "protocol": "HTTP/1.1",
                "sourceIp": "203.0.113.7",
                "userAgent": "Mozilla/5.0",
            },
            "requestId": "c6af9ac6-7b61-11e6-9a41-93e8deadbeef",
            "routeKey": "$default",
            "stage": "$default",
            "time": "04/Dec/2026:15:30:00 +0000",
            "timeEpoch": int(time.time() * 1000),
        },
        "body": base64.b64encode(body.encode()).decode(),
        "isBase64Encoded": True,
    }


def header(answer: dict[str, Any], name: str) -> str:
    """A header of a Lambda answer (payload v2 writes names in lower case)."""
    headers = {key.lower(): value for key, value in answer["headers"].items()}
    return str(headers[name.lower()])


def body_of(answer: dict[str, Any]) -> str:
    raw = answer.get("body", "")
    return base64.b64decode(raw).decode() if answer.get("isBase64Encoded") else str(raw)


def test_behind_an_alb(sagemaker: LocalSageMaker, client: PresignClient) -> None:
    sagemaker.add_notebook_instance("stopped-nb", status="Stopped")
    identity = trusted_header("x-amzn-oidc-identity")
    handler = make_lambda_handler(
        create_app(
            client,
            authorize=allow_users(identity, ["alice"]),
            identity=identity,
            allowed_hosts=[ALB_HOST],
            secret=SECRET,
        )
    )
    answer = handler(alb_event("GET", "/notebook/demo-nb"), None)
    assert answer["statusCode"] == 303
    assert header(answer, "Location") == sagemaker.notebook_instance("demo-nb").issued_urls[-1]
    assert header(answer, "Cache-Control") == "no-store"
    assert handler(alb_event("GET", "/notebook/demo-nb", user="bob"), None)["statusCode"] == 403
    page = body_of(handler(alb_event("GET", "/notebook/stopped-nb"), None))
    form = urlencode({"csrf": csrf_of(page)})
    started = handler(alb_event("POST", "/notebook/stopped-nb", form), None)
    assert started["statusCode"] == 303
    assert header(started, "Location") == "/notebook/stopped-nb"
    assert [r.operation for r in sagemaker.requests].count("StartNotebookInstance") == 1
    forged = {**alb_event("GET", "/notebook/demo-nb"), "headers": {"host": "evil.example"}}
    assert handler(forged, None)["statusCode"] == 421


def test_behind_a_function_url(sagemaker: LocalSageMaker, client: PresignClient) -> None:
    sagemaker.add_notebook_instance("stopped-nb", status="Stopped")
    handler = make_lambda_handler(
        create_app(
            client,
            authorize=allow_users(iam_caller, ["alice"]),
            identity=iam_caller,
            allowed_hosts=[FUNCTION_URL_HOST],
            secret=SECRET,
        )
    )
    answer = handler(function_url_event("GET", "/notebook/demo-nb"), None)
    assert answer["statusCode"] == 303
    assert header(answer, "Location") == sagemaker.notebook_instance("demo-nb").issued_urls[-1]
    page = body_of(handler(function_url_event("GET", "/notebook/stopped-nb"), None))
    form = urlencode({"csrf": csrf_of(page)})
    started = handler(function_url_event("POST", "/notebook/stopped-nb", form), None)
    assert started["statusCode"] == 303
    anonymous = function_url_event("GET", "/notebook/demo-nb")
    del anonymous["requestContext"]["authorizer"]
    assert handler(anonymous, None)["statusCode"] == 403
