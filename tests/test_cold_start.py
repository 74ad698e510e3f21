"""The cold-start shortcuts, as structural facts (never timings): the console script runs with
the cyclic GC off and leaves with ``os._exit`` after flushing, keeping every exit status; and
nothing of botocore's or the standard library's is replaced in the application's process."""

from __future__ import annotations

import gc
import json
import os
import subprocess
import sys
import textwrap
from collections.abc import Callable

import pytest

from sagemaker_presign.cli import ExitCode
from sagemaker_presign.cli import _entry as _cli_entry
from sagemaker_presign.testing import DUMMY_ACCESS_KEY_ID, DUMMY_SECRET_ACCESS_KEY, LocalSageMaker

from .support import NOTEBOOK

SIGNED = {
    "AWS_ACCESS_KEY_ID": DUMMY_ACCESS_KEY_ID,
    "AWS_SECRET_ACCESS_KEY": DUMMY_SECRET_ACCESS_KEY,
    "AWS_MAX_ATTEMPTS": "1",
    "AWS_DEFAULT_REGION": "us-east-1",
}


def python(code: str, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code), *args],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, **SIGNED, **env},
        check=False,
    )


# -- the console script's entry: GC off, flush, os._exit with the right status ----------------


class Exited(Exception):
    def __init__(self, code: int) -> None:
        super().__init__(code)
        self.code = code


@pytest.fixture
def no_exit(monkeypatch: pytest.MonkeyPatch) -> None:
    def fake_exit(code: int) -> None:
        raise Exited(code)

    monkeypatch.setattr(os, "_exit", fake_exit)
    monkeypatch.setitem(_cli_entry.gc_state, "paused", False)


def run_entry(monkeypatch: pytest.MonkeyPatch, command: Callable[[], int]) -> int:
    """The status `run` leaves with when the command is *command* (os._exit faked)."""
    monkeypatch.setattr(_cli_entry, "_main", command)
    try:
        with pytest.raises(Exited) as exited:
            _cli_entry.run()
    finally:
        gc.enable()
    return exited.value.code


def test_the_entry_runs_the_command_with_the_gc_off_and_exits_with_its_status(
    monkeypatch: pytest.MonkeyPatch, no_exit: None
) -> None:
    seen: list[bool] = []

    def command() -> int:
        seen.append(gc.isenabled())
        return ExitCode.NOT_FOUND

    assert run_entry(monkeypatch, command) == ExitCode.NOT_FOUND
    assert seen == [False]


@pytest.mark.parametrize(
    "case", [(SystemExit(2), 2, ""), (SystemExit(None), 0, ""), (SystemExit("bye"), 1, "bye\n")]
)
def test_system_exit_becomes_the_status_the_interpreter_would_give(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    no_exit: None,
    case: tuple[SystemExit, int, str],
) -> None:
    raised, status, stderr = case

    def command() -> int:
        raise raised

    assert run_entry(monkeypatch, command) == status
    assert capsys.readouterr().err == stderr


