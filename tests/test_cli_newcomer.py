"""The CLI and the stand-in as a newcomer meets them: one-line usage errors, help that says what
is true, Studio profiles that become ready, a stand-in that stops and restarts cleanly."""

from __future__ import annotations

import http.client
import os
import socket
import subprocess
import sys

import pytest

from sagemaker_presign import PresignClient
from sagemaker_presign.testing import LocalSageMaker


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "sagemaker_presign", *args],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "AWS_DEFAULT_REGION": "us-east-1"},
        check=False,
    )


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (["demo-nb", "--duration", "abc"], "invalid duration"),
        (["studio", "--user-profile", "alice"], "--domain"),
        (["demo-nb", "--bogus"], "unrecognized arguments: --bogus"),
        (["mlflow"], "NAME"),
        (["list", "nothing"], "invalid choice"),
        (["serve", "--port", "x"], "invalid int value"),
    ],
)
def test_a_usage_error_is_one_line(args: list[str], fragment: str) -> None:
    done = run(*args)
    assert done.returncode == 2
    lines = done.stderr.splitlines()
    assert len(lines) == 1, done.stderr
    assert lines[0].startswith("sagemaker-presign")
    assert ": error: " in lines[0]
    assert fragment in lines[0]
    assert "--help" in lines[0]
    assert done.stdout == ""


def test_serve_help_offers_no_json_and_list_help_says_what_json_prints() -> None:
    serve = run("serve", "--help")
    assert serve.returncode == 0
    assert "--json" not in serve.stdout
    listing = run("list", "--help")
    assert "--json" in listing.stdout
    assert "kind, name, status" in " ".join(listing.stdout.split())
    done = run("serve", "--json", "--trust-header", "X")
    assert done.returncode == 2
    assert "unrecognized arguments: --json" in done.stderr


def test_a_pending_user_profile_becomes_ready(
    sagemaker: LocalSageMaker, client: PresignClient
) -> None:
    domain = sagemaker.add_domain().domain_id
    sagemaker.add_user_profile(domain, "newbie", status="Pending")
    sagemaker.add_space(domain, "fresh", status="Pending")
    status = client.wait_until_studio_ready(domain, "newbie", space_name="fresh", timeout=30)
    assert status == "InService"
    describes = [r.operation for r in sagemaker.requests if r.operation.startswith("Describe")]
    assert 2 < len(describes) < 20, "it moved after a few polls, as notebook instances do"


def test_stop_closes_kept_alive_connections() -> None:
    sagemaker = LocalSageMaker().start()
    host, port = sagemaker.endpoint_url.removeprefix("http://").split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=10)
    connection.request("POST", "/", body=b"{}", headers={"X-Amz-Target": "SageMaker.Nothing"})
    assert connection.getresponse().read()  # the connection stays open (keep-alive)
    sagemaker.stop()
    assert connection.sock is not None
    connection.sock.settimeout(5)
    assert connection.sock.recv(1) == b"", "the server closed it"
    connection.close()


def test_a_restart_on_the_same_port_works() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    first = LocalSageMaker(port=port).start()
    client = first.client()
    first.add_notebook_instance("nb")
    client.create_presigned_url("nb")  # a kept-alive connection...
    first.stop()  # ...that the server hangs up on first: its port is left in TIME_WAIT
    client.close()
    second = LocalSageMaker(port=port).start()
    try:
        assert second.endpoint_url.endswith(f":{port}")
    finally:
        second.stop()
