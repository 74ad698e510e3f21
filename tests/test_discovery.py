"""Finding what to open: listings through real botocore, domains by name, the list command,
the picker on a pseudo-terminal, --copy and terminal hyperlinks."""

from __future__ import annotations

import json
import os
import pty
import select
import subprocess
import sys
import time
from pathlib import Path

import pytest

from sagemaker_presign import (
    AccessDeniedError,
    AmbiguousNameError,
    AsyncPresignClient,
    MlflowTrackingServerStatus,
    NotebookInstanceStatus,
    PresignClient,
    ResourceNotFoundError,
    StudioStatus,
)
from sagemaker_presign.cli import ExitCode
from sagemaker_presign.testing import LocalSageMaker

from .test_doors import has


def space_details_report(member: str) -> bool:
    """Whether the installed botocore's ListSpaces answer has *member* (1.31 has neither the
    owner nor the app type: the parser drops what its model does not know)."""
    from botocore.loaders import create_loader

    shapes = create_loader().load_service_model("sagemaker", "service-2")["shapes"]
    return member in shapes["SpaceDetails"]["members"]


OWNERS = space_details_report("OwnershipSettingsSummary")
APP_TYPES = space_details_report("SpaceSettingsSummary")


def operations(sagemaker: LocalSageMaker) -> list[str]:
    return [request.operation for request in sagemaker.requests]


def test_every_page_of_notebook_instances(sagemaker: LocalSageMaker, client: PresignClient) -> None:
    for index in range(104):  # 105 with the fixture's: more than one page of 100
        sagemaker.add_notebook_instance(f"bulk-{index:03d}").creation_time = 1_700_000_000 + index
    listed = list(client.list_notebook_instances())
    assert len(listed) == 105
    assert operations(sagemaker) == ["ListNotebookInstances"] * 2
    assert "NextToken" in sagemaker.requests[1].body
    bulk = [nb.name for nb in listed if nb.name.startswith("bulk-")]
    assert bulk == sorted(bulk, reverse=True), "the service's order: newest first"
    first = next(nb for nb in listed if nb.name == "bulk-000")
    assert first.status is NotebookInstanceStatus.IN_SERVICE
    assert first.instance_type == "ml.t3.medium"
    assert first.url_host == "bulk-000.notebook.us-east-1.sagemaker.aws"
    assert first.creation_time is not None


def test_notebook_filters_and_empty_results(
    sagemaker: LocalSageMaker, client: PresignClient
) -> None:
    sagemaker.add_notebook_instance("stopped-one", status="Stopped")
    assert [nb.name for nb in client.list_notebook_instances(status="Stopped")] == ["stopped-one"]
    assert [nb.name for nb in client.list_notebook_instances(name_contains="stopped")] == [
        "stopped-one"
    ]
    assert list(client.list_notebook_instances(name_contains="nothing-like-it")) == []
    bodies = [request.body for request in sagemaker.requests]
    assert bodies[0]["StatusEquals"] == "Stopped"
    assert bodies[1]["NameContains"] == "stopped"


def test_studio_listings(sagemaker: LocalSageMaker, client: PresignClient) -> None:
    domain = sagemaker.add_domain(name="research").domain_id
    other = sagemaker.add_domain(name="prod").domain_id
    for index in range(103):
        sagemaker.add_user_profile(domain, f"user-{index:03d}")
    sagemaker.add_user_profile(other, "prod-user", status="Pending")
    sagemaker.add_space(domain, "shared")
    sagemaker.add_space(domain, "private", owner="user-001").app_type = "CodeEditor"
    assert {d.name for d in client.list_domains()} == {"research", "prod"}
    profiles = list(client.list_user_profiles(domain))
    assert len(profiles) == 103
    assert operations(sagemaker).count("ListUserProfiles") == 2
    assert [p.name for p in client.list_user_profiles(other)] == ["prod-user"]
    assert next(iter(client.list_user_profiles(other))).status is StudioStatus.PENDING
    assert len(list(client.list_user_profiles())) == 104
    spaces = {s.name: s for s in client.list_spaces(domain)}
    assert spaces["private"].owner == ("user-001" if OWNERS else None)
    assert spaces["private"].app_type == ("CodeEditor" if APP_TYPES else None)
    assert spaces["shared"].owner is None
    assert list(client.list_spaces(other)) == []