def test_turn_long_lived_only_undoes_what_run_did(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(_cli_entry.gc_state, "paused", False)
    gc.disable()
    try:
        _cli_entry.turn_long_lived()  # main() called from an application: its GC is its own
        assert not gc.isenabled()
    finally:
        gc.enable()


@pytest.mark.parametrize(
    "argv",
    [["--local", "demo-nb", "--quiet"], ["--local", "demo-nb", "--start", "--quiet"]],
    ids=["presign", "wait"],
)
def test_a_wait_turns_the_gc_back_on_a_plain_presign_does_not(
    monkeypatch: pytest.MonkeyPatch, argv: list[str]
) -> None:
    from sagemaker_presign.cli import main

    monkeypatch.setitem(_cli_entry.gc_state, "paused", True)  # as run() leaves it
    gc.disable()
    try:
        assert main(argv, long_lived=_cli_entry.turn_long_lived) == ExitCode.OK
        assert gc.isenabled() == ("--start" in argv)
    finally:
        gc.unfreeze()  # turn_long_lived froze this test process's objects
        gc.enable()


def test_the_console_script_points_at_the_entry() -> None:
    from importlib.metadata import entry_points

    [script] = [
        ep for ep in entry_points(group="console_scripts") if ep.name == "sagemaker-presign"
    ]
    assert script.value == "sagemaker_presign.cli._entry:run"


def entry(*args: str) -> subprocess.CompletedProcess[str]:
    # Buffered stdout, as a pipe gets it by default: only a flush before os._exit gets it out.
    env = {key: value for key, value in os.environ.items() if key != "PYTHONUNBUFFERED"}
    return subprocess.run(
        [sys.executable, "-m", "sagemaker_presign", *args],
        capture_output=True,
        text=True,
        timeout=60,
        env={**env, **SIGNED},
        check=False,
    )


def test_every_status_survives_os_exit(sagemaker: LocalSageMaker) -> None:
    endpoint = ("--endpoint-url", sagemaker.endpoint_url)
    ok = entry(NOTEBOOK, *endpoint)
    assert (ok.returncode, ok.stdout) == (
        0,
        sagemaker.notebook_instance(NOTEBOOK).issued_urls[-1] + "\n",
    )
    assert entry("no-such-notebook", *endpoint).returncode == ExitCode.NOT_FOUND
    usage = entry("bad_name!", *endpoint)
    assert usage.returncode == ExitCode.USAGE
    assert "Traceback" not in usage.stderr
    help_text = entry("--help")
    assert help_text.returncode == 0
    assert help_text.stdout.startswith("usage: sagemaker-presign")
    assert "partner-app" in help_text.stdout  # the whole text, flushed before os._exit


def test_buffered_output_is_flushed_before_the_process_ends(sagemaker: LocalSageMaker) -> None:
    names = [f"nb-{index:04d}" for index in range(400)]
    for name in names:
        sagemaker.add_notebook_instance(name)
    proc = entry("list", "notebook", "--json", "--endpoint-url", sagemaker.endpoint_url)
    assert proc.returncode == 0, proc.stderr
    assert len(proc.stdout) > 8192  # more than one buffer's worth: only a flush gets it all out
    listed = {json.loads(line)["name"] for line in proc.stdout.splitlines()}
    assert set(names) <= listed


def test_a_reader_gone_away_is_one_line_and_a_failure_status(sagemaker: LocalSageMaker) -> None:
    # ~200 KB of output, well over a pipe's 64 KiB buffer: the writer must meet the closed end
    # (with less, it could write everything before `head` leaves, and exit 0).
    for index in range(1500):
        sagemaker.add_notebook_instance(f"nb-{index:04d}")
    command = (
        f"{sys.executable} -m sagemaker_presign list notebook --json "
        f"--endpoint-url {sagemaker.endpoint_url} | head -c 10 >/dev/null; "
        'echo "status=${PIPESTATUS[0]}" >&2'
    )
    proc = subprocess.run(
        ["bash", "-c", command],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, **SIGNED},
        check=False,
    )
    assert "Traceback" not in proc.stderr
    assert "Exception ignored" not in proc.stderr
    assert proc.stderr.strip().endswith(f"status={ExitCode.FAILURE.value}")


# -- botocore as it is: nothing of botocore's, or of the standard library, replaced -------------

UNTOUCHED = """
    import sys
    from unittest import mock
    import jmespath
    from sagemaker_presign import PresignClient

    client = PresignClient(endpoint_url=sys.argv[1])
    url = client.create_presigned_url(sys.argv[2]).url
    import botocore.docs.utils, botocore.handlers, botocore.paginate
    compiled = []
    real_compile = jmespath.compile
    def compile_spy(expression, *args, **kwargs):
        compiled.append(expression)
        return real_compile(expression, *args, **kwargs)
    with mock.patch("jmespath.compile", compile_spy):
        pages = client.sagemaker_client.get_paginator("list_notebook_instances").paginate()
        listed = list(pages.search("NotebookInstances[].NotebookInstanceName"))
        waiter = client.sagemaker_client.get_waiter("notebook_instance_in_service")
        waiter.wait(NotebookInstanceName=sys.argv[2], WaiterConfig={"Delay": 0, "MaxAttempts": 1})
    def search_spy(*args, **kwargs):
        return None
    with mock.patch("jmespath.search", search_spy):
        # Every botocore module that holds jmespath (which ones varies by release) sees it.
        holders = [
            module for name, module in sorted(sys.modules.items())
            if name.startswith("botocore") and hasattr(module, "jmespath")
        ]
        search_seen = [bool(holders), all(m.jmespath.search is search_spy for m in holders)]
    print(repr({
        "url": url.startswith("https://"),
        "listed": listed,
        "compile_patch_used": len(compiled) >= 2,
        "search_patch_seen": search_seen,
        "jmespath_is_a_module": type(sys.modules["jmespath"]).__name__ == "module",
        "same_class": botocore.handlers.AutoPopulatedParam
        is botocore.docs.utils.AutoPopulatedParam,
        "stand_ins": sorted(
            name for name, module in sys.modules.items()
            if module is not None and type(module).__module__.startswith("sagemaker_presign")
        ),
    }))
"""


def test_the_application_sees_botocore_as_with_plain_boto3(sagemaker: LocalSageMaker) -> None:
    for prelude in ("", "import botocore.session\n"):
        proc = python(prelude + textwrap.dedent(UNTOUCHED), sagemaker.endpoint_url, NOTEBOOK)
        assert proc.returncode == 0, proc.stderr
        facts: dict[str, object] = eval(proc.stdout)  # a dict literal we printed ourselves
        assert facts == {
            "url": True,
            "listed": [NOTEBOOK],
            "compile_patch_used": True,  # a patch of jmespath reaches botocore's paginators
            "search_patch_seen": [True, True],  # mock.patch("jmespath.search"), as botocore sees it
            "jmespath_is_a_module": True,
            "same_class": True,
            "stand_ins": [],
        }
