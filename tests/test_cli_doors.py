"""The command over every door: a pick never hands out a URL for a stopped resource, Ctrl-C is
one clean line, the exit codes are listed once, every listable door is listed, and the
stand-in's own command line holds every door."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

import pytest

from sagemaker_presign import AppSummary, AsyncPresignClient, PresignClient
from sagemaker_presign.testing import LocalSageMaker

from .support import needs
from .test_cli_newcomer import run
from .test_discovery import drain, in_a_terminal

APPS = needs("ListMlflowApps", "ListPartnerApps", "CreatePresignedMlflowTrackingServerUrl")

# The --local picker's list, newest first: old-experiment (Failed), gpu-box (Pending),
# training-prep (Stopped), analysis (InService).


def test_a_picked_stopped_instance_is_exit_7_with_the_hint_not_a_url() -> None:
    status, stdout, shown = in_a_terminal(["--local"], b"3\n")
    assert status == 7, shown
    assert stdout == ""
    assert "training-prep" in shown
    assert "--start" in shown, "the hint says how to start it"


def test_a_picked_failed_instance_is_exit_8() -> None:
    status, stdout, shown = in_a_terminal(["--local"], b"1\n")
    assert status == 8, shown
    assert stdout == ""
    assert "notebook instance 'old-experiment' is Failed" in shown


def test_a_picked_stopped_instance_is_started_under_start() -> None:
    status, stdout, shown = in_a_terminal(["--local", "--start"], b"training-prep\n")
    assert status == 0, shown
    assert stdout.startswith("https://training-prep.notebook.us-east-1.sagemaker.aws?authToken=")
    # The progress line names what was picked, not an empty name.
    assert "training-prep: Stopped" in shown


def test_the_picker_takes_a_name_too() -> None:
    status, stdout, shown = in_a_terminal(["--local"], b"no-such\nanalysis\n")
    assert status == 0, shown
    assert "or a name from the list" in shown
    assert stdout.startswith("https://analysis.notebook.")


def test_ctrl_c_is_one_clean_line_on_a_terminal() -> None:
    """The terminal shows ^C where the cursor was: the message starts a line of its own."""
    import pty
    import select

    controller, terminal = pty.openpty()
    proc = subprocess.Popen(
        [sys.executable, "-m", "sagemaker_presign", "--local", "slow-nb", "--start"],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=terminal,
        env={**os.environ, "AWS_DEFAULT_REGION": "us-east-1"},
    )
    os.close(terminal)
    shown = b""
    try:
        deadline = time.monotonic() + 30
        while b"Stopped" not in shown and time.monotonic() < deadline:
            if select.select([controller], [], [], 0.5)[0]:
                shown += os.read(controller, 4096)
        proc.send_signal(signal.SIGINT)
        proc.communicate(timeout=30)
        shown += drain(controller, 0.5)
    finally:
        os.close(controller)
    assert proc.returncode == 130
    text = shown.decode(errors="replace")
    assert "\nsagemaker-presign: error: interrupted" in text.replace("\r\n", "\n"), text
    assert "Traceback" not in text


def test_the_exit_codes_are_listed_once_at_the_top() -> None:
    top = run("--help").stdout
    assert "exit codes: 0 ok" in top
    for door in ("notebook", "studio", "mlflow", "mlflow-app", "partner-app", "list", "serve"):
        helped = run(door, "--help").stdout
        assert "exit codes: 0 ok" not in helped, door
        assert "exit codes: see sagemaker-presign --help" in " ".join(helped.split()), door


@APPS
def test_list_covers_the_apps(sagemaker: LocalSageMaker, client: PresignClient) -> None:
    mlflow_app = sagemaker.add_mlflow_app("tracking-app")
    partner_app = sagemaker.add_partner_app("comet-app")
    [found] = list(client.list_mlflow_apps())
    assert found == AppSummary(
        mlflow_app.arn, "tracking-app", "Created", "MLflow 3.0", found.creation_time
    )
    assert [app.arn for app in client.list_partner_apps()] == [partner_app.arn]
    assert list(client.list_mlflow_apps(status="Deleting")) == []

    async def listed() -> list[AppSummary]:
        async with AsyncPresignClient.from_sync(client) as aclient:
            return await aclient.list_partner_apps()

    import asyncio

    assert [app.app_type for app in asyncio.run(listed())] == ["comet"]


@APPS
@pytest.mark.parametrize("door", ["mlflow-app", "partner-app"])
def test_list_apps_on_the_command_line(door: str) -> None:
    listed = run("list", door, "--local", "--json")
    assert listed.returncode == 0, listed.stderr
    rows = [json.loads(line) for line in listed.stdout.splitlines()]
    assert rows, "the demo holds an app of each kind"
    assert all(row["kind"] == door and row["arn"].startswith("arn:aws:sagemaker:") for row in rows)
    presigned = run(door, rows[0]["arn"], "--local")
    assert presigned.returncode == 0, presigned.stderr
    assert presigned.stdout.startswith("https://")


@APPS
def test_the_stand_in_command_holds_every_door(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "x")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "x")
    with subprocess.Popen(
        [
            *(sys.executable, "-m", "sagemaker_presign.testing"),
            *("--notebook", "nb", "--studio", "research/alice/team", "--mlflow", "tracks"),
            *("--mlflow-app", "app", "--partner-app", "comet", "--studio", "d-abc123/bob"),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    ) as proc:
        try:
            assert proc.stdout is not None
            assert proc.stderr is not None
            endpoint = proc.stdout.readline().strip()
            said = ""
            while "partner app" not in said:
                said += proc.stderr.readline()
            arns = {
                line.split()[0]: line.split()[-1]
                for line in said.splitlines()
                if " app arn:" in line
            }
            with PresignClient(region_name="us-east-1", endpoint_url=endpoint) as client:
                assert client.create_presigned_url("nb").url.startswith("https://nb.")
                domain = client.resolve_domain_id("research")
                studio = client.create_presigned_domain_url(domain, "alice", space_name="team")
                assert studio.url.startswith("https://")
                assert client.create_presigned_domain_url("d-abc123", "bob").url
                assert client.create_presigned_mlflow_tracking_server_url("tracks").url
                assert client.create_presigned_mlflow_app_url(arns["MLflow"]).url
                assert client.create_partner_app_presigned_url(arns["partner"]).url
        finally:
            proc.send_signal(signal.SIGINT)
            proc.communicate(timeout=30)


def test_the_stand_in_command_refuses_a_malformed_studio_spec() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "sagemaker_presign.testing", "--studio", "only-a-domain"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert proc.returncode == 2
    assert "DOMAIN/PROFILE[/SPACE][:STATUS]" in proc.stderr