@pytest.mark.skipif(
    not has("ListMlflowTrackingServers"), reason="this botocore lacks MLflow tracking servers"
)
def test_mlflow_listing(sagemaker: LocalSageMaker, client: PresignClient) -> None:
    sagemaker.add_mlflow_tracking_server("running")
    sagemaker.add_mlflow_tracking_server("sleeping", status="Stopped")
    assert {s.name for s in client.list_mlflow_tracking_servers()} == {"running", "sleeping"}
    [stopped] = client.list_mlflow_tracking_servers(status="Stopped")
    assert stopped.status is MlflowTrackingServerStatus.STOPPED
    assert sagemaker.requests[-1].body["TrackingServerStatus"] == "Stopped"


def test_a_domain_by_name(sagemaker: LocalSageMaker, client: PresignClient) -> None:
    unique = sagemaker.add_domain(name="prod").domain_id
    twins = sorted(sagemaker.add_domain(name="research").domain_id for _ in range(2))
    assert client.resolve_domain_id("prod") == unique
    with pytest.raises(AmbiguousNameError) as caught:
        client.resolve_domain_id("research")
    for domain_id in twins:
        assert domain_id in str(caught.value)
    with pytest.raises(ResourceNotFoundError, match="no Studio domain is named 'nope'"):
        client.resolve_domain_id("nope")
    sagemaker.clear_requests()
    assert client.resolve_domain_id("d-anything123") == "d-anything123"
    assert sagemaker.requests == [], "an ID is used as it is"


def test_a_denied_listing_names_the_permission(
    sagemaker: LocalSageMaker, client: PresignClient
) -> None:
    sagemaker.fail_next("AccessDeniedException", operation="ListNotebookInstances")
    with pytest.raises(AccessDeniedError, match="sagemaker:ListNotebookInstances"):
        list(client.list_notebook_instances())


@pytest.mark.anyio
async def test_async_listings(sagemaker: LocalSageMaker, client: PresignClient) -> None:
    domain = sagemaker.add_domain(name="research").domain_id
    sagemaker.add_user_profile(domain, "alice")
    aclient = AsyncPresignClient.from_sync(client)
    assert [nb.name for nb in await aclient.list_notebook_instances()] == ["demo-nb"]
    assert [d.domain_id for d in await aclient.list_domains()] == [domain]
    assert [p.name for p in await aclient.list_user_profiles(domain)] == ["alice"]
    assert await aclient.list_spaces(domain) == []
    assert await aclient.resolve_domain_id("research") == domain


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


# --- the command ----------------------------------------------------------------------------


def cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "sagemaker_presign", *args],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        stdin=subprocess.DEVNULL,
        env={**os.environ, **(env or {})},
    )


def test_list_prints_a_table() -> None:
    proc = cli("list", "--local")
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert lines[0].split() == ["NAME", "STATUS", "TYPE", "AGE"]
    assert {line.split()[0] for line in lines[1:]} == {
        "analysis",
        "training-prep",
        "gpu-box",
        "old-experiment",
    }


def test_list_studio_as_json_lines() -> None:
    proc = cli("list", "studio", "--local", "--json")
    assert proc.returncode == 0, proc.stderr
    rows = [json.loads(line) for line in proc.stdout.splitlines()]
    assert [row["kind"] for row in rows] == [
        "domain",
        "user-profile",
        "user-profile",
        "space",
        "space",
    ]
    private = next(row for row in rows if row["name"] == "alice-scratch")
    assert private["owner"] == ("alice" if OWNERS else None)
    assert private["type"] == ("CodeEditor" if APP_TYPES else None)


@pytest.mark.parametrize(
    ("args", "names"),
    [
        (["--status", "Stopped"], ["training-prep"]),
        (["--name-contains", "exp"], ["old-experiment"]),
        (["--name-contains", "nothing"], []),
    ],
)
def test_list_filters_and_empty_is_exit_0(args: list[str], names: list[str]) -> None:
    proc = cli("list", "--local", "--json", *args)
    assert proc.returncode == 0, proc.stderr
    assert [json.loads(line)["name"] for line in proc.stdout.splitlines()] == names


def test_without_a_terminal_a_left_out_name_is_a_usage_error() -> None:
    proc = cli("--local")
    assert proc.returncode == ExitCode.USAGE
    assert "the following arguments are required: NAME" in proc.stderr
    for args in (["--user-profile", "alice", "--space"], []):
        studio = cli("studio", "--domain", "research", "--local", *args)
        assert studio.returncode == ExitCode.USAGE, studio.stderr
        assert "no terminal to ask on" in studio.stderr


