"""Configuration: region precedence, arguments checked at construction, the shared clients."""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Any

import boto3
import pytest

from sagemaker_presign import (
    AccessDeniedError,
    ConfigurationError,
    CredentialsError,
    InsecureEndpointWarning,
    InvalidSessionDurationError,
    NotebookInstanceNotFoundError,
    PresignClient,
    create_presigned_url,
)
from sagemaker_presign import _shortcut as shortcut  # pyright: ignore[reportPrivateUsage]
from sagemaker_presign.testing import DUMMY_ACCESS_KEY_ID, DUMMY_SECRET_ACCESS_KEY, LocalSageMaker

from .support import NOTEBOOK, new_client


@pytest.fixture
def signed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", DUMMY_ACCESS_KEY_ID)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", DUMMY_SECRET_ACCESS_KEY)


@pytest.fixture
def profile_region(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    config = tmp_path / "config"
    config.write_text("[default]\nregion = ap-northeast-1\n")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(config))


def signed_region(sagemaker: LocalSageMaker) -> str:
    """The region the last request was signed for."""
    scope = sagemaker.requests[-1].headers["authorization"].split("Credential=")[1]
    return scope.split("/")[2]


@pytest.mark.usefixtures("signed", "profile_region")
@pytest.mark.parametrize(
    "case",
    [
        ("eu-west-1", "us-west-2", "ca-central-1", "eu-west-1"),
        (None, "us-west-2", "ca-central-1", "us-west-2"),
        (None, None, "ca-central-1", "ca-central-1"),
        (None, None, None, "ap-northeast-1"),
    ],
)
def test_region_precedence(
    sagemaker: LocalSageMaker,
    monkeypatch: pytest.MonkeyPatch,
    case: tuple[str | None, str | None, str | None, str],
) -> None:
    argument, aws_region, aws_default_region, expected = case
    for name, value in (("AWS_REGION", aws_region), ("AWS_DEFAULT_REGION", aws_default_region)):
        if value is not None:
            monkeypatch.setenv(name, value)
    PresignClient(region_name=argument, endpoint_url=sagemaker.endpoint_url).create_presigned_url(
        NOTEBOOK
    )
    assert signed_region(sagemaker) == expected
    # A session the caller made follows the same rules; one given a region keeps it.
    PresignClient(session=boto3.Session(), endpoint_url=sagemaker.endpoint_url).get_status(NOTEBOOK)
    assert signed_region(sagemaker) == (aws_region or aws_default_region or "ap-northeast-1")
    PresignClient(
        session=boto3.Session(region_name="sa-east-1"), endpoint_url=sagemaker.endpoint_url
    ).get_status(NOTEBOOK)
    assert signed_region(sagemaker) == "sa-east-1"


@pytest.mark.usefixtures("signed")
def test_not_found_and_access_errors_name_the_region(
    sagemaker: LocalSageMaker, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AWS_REGION", "eu-north-1")
    client = PresignClient(endpoint_url=sagemaker.endpoint_url)
    with pytest.raises(NotebookInstanceNotFoundError, match="in eu-north-1"):
        client.create_presigned_url("no-such-nb")
    sagemaker.fail_next("AccessDeniedException")
    with pytest.raises(AccessDeniedError, match="in eu-north-1"):
        client.create_presigned_url(NOTEBOOK)


def test_no_region_says_what_to_do() -> None:
    with pytest.raises(ConfigurationError, match=r"--region.*AWS_REGION") as caught:
        PresignClient()
    assert "aws configure set region" in str(caught.value)


def test_no_credentials_says_what_to_do(sagemaker: LocalSageMaker) -> None:
    client = PresignClient(region_name="us-east-1", endpoint_url=sagemaker.endpoint_url)
    with pytest.raises(CredentialsError) as caught:
        client.create_presigned_url(NOTEBOOK)
    for hint in ("aws configure", "AWS_PROFILE", "aws sso login"):
        assert hint in str(caught.value)
    assert sagemaker.requests == []


@pytest.mark.parametrize(
    ("argument", "message"),
    [
        ("eu-west-1", "must be a boto3 SageMaker client"),
        (42, "must be a boto3 SageMaker client"),
        (object(), "must be a boto3 SageMaker client"),
    ],
)
def test_a_first_argument_that_is_not_a_client_is_a_type_error(
    argument: object, message: str
) -> None:
    with pytest.raises(TypeError, match=message):
        PresignClient(argument)  # type: ignore[arg-type]


def test_a_client_of_another_service_is_a_type_error() -> None:
    session: Any = boto3.Session(region_name="us-east-1")
    s3: Any = session.client("s3")
    s3.create_presigned_notebook_instance_url = print  # a look-alike: the service decides
    with pytest.raises(TypeError, match="not a 's3' client"):
        PresignClient(s3)


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"config": "x"}, "config must be a botocore.config.Config"),
        ({"config": {"retries": 3}}, "config must be a botocore.config.Config"),
        ({"region_name": 1}, "region_name must be a str"),
        ({"endpoint_url": b"http://x"}, "endpoint_url must be a str"),
        ({"session": "default"}, "session must be a boto3.Session"),
    ],
)
def test_arguments_of_the_wrong_type(arguments: dict[str, object], message: str) -> None:
    with pytest.raises(TypeError, match=message):
        PresignClient(**arguments)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("endpoint_url", "message"),
    [
        ("http://127.0.0.1:99999", "out of range"),
        ("http://127.0.0.1:0", "port must be from 1 to 65535"),
        ("ftp://x", "scheme must be http or https"),
        ("//host", "scheme must be http or https"),
        ("127.0.0.1:8080", "scheme must be http or https"),
        ("https://", "no host"),
        ("http://127.0.0.1:8080\n", "white space or control characters"),
        ("http://u:s3cr3tpass@[::1:8080", "Invalid IPv6 URL"),
    ],
)
def test_bad_endpoint_urls_fail_at_construction(endpoint_url: str, message: str) -> None:
    with pytest.raises(ConfigurationError, match=message) as caught:
        PresignClient(region_name="us-east-1", endpoint_url=endpoint_url)
    assert "s3cr3tpass" not in str(caught.value)


