"""PresignClient and create_presigned_url end to end against LocalSageMaker."""

from __future__ import annotations

import threading
from datetime import datetime, timedelta, timezone
from pathlib import Path

import boto3
import pytest
from botocore.config import Config

import sagemaker_presign
from sagemaker_presign import (
    URL_VALIDITY,
    InvalidNotebookInstanceNameError,
    PresignClient,
    PresignedNotebookUrl,
    create_presigned_url,
)
from sagemaker_presign.testing import LocalSageMaker

from .support import FAST_CONFIG, NOTEBOOK, new_client, user_agent_extra


def test_success(sagemaker: LocalSageMaker, client: PresignClient) -> None:
    before = datetime.now(timezone.utc)
    result = client.create_presigned_url(NOTEBOOK, session_duration=timedelta(hours=2))
    after = datetime.now(timezone.utc)

    assert isinstance(result, PresignedNotebookUrl)
    assert result.url == sagemaker.notebook_instance(NOTEBOOK).issued_urls[-1]
    assert result.url.startswith(f"https://{NOTEBOOK}.notebook.us-east-1.sagemaker.aws?authToken=")
    assert result.host == f"{NOTEBOOK}.notebook.us-east-1.sagemaker.aws"
    assert result.notebook_instance_name == NOTEBOOK
    assert result.session_duration == timedelta(hours=2)
    assert before <= result.issued_at <= after
    assert result.issued_at.tzinfo is timezone.utc
    assert result.expires_at == result.issued_at + URL_VALIDITY
    assert not result.is_stale

    [request] = sagemaker.requests
    assert request.operation == "CreatePresignedNotebookInstanceUrl"
    assert request.body == {
        "NotebookInstanceName": NOTEBOOK,
        "SessionExpirationDurationInSeconds": 7200,
    }
    assert request.headers["x-amz-target"] == "SageMaker.CreatePresignedNotebookInstanceUrl"
    assert request.headers["authorization"].startswith("AWS4-HMAC-SHA256 Credential=")


def test_omitted_duration_is_not_sent(sagemaker: LocalSageMaker, client: PresignClient) -> None:
    result = client.create_presigned_url(NOTEBOOK)
    assert result.session_duration is None
    assert sagemaker.requests[0].body == {"NotebookInstanceName": NOTEBOOK}


def test_repeated_presigns_send_each_request_as_asked(
    sagemaker: LocalSageMaker, client: PresignClient
) -> None:
    # The checked request is kept per name and duration (the warm path): every call still
    # sends exactly its own, and a bad name is refused every time, nothing sent.
    other = "other-nb"
    sagemaker.add_notebook_instance(other)
    asked = [(NOTEBOOK, None), (other, 1800), (NOTEBOOK, 3600), (NOTEBOOK, None), (other, 1800)]
    urls = [client.create_presigned_url(name, session_duration=d).url for name, d in asked]
    sent = [request.body for request in sagemaker.requests]
    assert sent == [
        {"NotebookInstanceName": name}
        | ({} if d is None else {"SessionExpirationDurationInSeconds": d})
        for name, d in asked
    ]
    assert len(set(urls)) == len(asked)  # a fresh URL each time, never a kept answer
    for _ in range(2):
        with pytest.raises(InvalidNotebookInstanceNameError):
            client.create_presigned_url("-bad-")
        with pytest.raises(TypeError, match="must be a str"):
            client.create_presigned_url(["a", "list"])  # type: ignore[arg-type]
        with pytest.raises(InvalidNotebookInstanceNameError):  # the name is checked first
            client.create_presigned_url("-bad-", session_duration=5)
    assert len(sagemaker.requests) == len(asked)


def test_issued_at_is_read_before_the_request_is_sent(
    sagemaker: LocalSageMaker, client: PresignClient
) -> None:
    sagemaker.delay_next(0.3)
    result = client.create_presigned_url(NOTEBOOK)
    done = datetime.now(timezone.utc)
    assert result.issued_at <= sagemaker.requests[0].received_at
    assert done - result.issued_at >= timedelta(seconds=0.3)


def test_issued_at_precedes_every_retry(sagemaker: LocalSageMaker, client: PresignClient) -> None:
    sagemaker.fail_next("ThrottlingException", times=2)
    result = client.create_presigned_url(NOTEBOOK)
    last = sagemaker.requests[-1]
    assert len(sagemaker.requests) == 3
    # The service issued the URL while answering the last attempt: our deadline is earlier.
    assert result.issued_at <= last.received_at
    assert result.expires_at <= last.received_at + URL_VALIDITY


def test_each_call_is_exactly_one_request(sagemaker: LocalSageMaker, client: PresignClient) -> None:
    for _ in range(3):
        client.create_presigned_url(NOTEBOOK)
    assert [r.operation for r in sagemaker.requests] == ["CreatePresignedNotebookInstanceUrl"] * 3


def test_user_agent_names_the_package(sagemaker: LocalSageMaker, client: PresignClient) -> None:
    client.create_presigned_url(NOTEBOOK)
    assert (
        f"sagemaker-presign/{sagemaker_presign.__version__}"
        in sagemaker.requests[0].headers["user-agent"]
    )


def test_user_agent_keeps_the_callers_extra(sagemaker: LocalSageMaker) -> None:
    config = Config(user_agent_extra="my-tool/2.0")
    with sagemaker.client(config=config) as client:
        client.create_presigned_url(NOTEBOOK)
    agent = sagemaker.requests[0].headers["user-agent"]
    assert "my-tool/2.0" in agent
    assert "sagemaker-presign/" in agent
    assert user_agent_extra(config) == "my-tool/2.0", "the caller's Config is not modified"