def in_a_terminal(
    args: list[str], answer: bytes, env: dict[str, str] | None = None
) -> tuple[int, str, str]:
    """Run the command with stdin and stderr on a pseudo-terminal, type *answer* at the
    prompt; return the status, stdout and what the terminal showed."""
    controller, terminal = pty.openpty()
    proc = subprocess.Popen(
        [sys.executable, "-m", "sagemaker_presign", *args],
        stdin=terminal,
        stdout=subprocess.PIPE,
        stderr=terminal,
        env={**os.environ, **(env or {})},
    )
    os.close(terminal)
    shown = b""
    deadline = time.monotonic() + 60
    try:
        while b"? [" not in shown and time.monotonic() < deadline:
            ready, _, _ = select.select([controller], [], [], 1)
            if ready:
                try:
                    shown += os.read(controller, 4096)
                except OSError:  # the command ended without asking
                    break
        os.write(controller, answer)
        stdout, _ = proc.communicate(timeout=60)
        shown += drain(controller)
    finally:
        os.close(controller)
    return proc.returncode, stdout.decode(), shown.decode(errors="replace")


def drain(controller: int, wait: float = 0.2) -> bytes:
    """What is left to read on a pseudo-terminal's controller side once the command ended."""
    shown = b""
    while select.select([controller], [], [], wait)[0]:
        try:
            chunk = os.read(controller, 4096)
        except OSError:
            break
        if not chunk:
            break
        shown += chunk
    return shown


def test_the_picker_on_a_terminal() -> None:
    status, stdout, shown = in_a_terminal(["--local"], b"5\n2\n")
    assert "Which notebook instance? [1-4]" in shown
    assert "type a number from 1 to 4" in shown, "5 is refused and asked again"
    assert status == 0, shown
    # The list is the service's order (newest first): the second is gpu-box.
    assert "  2) gpu-box  (Pending, ml.t3.medium)" in shown
    assert stdout.startswith("https://gpu-box.notebook.us-east-1.sagemaker.aws?authToken=")


def test_picking_a_user_profile_and_a_space_on_a_terminal() -> None:
    status, stdout, shown = in_a_terminal(
        ["studio", "--domain", "research", "--local", "--json"], b"2\n"
    )
    assert status == 0, shown
    assert "Which user profile? [1-2]" in shown
    chosen = json.loads(stdout)["user_profile_name"]
    assert chosen in ("alice", "bob")
    assert f"  2) {chosen}  (InService)" in shown
    status, stdout, shown = in_a_terminal(
        [
            *("studio", "--domain", "research", "--user-profile", "alice"),
            *("--space", "--local", "--json"),
        ],
        b"1\n",
    )
    assert status == 0, shown
    assert "Which space?" in shown
    assert json.loads(stdout)["space_name"] in ("team-space", "scratch")


def test_copy_feeds_the_clipboard_tool_on_stdin(tmp_path: Path) -> None:
    tool = tmp_path / "xclip"
    tool.write_text(f'#!/bin/sh\nprintf "%s " "$@" > "{tmp_path}/argv"\ncat > "{tmp_path}/stdin"\n')
    tool.chmod(0o755)
    proc = cli("--local", "demo-nb", "--copy", env={"PATH": f"{tmp_path}:{os.environ['PATH']}"})
    assert proc.returncode == 0, proc.stderr
    url = proc.stdout.strip()
    assert (tmp_path / "stdin").read_text() == url
    argv = (tmp_path / "argv").read_text()
    assert argv.strip() == "-selection clipboard"
    assert "authToken" not in argv


def test_copy_without_a_tool_says_so(tmp_path: Path) -> None:
    proc = cli(
        "--local",
        "demo-nb",
        "--copy",
        env={"PATH": str(tmp_path)},  # no clipboard tool at all (python is run by path)
    )
    assert proc.returncode == 0, proc.stderr
    assert "no clipboard tool found" in proc.stderr
    assert proc.stdout.startswith("https://")


def test_hyperlinks_on_a_terminal_only() -> None:
    controller, terminal = pty.openpty()
    proc = subprocess.Popen(
        [sys.executable, "-m", "sagemaker_presign", "--local", "demo-nb"],
        stdout=terminal,
        stderr=subprocess.PIPE,
        env={**os.environ, "FORCE_HYPERLINK": "1"},
    )
    os.close(terminal)
    proc.communicate(timeout=60)
    shown = b""
    while select.select([controller], [], [], 0.2)[0]:
        try:
            chunk = os.read(controller, 4096)
        except OSError:
            break
        if not chunk:
            break
        shown += chunk
    os.close(controller)
    assert shown.startswith(b"\x1b]8;;https://demo-nb.notebook."), shown[:40]
    # A pipe gets the bare URL, whatever the environment says.
    piped = cli("--local", "demo-nb", env={"FORCE_HYPERLINK": "1"})
    assert piped.stdout.startswith("https://")
    assert "\x1b" not in piped.stdout
