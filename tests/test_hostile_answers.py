"""What the service, or something pretending to be it, answers: nothing gets past unchecked."""

from __future__ import annotations

import json
import subprocess
import sys
import traceback

import pytest

from sagemaker_presign import (
    NotebookInstanceNotFoundError,
    PresignClient,
    ServiceError,
    UnexpectedResponseError,
)
from sagemaker_presign.cli import ExitCode
from sagemaker_presign.testing import DUMMY_ACCESS_KEY_ID, DUMMY_SECRET_ACCESS_KEY, LocalSageMaker

from .support import NOTEBOOK

TOKEN = "hostileTOKEN0123456789abcdef"


def answer_url(sagemaker: LocalSageMaker, url: str) -> None:
    sagemaker.respond_next(json.dumps({"AuthorizedUrl": url}).encode())


@pytest.mark.parametrize(
    ("url", "problem"),
    [
        (
            f"https://demo-nb.notebook.us-east-1.sagemaker.aws@evil.example/?authToken={TOKEN}",
            "user info before its host",
        ),
        (f"https://demo-nb.notebook.us-east-1.sagemaker.aws?authToken={TOKEN}\r\nX", "'\\r'"),
        (f"https://demo-nb.notebook.us-east-1.sagemaker.aws?authToken={TOKEN}\nX", "'\\n'"),
        (f"https://demo-nb.notebook.us-east-1.sagemaker.aws?authToken={TOKEN}\x1b[2J", "'\\x1b'"),
        (f"https://demo-nb.notebook.us-east-1.sagemaker.aws?a={TOKEN}&b=c d", "' '"),
        (f"https://demo-nb.notebook.us-east-1.sagemaker.aws?authToken={TOKEN}\u202e", "u202e"),
        (f"https://demo\tnb.notebook.us-east-1.sagemaker.aws?authToken={TOKEN}", "'\\t'"),
        (f"https://?authToken={TOKEN}", "without a host"),
        (f"https://:443/?authToken={TOKEN}", "without a host"),
        (f"https://evil.example\\.sagemaker.aws/?authToken={TOKEN}", "host or port is malformed"),
        (f"https://demo-nb.notebook.x.sagemaker.aws:99999?authToken={TOKEN}", "malformed"),
        (f"javascript://demo-nb.notebook.x.sagemaker.aws?authToken={TOKEN}", "'javascript'"),
    ],
)
def test_unusable_urls_are_refused_without_showing_them(
    sagemaker: LocalSageMaker, client: PresignClient, url: str, problem: str
) -> None:
    answer_url(sagemaker, url)
    with pytest.raises(UnexpectedResponseError) as caught:
        client.create_presigned_url(NOTEBOOK)
    message = str(caught.value)
    assert problem in message
    assert TOKEN not in "".join(traceback.format_exception(caught.value))
    assert "\n" not in message
    assert "\r" not in message


@pytest.mark.parametrize(
    "url",
    [
        "https://demo-nb.notebook.us-east-1.sagemaker.aws?authToken=abc-_.~%2B",
        "https://demo-nb-abcd.notebook.cn-north-1.sagemaker.com.cn?authToken=abc",
        "https://demo-nb.notebook.us-east-1.sagemaker.aws:443/?authToken=abc",
        "https://demo-nb.notebook.us-east-1.sagemaker.aws/x@y?authToken=abc",
    ],
)
def test_plain_https_urls_pass(sagemaker: LocalSageMaker, client: PresignClient, url: str) -> None:
    answer_url(sagemaker, url)
    assert client.create_presigned_url(NOTEBOOK).url == url


def test_cli_never_prints_a_disguised_or_two_line_url(sagemaker: LocalSageMaker) -> None:
    answer_url(
        sagemaker, f"https://nb.notebook.us-east-1.sagemaker.aws?authToken={TOKEN}\n\x1b]0;x"
    )
    proc = subprocess.run(
        [
            *(sys.executable, "-m", "sagemaker_presign", "--region", "us-east-1"),
            *("--endpoint-url", sagemaker.endpoint_url, NOTEBOOK),
        ],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        env={
            "AWS_ACCESS_KEY_ID": DUMMY_ACCESS_KEY_ID,
            "AWS_SECRET_ACCESS_KEY": DUMMY_SECRET_ACCESS_KEY,
        },
    )
    assert proc.returncode == ExitCode.SERVICE
    assert proc.stdout == ""
    assert "\x1b" not in proc.stderr
    assert TOKEN not in proc.stderr
    assert proc.stderr.count("\n") == 1


@pytest.mark.parametrize("body", [b"[" * 200_000, b'{"a":' * 200_000])
def test_deeply_nested_json_is_an_unexpected_response(
    sagemaker: LocalSageMaker, client: PresignClient, body: bytes
) -> None:
    sagemaker.respond_next(body)
    with pytest.raises(UnexpectedResponseError, match="RecursionError") as caught:
        client.create_presigned_url(NOTEBOOK)
    assert isinstance(caught.value.__cause__, RecursionError)


@pytest.mark.parametrize("status", [400, 500])
def test_deeply_nested_error_body_is_handled(
    sagemaker: LocalSageMaker, client: PresignClient, status: int
) -> None:
    sagemaker.respond_next(b"[" * 200_000, status=status)
    with pytest.raises((UnexpectedResponseError, ServiceError)):
        client.create_presigned_url(NOTEBOOK)


@pytest.mark.parametrize(
    "message",
    [
        "The subnet ID 'subnet-0abc' does not exist",
        "The role arn:aws:iam::123456789012:role/demo-nb-role does not exist",
        "Security group sg-123 not found",
        "Notebook instance other-nb does not exist",
    ],
)
def test_only_the_instance_itself_missing_is_not_found(
    sagemaker: LocalSageMaker, client: PresignClient, message: str
) -> None:
    sagemaker.fail_next("ValidationException", message=message)
    with pytest.raises(ServiceError) as caught:
        client.create_presigned_url(NOTEBOOK)
    assert not isinstance(caught.value, NotebookInstanceNotFoundError)
    assert message in str(caught.value)


@pytest.mark.parametrize(
    "message",
    [
        "RecordNotFound",
        "Notebook instance demo-nb does not exist",
        "Notebook instance arn:aws:sagemaker:us-east-1:123456789012:notebook-instance/demo-nb"
        " not found",
    ],
)
def test_the_instance_missing_is_not_found_and_names_the_region(
    sagemaker: LocalSageMaker, client: PresignClient, message: str
) -> None:
    sagemaker.fail_next("ValidationException", message=message)
    with pytest.raises(NotebookInstanceNotFoundError, match="in us-east-1"):
        client.create_presigned_url(NOTEBOOK)


def test_moto_mock_aws_presign_is_translated(monkeypatch: pytest.MonkeyPatch) -> None:
    from moto import mock_aws

    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "moto")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "moto")
    with mock_aws():
        client = PresignClient(region_name="us-east-1")
        with pytest.raises(ServiceError, match="does not implement") as caught:
            client.create_presigned_url(NOTEBOOK)
    assert isinstance(caught.value.__cause__, NotImplementedError)