@pytest.mark.parametrize("region", ["us-east-1\n", "us east 1", "-us-east-1", "x" * 64, ""])
def test_bad_regions_fail_at_construction(region: str, monkeypatch: pytest.MonkeyPatch) -> None:
    if region:
        with pytest.raises(ConfigurationError, match="is not a region name"):
            PresignClient(region_name=region)
    monkeypatch.setenv("AWS_REGION", region or "bad region")
    with pytest.raises(ConfigurationError, match="from AWS_REGION"):
        PresignClient()


def test_plain_http_to_another_host_warns() -> None:
    with pytest.warns(InsecureEndpointWarning, match="unencrypted"):
        PresignClient(region_name="us-east-1", endpoint_url="http://sagemaker.internal.example")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for loopback in ("http://127.0.0.1:1", "http://127.8.9.10", "http://[::1]:1"):
            PresignClient(region_name="us-east-1", endpoint_url=loopback)
        PresignClient(region_name="us-east-1", endpoint_url="http://localhost:1")
        PresignClient(region_name="us-east-1", endpoint_url="https://sagemaker.example")


def test_huge_numbers_are_ordinary_invalid_input(client: PresignClient) -> None:
    with pytest.raises(InvalidSessionDurationError, match="a number that large"):
        client.create_presigned_url(NOTEBOOK, session_duration=10**5000)
    with pytest.raises(InvalidSessionDurationError, match="not -99999999 s"):
        client.create_presigned_url(NOTEBOOK, session_duration=-99999999)


# --- the module-level function's shared clients -----------------------------------------------


@pytest.fixture
def fresh_cache() -> None:
    for client in shortcut._shared_clients.values():  # pyright: ignore[reportPrivateUsage]
        client.close()
    shortcut._shared_clients.clear()  # pyright: ignore[reportPrivateUsage]


@pytest.mark.usefixtures("fresh_cache", "signed")
def test_changed_credentials_build_a_new_client(
    sagemaker: LocalSageMaker, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    def presign() -> str:
        create_presigned_url(NOTEBOOK, region_name="us-east-1", endpoint_url=sagemaker.endpoint_url)
        return sagemaker.requests[-1].headers["authorization"]

    assert f"Credential={DUMMY_ACCESS_KEY_ID}/" in presign()
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIDROTATED")
    assert "Credential=AKIDROTATED/" in presign()
    monkeypatch.setenv("AWS_SESSION_TOKEN", "a-new-session-token")
    presign()
    assert sagemaker.requests[-1].headers["x-amz-security-token"] == "a-new-session-token"
    monkeypatch.delenv("AWS_ACCESS_KEY_ID")
    monkeypatch.delenv("AWS_SECRET_ACCESS_KEY")
    monkeypatch.delenv("AWS_SESSION_TOKEN")
    credentials = tmp_path / "credentials"
    credentials.write_text(
        "[default]\naws_access_key_id = AKIDFROMFILE\naws_secret_access_key = s\n"
    )
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(credentials))
    assert "Credential=AKIDFROMFILE/" in presign()
    credentials.write_text(
        "[default]\naws_access_key_id = AKIDREWRITTEN\naws_secret_access_key = s\n"
    )
    assert "Credential=AKIDREWRITTEN/" in presign()
    # No secret is held in clear in the cache's keys.
    keys = repr(list(shortcut._shared_clients))  # pyright: ignore[reportPrivateUsage]
    assert "a-new-session-token" not in keys
    assert "AKIDROTATED" not in keys


@pytest.mark.usefixtures("fresh_cache", "signed")
def test_the_shared_clients_are_bounded_and_closed(sagemaker: LocalSageMaker) -> None:
    regions = [f"eu-test-{n}" for n in range(shortcut.MAX_SHARED_CLIENTS + 4)]
    for region in regions:
        create_presigned_url(NOTEBOOK, region_name=region, endpoint_url=sagemaker.endpoint_url)
    kept = list(shortcut._shared_clients.values())  # pyright: ignore[reportPrivateUsage]
    assert len(kept) == shortcut.MAX_SHARED_CLIENTS
    assert [c._region for c in kept] == regions[4:]  # pyright: ignore[reportPrivateUsage]


def test_given_clients_are_not_checked_for_a_region(sagemaker: LocalSageMaker) -> None:
    raw = new_client(sagemaker.boto3_session(), endpoint_url=sagemaker.endpoint_url)
    assert PresignClient(raw).create_presigned_url(NOTEBOOK).url.startswith("https://")
