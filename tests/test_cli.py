"""The command through a real subprocess: stdout, stderr and exit codes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import datetime, timedelta

import pytest

from sagemaker_presign.cli import ExitCode, parse_duration
from sagemaker_presign.testing import DUMMY_ACCESS_KEY_ID, DUMMY_SECRET_ACCESS_KEY, LocalSageMaker

from .support import NOTEBOOK


def run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "sagemaker_presign", *args],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, **(env or {})},
        check=False,
    )


SIGNED = {
    "AWS_ACCESS_KEY_ID": DUMMY_ACCESS_KEY_ID,
    "AWS_SECRET_ACCESS_KEY": DUMMY_SECRET_ACCESS_KEY,
    "AWS_MAX_ATTEMPTS": "1",
}


def against(sagemaker: LocalSageMaker, *args: str) -> subprocess.CompletedProcess[str]:
    return run("--region", "us-east-1", "--endpoint-url", sagemaker.endpoint_url, *args, env=SIGNED)


def assert_one_line_error(
    proc: subprocess.CompletedProcess[str], code: ExitCode, *fragments: str
) -> None:
    assert proc.returncode == code, proc.stderr
    assert proc.stdout == ""
    assert proc.stderr.startswith("sagemaker-presign: error: ")
    assert proc.stderr.count("\n") == 1
    assert proc.stderr.endswith("\n")
    assert "Traceback" not in proc.stderr
    for fragment in fragments:
        assert fragment in proc.stderr


def test_prints_only_the_url(sagemaker: LocalSageMaker) -> None:
    proc = against(sagemaker, NOTEBOOK)
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == ""
    assert proc.stdout == sagemaker.notebook_instance(NOTEBOOK).issued_urls[-1] + "\n"
    assert sagemaker.requests[0].body == {"NotebookInstanceName": NOTEBOOK}


def test_json_output(sagemaker: LocalSageMaker) -> None:
    proc = against(sagemaker, NOTEBOOK, "--json", "--duration", "90m")
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == ""
    assert proc.stdout.count("\n") == 1
    document = json.loads(proc.stdout)
    assert set(document) == {
        "url",
        "notebook_instance_name",
        "landing_path",
        "issued_at",
        "expires_at",
        "session_duration_seconds",
    }
    assert document["url"] == sagemaker.notebook_instance(NOTEBOOK).issued_urls[-1]
    assert document["notebook_instance_name"] == NOTEBOOK
    assert document["session_duration_seconds"] == 5400
    issued = datetime.fromisoformat(document["issued_at"])
    expires = datetime.fromisoformat(document["expires_at"])
    assert issued.utcoffset() == timedelta(0)
    assert expires - issued == timedelta(minutes=5)
    assert sagemaker.requests[0].body["SessionExpirationDurationInSeconds"] == 5400


def test_json_without_duration_is_null(sagemaker: LocalSageMaker) -> None:
    proc = against(sagemaker, NOTEBOOK, "--json")
    assert json.loads(proc.stdout)["session_duration_seconds"] is None


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (["--", "-bad-"], "start and end with a letter or digit"),
        (["a" * 64], "at most 63 characters"),
        ([NOTEBOOK, "--duration", "20m"], "from 1800 s"),
        ([NOTEBOOK, "--duration", "13h"], "from 1800 s"),
        ([NOTEBOOK, "--duration", "soon"], "invalid duration"),
        ([NOTEBOOK, "--no-such-flag"], "unrecognized arguments"),
        ([], "required: NAME"),
    ],
)
def test_invalid_arguments_exit_2_and_send_nothing(
    sagemaker: LocalSageMaker, args: list[str], fragment: str
) -> None:
    proc = against(sagemaker, *args)
    assert proc.returncode == ExitCode.USAGE
    assert proc.stdout == ""
    assert fragment in proc.stderr
    assert "Traceback" not in proc.stderr
    assert sagemaker.requests == []


def test_not_found_exits_3(sagemaker: LocalSageMaker) -> None:
    assert_one_line_error(
        against(sagemaker, "other-nb"), ExitCode.NOT_FOUND, "'other-nb' does not exist"
    )


def test_access_denied_exits_4(sagemaker: LocalSageMaker) -> None:
    sagemaker.fail_next("AccessDeniedException", message="not authorized")
    assert_one_line_error(against(sagemaker, NOTEBOOK), ExitCode.AUTH, "aws:SourceIp")


def test_no_credentials_exits_4(sagemaker: LocalSageMaker) -> None:
    proc = run(NOTEBOOK, "--region", "us-east-1", "--endpoint-url", sagemaker.endpoint_url)
    assert_one_line_error(proc, ExitCode.AUTH, "credentials")
    assert sagemaker.requests == []


@pytest.mark.parametrize(
    ("code", "status"), [("ThrottlingException", 400), ("InternalFailure", 500)]
)
def test_service_failures_exit_5(sagemaker: LocalSageMaker, code: str, status: int) -> None:
    sagemaker.fail_next(code, status=status, message="multi\nline\nmessage")
    assert_one_line_error(
        against(sagemaker, NOTEBOOK), ExitCode.SERVICE, code, "multi line message"
    )


def test_malformed_answer_exits_5(sagemaker: LocalSageMaker) -> None:
    sagemaker.respond_next(b"{}")
    assert_one_line_error(against(sagemaker, NOTEBOOK), ExitCode.SERVICE, "no AuthorizedUrl")


def test_unreachable_endpoint_exits_5() -> None:
    from .test_errors import closed_port

    proc = run(
        NOTEBOOK,
        "--region",
        "us-east-1",
        "--endpoint-url",
        f"http://127.0.0.1:{closed_port()}",
        env=SIGNED,
    )
    assert_one_line_error(proc, ExitCode.SERVICE, "could not talk to the SageMaker endpoint")


def test_no_region_exits_6() -> None:
    assert_one_line_error(run(NOTEBOOK, env=SIGNED), ExitCode.CONFIGURATION, "region")


def test_unknown_profile_exits_6() -> None:
    proc = run(NOTEBOOK, "--profile", "nobody", "--region", "us-east-1")
    assert_one_line_error(proc, ExitCode.CONFIGURATION, "nobody")


def test_local_demo_runs_offline() -> None:
    proc = run("--local", NOTEBOOK)
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == ""
    assert proc.stdout.startswith(f"https://{NOTEBOOK}.notebook.us-east-1.sagemaker.aws?authToken=")
    assert proc.stdout.count("\n") == 1


def test_local_demo_honours_region_and_json() -> None:
    proc = run("--local", NOTEBOOK, "--region", "eu-west-1", "--json", "--duration", "2h")
    document = json.loads(proc.stdout)
    assert document["url"].startswith(f"https://{NOTEBOOK}.notebook.eu-west-1.sagemaker.aws?")
    assert document["session_duration_seconds"] == 7200


def test_local_refuses_a_real_endpoint() -> None:
    proc = run("--local", NOTEBOOK, "--endpoint-url", "http://127.0.0.1:1")
    assert proc.returncode == ExitCode.USAGE
    assert "--local cannot be combined with --endpoint-url" in proc.stderr


def test_console_script_is_installed() -> None:
    script = os.path.join(os.path.dirname(sys.executable), "sagemaker-presign")
    proc = subprocess.run(
        [script, "--help"], capture_output=True, text=True, check=False, timeout=30
    )
    assert proc.returncode == 0
    assert "exit codes:" in proc.stdout


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("3600", 3600),
        ("90m", 5400),
        ("2h", 7200),
        ("1h30m", 5400),
        ("1800s", 1800),
        (" 12H ", 43200),
    ],
)
def test_parse_duration(text: str, seconds: int) -> None:
    assert parse_duration(text) == seconds


@pytest.mark.parametrize("text", ["", "h", "1.5h", "-3600", "2d", "m30"])
def test_parse_duration_rejects(text: str) -> None:
    import argparse

    with pytest.raises(argparse.ArgumentTypeError):
        parse_duration(text)


def test_a_reader_that_goes_away_is_not_a_traceback() -> None:
    proc = subprocess.Popen(
        [sys.executable, "-m", "sagemaker_presign", "--local", NOTEBOOK],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert proc.stdout is not None
    proc.stdout.close()  # like `| head -c 0`
    _, stderr = proc.communicate(timeout=60)
    assert proc.returncode == ExitCode.FAILURE
    assert b"Traceback" not in stderr
    assert b"BrokenPipe" not in stderr


def shell(command: str) -> subprocess.CompletedProcess[str]:
    """Run the command through sh, for redirections a subprocess argument list cannot make."""
    return subprocess.run(
        ["/bin/sh", "-c", f"{sys.executable} -m sagemaker_presign {command}"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


@pytest.mark.parametrize(
    ("redirection", "problem"),
    [(">&-", "stdout is closed"), (">/dev/full", "No space left on device")],
)
@pytest.mark.parametrize("extra", ["", "--json", "--start"])
def test_an_unwritable_stdout_is_one_line_not_a_traceback(
    redirection: str, problem: str, extra: str
) -> None:
    proc = shell(f"--local {NOTEBOOK} {extra} {redirection}")
    assert proc.returncode == ExitCode.FAILURE
    assert proc.stderr.endswith(
        f"sagemaker-presign: error: cannot write the URL to stdout: {problem}\n"
    )
    assert "Traceback" not in proc.stderr
    assert "Exception ignored" not in proc.stderr


def test_a_closed_stderr_too_is_only_a_status() -> None:
    proc = shell(f"--local {NOTEBOOK} >&- 2>&-")
    assert proc.returncode == ExitCode.FAILURE
    assert (proc.stdout, proc.stderr) == ("", "")


@pytest.mark.parametrize(
    "args", [["-bad-"], ["-bad-", "--json"], ["--json", "-bad-"], ["--", "-bad-"], ["-x"]]
)
def test_a_name_starting_with_a_hyphen_gets_the_name_rule(args: list[str]) -> None:
    proc = run(*args)
    assert proc.returncode == ExitCode.USAGE
    assert "must start and end with a letter or digit" in proc.stderr
    assert "required" not in proc.stderr
    assert proc.stdout == ""


def test_unknown_flags_are_still_argparse_errors() -> None:
    proc = run("--jsn", NOTEBOOK)
    assert proc.returncode == ExitCode.USAGE
    assert "unrecognized arguments: --jsn" in proc.stderr
    assert "the following arguments are required: NAME" in run().stderr


def test_version() -> None:
    from sagemaker_presign import __version__

    proc = run("--version")
    assert proc.returncode == 0
    assert proc.stdout == f"sagemaker-presign {__version__}\n"


@pytest.mark.parametrize(("flag", "botocore_too"), [("-v", False), ("-vv", True)])
def test_verbose_logs_on_stderr_without_secrets(flag: str, botocore_too: bool) -> None:
    proc = run("--local", NOTEBOOK, flag)
    assert proc.returncode == 0, proc.stderr
    token = proc.stdout.strip().partition("authToken=")[2]
    assert len(token) > 20
    assert "sagemaker_presign: DEBUG: presigned URL issued" in proc.stderr
    assert ("botocore.parsers: DEBUG: Response body" in proc.stderr) is botocore_too
    assert token not in proc.stderr
    assert "Signature=" not in proc.stderr.replace("Signature=***", "")
