"""The CLI's --wait, --start and --open: progress on stderr, with and without a TTY, exit codes."""

from __future__ import annotations

import contextlib
import html
import os
import pty
import re
import signal
import stat
import subprocess
import sys
import time
from collections.abc import Generator
from pathlib import Path

import pytest

from sagemaker_presign.cli import ExitCode
from sagemaker_presign.testing import LocalSageMaker

from .support import NOTEBOOK
from .test_cli import SIGNED, against, assert_one_line_error, run


def test_local_start_shows_the_transitions() -> None:
    proc = run("--local", NOTEBOOK, "--start")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith(f"https://{NOTEBOOK}.notebook.us-east-1.sagemaker.aws?authToken=")
    assert proc.stdout.count("\n") == 1
    lines = proc.stderr.splitlines()
    assert [line.split("] ", 1)[1] for line in lines] == [
        f"{NOTEBOOK}: Stopped",
        f"{NOTEBOOK}: Pending",
        f"{NOTEBOOK}: InService",
    ]
    assert all(line.startswith("[") for line in lines)
    assert "\r" not in proc.stderr, "no terminal, no redrawing"


def test_json_mode_keeps_stderr_empty() -> None:
    proc = run("--local", NOTEBOOK, "--start", "--json")
    assert proc.returncode == 0
    assert proc.stderr == ""
    assert proc.stdout.startswith('{"url": ')


def test_progress_on_a_terminal_is_one_redrawn_line() -> None:
    controller, terminal = pty.openpty()
    try:
        proc = subprocess.Popen(
            [sys.executable, "-m", "sagemaker_presign", "--local", NOTEBOOK, "--start"],
            stdout=subprocess.PIPE,
            stderr=terminal,
            text=True,
        )
        os.close(terminal)
        stdout, _ = proc.communicate(timeout=60)
        chunks: list[bytes] = []
        while True:
            try:
                chunk = os.read(controller, 4096)
            except OSError:  # the terminal's other side closed
                break
            if not chunk:
                break
            chunks.append(chunk)
    finally:
        os.close(controller)
    screen = b"".join(chunks).decode()
    assert proc.returncode == 0
    assert stdout.startswith("https://")
    assert screen.count("\r") >= 3, "the line is redrawn in place"
    assert "\x1b[K" in screen
    assert any(spinner in screen for spinner in "|/-\\")
    assert f"{NOTEBOOK}: Stopped -> Pending -> InService" in screen
    assert screen.rstrip().count("\n") == 0, "one line, ended once at the end"


def test_wait_without_start_on_a_stopped_instance_exits_7(sagemaker: LocalSageMaker) -> None:
    sagemaker.add_notebook_instance(NOTEBOOK, status="Stopped")
    proc = against(sagemaker, NOTEBOOK, "--wait", "--json")
    assert_one_line_error(proc, ExitCode.NOT_IN_SERVICE, "is Stopped", "--start")
    assert [r.operation for r in sagemaker.requests] == ["DescribeNotebookInstance"]


def test_failed_instance_exits_8(sagemaker: LocalSageMaker) -> None:
    sagemaker.fail_notebook_instance(NOTEBOOK, "disk full")
    proc = against(sagemaker, NOTEBOOK, "--start", "--json")
    assert_one_line_error(proc, ExitCode.INSTANCE_FAILED, "disk full")


def test_timeout_exits_9(sagemaker: LocalSageMaker) -> None:
    sagemaker.script_statuses(NOTEBOOK, ["Pending"])
    proc = against(
        sagemaker, NOTEBOOK, "--wait", "--timeout", "1s", "--poll-interval", "1", "--json"
    )
    assert_one_line_error(proc, ExitCode.TIMED_OUT, "not InService within 0:00:01", "Pending")


def test_resource_limit_exits_5(sagemaker: LocalSageMaker) -> None:
    sagemaker.add_notebook_instance(NOTEBOOK, status="Stopped")
    sagemaker.fail_next("ResourceLimitExceeded", operation="StartNotebookInstance")
    assert_one_line_error(
        against(sagemaker, NOTEBOOK, "--start", "--json"), ExitCode.SERVICE, "quota"
    )


def test_wait_then_presign_against_an_endpoint(sagemaker: LocalSageMaker) -> None:
    sagemaker.add_notebook_instance(NOTEBOOK, status="Stopped")
    proc = against(sagemaker, NOTEBOOK, "--start", "--poll-interval", "1")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == sagemaker.notebook_instance(NOTEBOOK).issued_urls[-1] + "\n"
    operations = [r.operation for r in sagemaker.requests]
    assert operations[:2] == ["DescribeNotebookInstance", "StartNotebookInstance"]
    assert operations[-1] == "CreatePresignedNotebookInstanceUrl"


