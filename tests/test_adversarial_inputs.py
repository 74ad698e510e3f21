"""Inputs an adversarial run found slipping through, each refused before anything is sent (or,
for the service's answers, described as what they are)."""

from __future__ import annotations

import dataclasses
import math
import os
import subprocess
import sys
from datetime import datetime, timezone
from typing import Any

import pytest

from sagemaker_presign import (
    InvalidLandingError,
    InvalidParameterError,
    InvalidResourceIdentifierError,
    PresignClient,
    ServiceError,
    UnexpectedResponseError,
)
from sagemaker_presign.cli import ExitCode
from sagemaker_presign.testing import DUMMY_ACCESS_KEY_ID, DUMMY_SECRET_ACCESS_KEY, LocalSageMaker

from .support import NOTEBOOK

SIGNED = {
    "AWS_ACCESS_KEY_ID": DUMMY_ACCESS_KEY_ID,
    "AWS_SECRET_ACCESS_KEY": DUMMY_SECRET_ACCESS_KEY,
    "AWS_DEFAULT_REGION": "us-east-1",
    "AWS_MAX_ATTEMPTS": "1",
}
MLFLOW_APP = "arn:aws:sagemaker:us-east-1:123456789012:mlflow-app/app-abc123def456"


def run(sagemaker: LocalSageMaker, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "sagemaker_presign",
            *args,
            "--endpoint-url",
            sagemaker.endpoint_url,
        ],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, **SIGNED},
        check=False,
    )


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        ([NOTEBOOK, "--duration", "\u0661\u0668\u0660\u0660"], "invalid duration"),
        (["mlflow", "tracker", "--expires-in", "\u0663\u0660\u0660"], "invalid duration"),
        ([NOTEBOOK, "--wait", "--timeout", "\u0665"], "invalid duration"),
        (["mlflow", "tracker", "--expires-in", "\u00b2"], "invalid duration"),
        ([NOTEBOOK, "--duration", "1\uff18h"], "invalid duration"),
    ],
)
def test_only_ascii_digits_make_a_duration(
    sagemaker: LocalSageMaker, args: list[str], fragment: str
) -> None:
    done = run(sagemaker, *args)
    assert done.returncode == ExitCode.USAGE
    assert fragment in done.stderr
    assert "parse_duration" not in done.stderr
    assert sagemaker.requests == []


def test_an_impossible_domain_name_is_refused_before_listing(
    sagemaker: LocalSageMaker, client: PresignClient
) -> None:
    for name in ("a b", "", "x" * 64, "bad\x1b[2J", "-leading"):
        with pytest.raises(InvalidResourceIdentifierError, match="domain"):
            client.resolve_domain_id(name)
    done = run(sagemaker, "studio", "--domain", "a b", "--user-profile", "alice")
    assert done.returncode == ExitCode.USAGE
    assert "domain" in done.stderr
    assert sagemaker.requests == []


@pytest.mark.parametrize("uri", ["studio::\x9b2J", "app:JupyterLab:\x85x", "studio::a\u2028b"])
def test_landing_uris_with_c1_controls_are_refused(
    sagemaker: LocalSageMaker, client: PresignClient, uri: str
) -> None:
    domain = sagemaker.add_domain().domain_id
    sagemaker.add_user_profile(domain, "alice")
    with pytest.raises(InvalidLandingError, match="control characters"):
        client.create_presigned_domain_url(domain, "alice", landing_uri=uri)
    assert sagemaker.requests == []


def test_a_nan_timeout_says_it_is_not_a_number(client: PresignClient) -> None:
    with pytest.raises(InvalidParameterError, match="not a number") as raised:
        client.wait_until_in_service(NOTEBOOK, timeout=math.nan)
    assert "that large" not in str(raised.value)
    with pytest.raises(InvalidParameterError, match="not a number that large"):
        client.wait_until_in_service(NOTEBOOK, timeout=-(10**400))


@pytest.mark.parametrize(
    "arn",
    [
        "arn:aws:sagemaker::123456789012:mlflow-app/app-abc",  # empty region
        "arn:aws:sagemaker:us-east-1:123456789012:mlflow-app/",  # empty resource ID
        "arn:aws:sagemaker:us-east-1:123456789012:mlflow-app/app abc",
        "arn:aws:sagemaker:us-east-1:123456789012:mlflow-app/app\x1b[2J",
        "arn:aws:sagemaker:us-east-1:123456789012:mlflow-app/app\x00",
        "arn:aws:sagemaker:us-east-1:123456789012:mlflow-app/app\r\nX: y",
        "arn:aws:sagemaker:us-east-1:123456789012:mlflow-app/app\u00e9",
    ],
)
def test_mlflow_app_arns_are_refused_before_sending(
    sagemaker: LocalSageMaker, client: PresignClient, arn: str
) -> None:
    with pytest.raises(InvalidResourceIdentifierError, match="MLflow app ARN"):
        client.create_presigned_mlflow_app_url(arn)
    assert sagemaker.requests == []