def test_a_passed_client_is_used_as_is(sagemaker: LocalSageMaker) -> None:
    raw = sagemaker.boto3_client()
    client = PresignClient(raw)
    assert client.sagemaker_client is raw
    client.create_presigned_url(NOTEBOOK)
    assert "sagemaker-presign/" not in sagemaker.requests[0].headers["user-agent"]
    client.close()  # does not close a client it did not build
    client.create_presigned_url(NOTEBOOK)


def test_built_from_a_session_with_region_and_endpoint(sagemaker: LocalSageMaker) -> None:
    session = sagemaker.boto3_session()
    client = PresignClient(
        session=session, region_name="eu-west-1", endpoint_url=sagemaker.endpoint_url
    )
    client.create_presigned_url(NOTEBOOK)
    assert "/eu-west-1/sagemaker/" in sagemaker.requests[0].headers["authorization"]


def test_built_from_environment_credentials_and_region(
    sagemaker: LocalSageMaker, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIDFROMENVIRONMENT")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "secret")
    monkeypatch.setenv("AWS_REGION", "ap-southeast-2")
    client = PresignClient(endpoint_url=sagemaker.endpoint_url)
    assert (
        repr(client)
        == f"PresignClient(region_name='ap-southeast-2', endpoint_url='{sagemaker.endpoint_url}')"
    )
    client.create_presigned_url(NOTEBOOK)
    assert "Credential=AKIDFROMENVIRONMENT/" in sagemaker.requests[0].headers["authorization"]


def test_profile_from_the_shared_config(
    sagemaker: LocalSageMaker, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    config = tmp_path / "config"
    config.write_text("[profile team]\nregion = eu-central-1\n")
    credentials = tmp_path / "credentials"
    credentials.write_text(
        "[team]\naws_access_key_id = AKIDFROMPROFILE\naws_secret_access_key = s\n"
    )
    monkeypatch.setenv("AWS_CONFIG_FILE", str(config))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(credentials))
    PresignClient(profile_name="team", endpoint_url=sagemaker.endpoint_url).create_presigned_url(
        NOTEBOOK
    )
    monkeypatch.setenv("AWS_PROFILE", "team")
    PresignClient(endpoint_url=sagemaker.endpoint_url).create_presigned_url(NOTEBOOK)
    for request in sagemaker.requests:
        assert "Credential=AKIDFROMPROFILE/" in request.headers["authorization"]
        assert "/eu-central-1/sagemaker/" in request.headers["authorization"]


@pytest.mark.parametrize(
    "builder",
    [
        {"session": boto3.Session()},
        {"region_name": "us-east-1"},
        {"profile_name": "p"},
        {"endpoint_url": "http://127.0.0.1:1"},
        {"config": Config()},
    ],
)
def test_a_client_plus_builder_arguments_is_a_type_error(builder: dict[str, object]) -> None:
    raw = new_client(boto3.Session(region_name="us-east-1"))
    with pytest.raises(TypeError, match="not both"):
        PresignClient(raw, **builder)  # type: ignore[arg-type]


def test_session_and_profile_together_is_a_type_error() -> None:
    with pytest.raises(TypeError, match="profile_name cannot be combined with session"):
        PresignClient(session=boto3.Session(region_name="us-east-1"), profile_name="x")


def test_module_function_reuses_one_client(
    sagemaker: LocalSageMaker, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIDFROMENVIRONMENT")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "secret")
    first = create_presigned_url(
        NOTEBOOK, region_name="us-east-1", endpoint_url=sagemaker.endpoint_url
    )
    second = create_presigned_url(
        NOTEBOOK, region_name="us-east-1", endpoint_url=sagemaker.endpoint_url
    )
    assert first.url != second.url
    create_presigned_url(NOTEBOOK, region_name="eu-west-1", endpoint_url=sagemaker.endpoint_url)
    ports = [request.client_port for request in sagemaker.requests]
    # One client, one kept-alive connection; other settings build another client.
    assert ports[0] == ports[1]
    assert ports[2] != ports[0]
    assert "/eu-west-1/" in sagemaker.requests[2].headers["authorization"]


def test_module_function_with_a_client(sagemaker: LocalSageMaker, client: PresignClient) -> None:
    result = create_presigned_url(NOTEBOOK, session_duration=1800, client=client)
    assert result.session_duration == timedelta(minutes=30)
    raw_result = create_presigned_url(NOTEBOOK, client=sagemaker.boto3_client())
    assert raw_result.notebook_instance_name == NOTEBOOK
    with pytest.raises(TypeError, match="client cannot be combined with region_name"):
        create_presigned_url(NOTEBOOK, client=client, region_name="us-east-1")


def test_fifty_threads_share_one_client(sagemaker: LocalSageMaker) -> None:
    config = Config(max_pool_connections=50, retries={"total_max_attempts": 1})
    results: list[PresignedNotebookUrl] = []
    errors: list[BaseException] = []
    start = threading.Barrier(50)
    lock = threading.Lock()

    with sagemaker.client(config=config) as client:

        def work() -> None:
            try:
                start.wait()
                for _ in range(4):
                    result = client.create_presigned_url(NOTEBOOK)
                    with lock:
                        results.append(result)
            except BaseException as exc:
                with lock:
                    errors.append(exc)

        threads = [threading.Thread(target=work) for _ in range(50)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()

    assert errors == []
    assert len(results) == 200
    assert len({r.url for r in results}) == 200, "every thread got its own URL"
    assert sorted(r.url for r in results) == sorted(
        sagemaker.notebook_instance(NOTEBOOK).issued_urls
    )
    assert len(sagemaker.requests) == 200


def test_fast_config_is_not_modified() -> None:
    assert user_agent_extra(FAST_CONFIG) is None