@contextlib.contextmanager
def ctrl_c_delivered() -> Generator[None, None, None]:
    """Children started meanwhile get Ctrl-C, even when this run ignores it (a test run
    started in the background by a shell does): an ignored signal stays ignored across exec,
    and Python then installs no KeyboardInterrupt handler. A handled one is reset to the
    default at exec, which Python turns into KeyboardInterrupt."""
    before = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, before)


def test_ctrl_c_while_waiting_exits_130(sagemaker: LocalSageMaker) -> None:
    sagemaker.script_statuses(NOTEBOOK, ["Pending"])
    with ctrl_c_delivered():
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "sagemaker_presign",
                "--region",
                "us-east-1",
                "--endpoint-url",
                sagemaker.endpoint_url,
                NOTEBOOK,
                "--wait",
                "--poll-interval",
                "30",
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env={**os.environ, **SIGNED},
        )
    assert proc.stderr is not None
    first = proc.stderr.readline()  # the first status: it is waiting now
    assert first.endswith(f"{NOTEBOOK}: Pending\n")
    time.sleep(0.2)
    proc.send_signal(signal.SIGINT)
    stdout, rest = proc.communicate(timeout=30)
    assert proc.returncode == ExitCode.INTERRUPTED
    assert stdout == ""
    assert rest == "sagemaker-presign: error: interrupted\n"


@pytest.fixture
def fake_browser(tmp_path: Path) -> tuple[dict[str, str], Path]:
    """A browser that notes the address it is given, and every process's command line at
    that moment (what any local user could read in /proc)."""
    opened = tmp_path / "opened"
    browser = tmp_path / "browser"
    browser.write_text(
        "#!/bin/sh\n"
        f'printf "%s\\n" "$1" >> "{opened}"\n'
        f'cat /proc/[0-9]*/cmdline 2>/dev/null | tr "\\000" " " >> "{opened}.argv"\n'
    )
    browser.chmod(0o755)
    return {"BROWSER": f"{browser} %s"}, opened


def followed(opened: Path) -> str:
    """The URL the page the browser was given redirects to; it checks the page is private."""
    [address] = opened.read_text().splitlines()
    assert address.startswith("file:///")
    page = Path(address.removeprefix("file://"))
    assert stat.S_IMODE(page.stat().st_mode) == 0o600
    found = re.search(r'content="0;url=([^"]+)"', page.read_text())
    assert found is not None
    return html.unescape(found.group(1))


def test_open_sends_the_url_to_the_browser(fake_browser: tuple[dict[str, str], Path]) -> None:
    env, opened = fake_browser
    proc = run("--local", NOTEBOOK, "--open", env=env)
    assert proc.returncode == 0, proc.stderr
    assert followed(opened) + "\n" == proc.stdout
    assert proc.stdout.startswith("https://")


def test_open_puts_no_token_on_any_command_line(fake_browser: tuple[dict[str, str], Path]) -> None:
    env, opened = fake_browser
    proc = run("--local", NOTEBOOK, "--open", "--quiet", env=env)
    assert proc.returncode == 0, proc.stderr
    token = followed(opened).partition("authToken=")[2]
    assert len(token) > 20
    command_lines = Path(f"{opened}.argv").read_text()
    assert "sagemaker-presign" in command_lines or "sagemaker_presign" in command_lines
    assert token not in command_lines


def test_open_quiet_prints_nothing(fake_browser: tuple[dict[str, str], Path]) -> None:
    env, opened = fake_browser
    proc = run("--local", NOTEBOOK, "--start", "--open", "--quiet", env=env)
    assert proc.returncode == 0, proc.stderr
    assert (proc.stdout, proc.stderr) == ("", "")
    assert followed(opened).startswith("https://")


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (["--timeout", "5m"], "--timeout only applies with --wait or --start"),
        (["--poll-interval", "5"], "--poll-interval only applies"),
        (["--wait", "--timeout", "0"], "--timeout must be more than 0"),
        (["--wait", "--timeout", "99999999999h"], "--timeout must be at most 7 days"),
        (["--wait", "--poll-interval", "9" * 5000], "far too long"),
        (["--quiet", "--json"], "contradict"),
    ],
)
def test_contradicting_flags_exit_2(args: list[str], fragment: str) -> None:
    proc = run("--local", NOTEBOOK, *args)
    assert proc.returncode == ExitCode.USAGE
    assert fragment in proc.stderr
    assert proc.stdout == ""


def test_the_browsers_chatter_stays_off_stdout(tmp_path: Path) -> None:
    opened = tmp_path / "opened"
    browser = tmp_path / "chatty-browser"
    browser.write_text(
        "#!/bin/sh\n"
        'echo "Opening in existing browser session."\n'
        f'printf "%s\\n" "$1" >> "{opened}"\n'
    )
    browser.chmod(0o755)
    proc = run("--local", NOTEBOOK, "--open", env={"BROWSER": f"{browser} %s"})
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.count("\n") == 1
    assert proc.stdout.startswith("https://")
    assert "Opening" not in proc.stdout + proc.stderr
    assert followed(opened) + "\n" == proc.stdout