@pytest.mark.parametrize(
    "arn",
    [
        "arn:aws:sagemaker::123456789012:partner-app/app-ABC123DEF456",
        "arn:aws:sagemaker:us-east-1:123456789012:partner-app/app-",
        "arn:aws:sagemaker:us-east-1:123456789012:partner-app/app-ABC123DEF45 ",
    ],
)
def test_partner_app_arns_are_refused_before_sending(
    sagemaker: LocalSageMaker, client: PresignClient, arn: str
) -> None:
    with pytest.raises(InvalidResourceIdentifierError, match="partner app ARN"):
        client.create_partner_app_presigned_url(arn)
    assert sagemaker.requests == []


def test_an_upper_case_scheme_is_named_as_such(
    sagemaker: LocalSageMaker, client: PresignClient
) -> None:
    sagemaker.respond_next(
        b'{"AuthorizedUrl": "HTTPS://demo-nb.notebook.us-east-1.sagemaker.aws?authToken=x"}'
    )
    with pytest.raises(UnexpectedResponseError, match="scheme is 'HTTPS', not 'https'"):
        client.create_presigned_url(NOTEBOOK)


def test_dataclasses_replace_takes_the_url_by_name(client: PresignClient) -> None:
    result = client.create_presigned_url(NOTEBOOK)
    with pytest.raises(TypeError, match="'url'"):
        dataclasses.replace(result)  # the URL is no dataclass field: it must be passed
    # The type checkers know only the dataclass fields; url is __init__'s own argument.
    url: dict[str, Any] = {"url": result.url}
    copy = dataclasses.replace(result, **url)
    assert copy == result
    assert copy.expires_at == result.expires_at
    later = datetime(2030, 1, 1, tzinfo=timezone.utc)
    moved = dataclasses.replace(result, issued_at=later, **url)
    assert moved.expires_at == later + result.valid_for
    assert moved.url == result.url


@pytest.mark.parametrize("built", [False, True], ids=["given a session", "built, trimmed"])
def test_an_sso_domain_is_named_whatever_the_service_says(
    sagemaker: LocalSageMaker, client: PresignClient, monkeypatch: pytest.MonkeyPatch, built: bool
) -> None:
    if built:  # a client the package builds reads the trimmed model: DescribeDomain is in it
        for name, value in SIGNED.items():
            monkeypatch.setenv(name, value)
        client = PresignClient(endpoint_url=sagemaker.endpoint_url)
    domain = sagemaker.add_domain(name="corp", auth_mode="SSO").domain_id
    sagemaker.add_user_profile(domain, "alice")
    sagemaker.fail_next(
        "ValidationException",
        message="Presigning is not possible here",  # wording we cannot rely on
        operation="CreatePresignedDomainUrl",
    )
    with pytest.raises(ServiceError, match="IAM Identity Center") as raised:
        client.create_presigned_domain_url(domain, "alice")
    assert domain in str(raised.value)
    operations = [r.operation for r in sagemaker.requests]
    assert operations == ["CreatePresignedDomainUrl", "DescribeDomain"]


def test_a_validation_error_of_an_iam_domain_stays_what_it_was(
    sagemaker: LocalSageMaker, client: PresignClient
) -> None:
    domain = sagemaker.add_domain(name="iam").domain_id
    sagemaker.add_user_profile(domain, "alice")
    sagemaker.fail_next(
        "ValidationException", message="Something else", operation="CreatePresignedDomainUrl"
    )
    with pytest.raises(ServiceError) as raised:
        client.create_presigned_domain_url(domain, "alice")
    assert "Identity Center" not in str(raised.value)


@pytest.mark.parametrize(
    ("door", "arn"),
    [
        ("mlflow-app", "arn:aws:sagemaker:eu-west-1:123456789012:mlflow-app/app-abc123def456"),
        ("partner-app", "arn:aws:sagemaker:eu-west-1:123456789012:partner-app/app-ABC123DEF456"),
    ],
)
def test_an_arn_of_another_region_is_refused_naming_both(
    sagemaker: LocalSageMaker, client: PresignClient, door: str, arn: str
) -> None:
    presign = (
        client.create_presigned_mlflow_app_url
        if door == "mlflow-app"
        else client.create_partner_app_presigned_url
    )
    with pytest.raises(InvalidResourceIdentifierError, match=r"eu-west-1.*us-east-1"):
        presign(arn)
    done = run(sagemaker, door, arn)
    assert done.returncode == ExitCode.USAGE
    assert "is in eu-west-1, but this client is for us-east-1" in done.stderr
    assert sagemaker.requests == []
