"""``sagemaker-presign serve`` as an operator meets it: its flags for per-resource policy, what
it prints, its errors, each run as a real process against its own ``--local`` stand-in."""

from __future__ import annotations

import http.client
import json
import os
import re
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from .test_doors import has

ALICE = {"X-Forwarded-User": "alice"}


class Served:
    """A ``serve --local`` process; its port read from what it prints."""

    def __init__(self, *flags: str, env: dict[str, str] | None = None) -> None:
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "sagemaker_presign",
                "serve",
                "--local",
                "--port",
                "0",
                "--trust-header",
                "X-Forwarded-User",
                *flags,
            ],
            stderr=subprocess.PIPE,
            stdin=subprocess.DEVNULL,
            text=True,
            env={**os.environ, **(env or {})},
        )
        assert self.process.stderr is not None
        self.said: list[str] = []
        for line in self.process.stderr:
            self.said.append(line)
            if line.startswith("serving on"):  # after the routes, the last line it prints
                break
        match = re.search(r"serving on http://127\.0\.0\.1:(\d+)", "".join(self.said))
        assert match is not None, self.said
        self.port = int(match.group(1))

    def get(self, path: str, headers: dict[str, str] | None = None) -> int:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        try:
            connection.request("GET", path, headers=headers or {})
            return connection.getresponse().status
        finally:
            connection.close()

    def stop(self) -> str:
        """Stop it; everything else it wrote to stderr."""
        self.process.terminate()
        _, rest = self.process.communicate(timeout=30)
        return rest


@pytest.fixture
def served() -> Iterator[list[Served]]:
    running: list[Served] = []
    yield running
    for server in running:
        if server.process.poll() is None:
            server.stop()


def test_local_says_what_it_serves_and_warns_without_a_resource_policy(
    served: list[Served],
) -> None:
    server = Served()
    served.append(server)
    said = "".join(server.said)
    assert "warning: no --owner-tag or --policy" in said
    assert "/notebook/analysis  (InService)" in said
    domain = re.search(r"/studio/(d-[a-z0-9]+)/alice  \(domain research", said)
    assert domain is not None, said
    assert server.get(f"/studio/{domain.group(1)}/alice", ALICE) == 303
    assert server.get("/studio/research/alice", ALICE) == 303, "the domain by name"


def test_studio_profile_from_identity(served: list[Served]) -> None:
    server = Served("--studio-profile-from-identity")
    served.append(server)
    assert server.get("/studio/research/alice", ALICE) == 303
    assert server.get("/studio/research", ALICE) == 303
    assert server.get("/studio/research/bob", ALICE) == 403
    assert server.get("/studio/research/bob", {"X-Forwarded-User": "bob"}) == 200  # Pending


def test_studio_profile_map(served: list[Served], tmp_path: Path) -> None:
    mapping = tmp_path / "profiles.json"
    mapping.write_text(json.dumps({"carol": "alice"}))
    server = Served("--studio-profile-map", str(mapping))
    served.append(server)
    carol = {"X-Forwarded-User": "carol"}
    assert server.get("/studio/research", carol) == 303
    assert server.get("/studio/research/bob", carol) == 403
    assert server.get("/studio/research/alice", ALICE) == 403, "alice is not mapped"


def test_policy_file(served: list[Served], tmp_path: Path) -> None:
    policy = tmp_path / "policy.json"
    policy.write_text(json.dumps({"alice": ["notebook:analysis"], "group:ml": ["mlflow:*"]}))
    server = Served("--policy", str(policy), "--groups-header", "X-Groups")
    served.append(server)
    assert "warning: no --owner-tag" not in "".join(server.said)
    assert server.get("/notebook/analysis", ALICE) == 303
    assert server.get("/notebook/training-prep", ALICE) == 403
    if has("CreatePresignedMlflowTrackingServerUrl"):
        assert server.get("/mlflow/experiments", ALICE) == 403
        assert server.get("/mlflow/experiments", {**ALICE, "X-Groups": "web, ml"}) == 303
    assert server.get("/notebook/analysis", {"X-Forwarded-User": "bob"}) == 403


def test_owner_tag_denies_untagged_resources(served: list[Served]) -> None:
    server = Served("--owner-tag", "owner")
    served.append(server)
    assert server.get("/notebook/analysis", ALICE) == 403


def test_allow_and_a_policy_both_apply(served: list[Served], tmp_path: Path) -> None:
    policy = tmp_path / "policy.json"
    policy.write_text(json.dumps({"*": ["notebook:*"]}))
    server = Served("--policy", str(policy), "--allow", "alice")
    served.append(server)
    assert server.get("/notebook/analysis", ALICE) == 303
    assert server.get("/notebook/analysis", {"X-Forwarded-User": "bob"}) == 403


def test_verbose_prints_each_request_once(served: list[Served]) -> None:
    server = Served("-v")
    served.append(server)
    assert server.get("/notebook/analysis", ALICE) == 303
    assert server.get("/favicon.ico", ALICE) == 204
    rest = server.stop()
    lines = [line for line in rest.splitlines() if "GET /notebook/analysis" in line]
    assert len(lines) == 1, rest
    assert "favicon" not in rest


def run_serve(*flags: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "sagemaker_presign", "serve", "--local", *flags],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        env={**os.environ, **(env or {})},
    )


def test_a_busy_port_is_one_line_naming_it() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        done = run_serve("--trust-header", "X-Forwarded-User", "--port", str(port))
    assert done.returncode == 6
    errors = [line for line in done.stderr.splitlines() if "error" in line]
    assert errors == [
        f"sagemaker-presign: error: cannot listen on 127.0.0.1:{port}: the port is in use"
    ]
    assert "Traceback" not in done.stderr


@pytest.mark.parametrize(
    ("flags", "env", "message"),
    [
        (["--policy", "/no/such/file.json"], {}, "--policy: cannot read /no/such/file.json"),
        (["--policy", "{bad}"], {}, "--policy: cannot read"),
        ([], {"SAGEMAKER_PRESIGN_WEB_SECRET": "short"}, "at least 16 bytes"),
    ],
)
def test_bad_settings_are_usage_errors(
    flags: list[str], env: dict[str, str], message: str, tmp_path: Path
) -> None:
    done = run_serve("--trust-header", "X-Forwarded-User", *flags, env=env)
    assert done.returncode == 2
    assert message in done.stderr
    assert "Traceback" not in done.stderr


def test_a_policy_with_a_bad_pattern_is_a_usage_error(tmp_path: Path) -> None:
    policy = tmp_path / "policy.json"
    for content, message in (
        ({"alice": ["alice-*"]}, "must start with one of notebook, studio, mlflow"),
        ({"alice": "notebook:*"}, "must be a list of patterns"),
        (["notebook:*"], "must hold an object"),
    ):
        policy.write_text(json.dumps(content))
        done = run_serve("--trust-header", "X-Forwarded-User", "--policy", str(policy))
        assert done.returncode == 2
        assert message in done.stderr
