"""The public API's typing promises, checked by mypy --strict and pyright (strict); never run.

Each ``assert_type`` is a promise a user can rely on; each ``# type: ignore[...]`` line is a
misuse the type checkers must catch (both report an ignore comment that suppresses nothing, so
these lines fail the check the day the misuse stops being an error).
"""

from __future__ import annotations

from datetime import datetime, timedelta

import boto3
from botocore.config import Config
from mypy_boto3_sagemaker import SageMakerClient
from mypy_boto3_sagemaker.type_defs import NotebookInstanceSummaryTypeDef
from typing_extensions import assert_type

import sagemaker_presign
from sagemaker_presign import (
    DEFAULT_EXPIRES_IN,
    MAX_SESSION_DURATION,
    URL_VALIDITY,
    AsyncPresignClient,
    DownloadSummary,
    HubContentSummary,
    HubContentUrls,
    LandingUri,
    MlflowTrackingServerStatus,
    NotebookInstanceFailedError,
    NotebookInstanceNotInServiceError,
    NotebookInstanceStatus,
    NotebookInstanceSummary,
    PresignClient,
    PresignedDomainUrl,
    PresignedHubContentFile,
    PresignedMlflowAppUrl,
    PresignedMlflowTrackingServerUrl,
    PresignedNotebookUrl,
    PresignedPartnerAppUrl,
    PresignedUrl,
    PresignError,
    ResourceFailedError,
    ResourceNotFoundError,
    ResourceState,
    ServiceError,
    StudioStatus,
    WaitTimeoutError,
    create_presigned_url,
    validate_expires_in,
    validate_notebook_instance_name,
    validate_session_duration,
)
from sagemaker_presign.testing import LocalSageMaker, RecordedRequest


def hands_back_the_typed_boto3_client(client: PresignClient, local: LocalSageMaker) -> None:
    # boto3-stubs users assign without a cast; every operation is there, typed.
    typed: SageMakerClient = client.sagemaker_client
    assert_type(
        typed.list_notebook_instances(MaxResults=10)["NotebookInstances"],
        list[NotebookInstanceSummaryTypeDef],
    )
    from_local: SageMakerClient = local.boto3_client()
    assert_type(from_local, SageMakerClient)


def accepts_the_typed_boto3_client(raw: SageMakerClient) -> None:
    client = PresignClient(raw)
    assert_type(client.create_presigned_url("nb"), PresignedNotebookUrl)
    assert_type(create_presigned_url("nb", client=raw), PresignedNotebookUrl)


def builds_from_boto3_conventions(session: boto3.Session) -> None:
    PresignClient(session=session, endpoint_url="https://vpce.example", config=Config())
    PresignClient(region_name="eu-west-1", profile_name="team")


def result_properties(client: PresignClient) -> None:
    result = client.create_presigned_url("nb", session_duration=timedelta(hours=2))
    assert_type(result.url, str)
    assert_type(result.notebook_instance_name, str)
    assert_type(result.issued_at, datetime)
    assert_type(result.session_duration, timedelta | None)
    assert_type(result.expires_at, datetime)
    assert_type(result.is_stale, bool)
    assert_type(result.time_remaining, timedelta)
    assert_type(result.host, str)
    assert_type(result.ensure_fresh(), str)
    assert_type(result.ensure_fresh(margin=timedelta(seconds=30)), str)
    assert_type(URL_VALIDITY, timedelta)
    assert_type(MAX_SESSION_DURATION, timedelta)
    assert_type(sagemaker_presign.__version__, str)


def validation() -> None:
    assert_type(validate_notebook_instance_name("nb"), str)
    assert_type(validate_session_duration(3600), int | None)
    assert_type(validate_session_duration(timedelta(hours=1)), int | None)


def lifecycle(client: PresignClient) -> None:
    status = client.wait_until_in_service("nb", start=True, on_status=print)
    assert_type(status, NotebookInstanceStatus)
    assert_type(client.get_status("nb"), NotebookInstanceStatus)
    assert_type(status.is_transitional, bool)


def error_attributes() -> None:
    try:
        pass
    except WaitTimeoutError as error:
        assert_type(error.last_status, str | None)
    except NotebookInstanceFailedError as error:
        assert_type(error.failure_reason, str | None)
    except NotebookInstanceNotInServiceError as error:
        assert_type(error.status, NotebookInstanceStatus)
    except ServiceError as error:
        assert_type(error.code, str | None)
        assert_type(error.http_status, int | None)
        assert_type(error.request_id, str | None)
    except PresignError as error:
        assert_type(error.notebook_instance_name, str | None)


def every_door(client: PresignClient, arn: str) -> None:
    notebook = client.create_presigned_url("nb", landing_path="/lab")
    assert_type(notebook.landing_path, str | None)
    studio = client.create_presigned_domain_url(
        "d-abc", "alice", space_name="s", landing_uri=LandingUri.app("JupyterLab"), expires_in=60
    )
    assert_type(studio, PresignedDomainUrl)
    assert_type(studio.space_name, str | None)
    assert_type(studio.valid_for, timedelta)
    assert_type(client.wait_until_studio_ready("d-abc", "alice"), StudioStatus)
    server = client.create_presigned_mlflow_tracking_server_url("t", expires_in=timedelta(0))
    assert_type(server, PresignedMlflowTrackingServerUrl)
    assert_type(server.tracking_server_name, str)
    assert_type(
        client.wait_until_mlflow_tracking_server_ready("t", start=True),
        MlflowTrackingServerStatus,
    )
    assert_type(client.create_presigned_mlflow_app_url(arn), PresignedMlflowAppUrl)
    assert_type(client.create_partner_app_presigned_url(arn).arn, str)
    results: list[PresignedUrl] = [notebook, studio, server]
    assert_type(results[0].expires_at, datetime)
    assert_type(validate_expires_in(60), int | None)
    assert_type(DEFAULT_EXPIRES_IN, timedelta)
    try:
        pass
    except ResourceNotFoundError as error:
        assert_type(error.code, str | None)
    except ResourceFailedError as error:
        assert_type(error.failure_reason, str | None)


def discovery(client: PresignClient) -> None:
    for nb in client.list_notebook_instances(status="InService"):
        assert_type(nb, NotebookInstanceSummary)
        assert_type(nb.status, NotebookInstanceStatus)
    for space in client.list_spaces(client.resolve_domain_id("research")):
        assert_type(space.owner, str | None)
    assert_type(next(client.list_domains()).domain_id, str)
    assert_type(next(client.list_user_profiles()).status, StudioStatus)
    assert_type(next(client.list_mlflow_tracking_servers()).name, str)


async def asynchronous(raw: SageMakerClient) -> None:
    client = AsyncPresignClient(raw)
    assert_type(await client.create_presigned_url("nb"), PresignedNotebookUrl)
    assert_type(await client.get_status("nb"), NotebookInstanceStatus)
    assert_type(await client.wait_until_in_service("nb"), NotebookInstanceStatus)
    assert_type(await client.create_presigned_domain_url("d-a", "u"), PresignedDomainUrl)
    assert_type(await client.wait_until_studio_ready("d-a", "u"), StudioStatus)
    assert_type(
        await client.wait_until_mlflow_tracking_server_ready("t"), MlflowTrackingServerStatus
    )
    assert_type(await client.create_partner_app_presigned_url("a"), PresignedPartnerAppUrl)
    assert_type(await client.list_notebook_instances(), list[NotebookInstanceSummary])
    # Forwarded methods keep their signatures: a wrong argument is caught as on the sync client.
    await client.create_presigned_url("nb", expires_in=60)  # type: ignore[call-arg]
    await client.studio_state("d-a", 42)  # type: ignore[arg-type]
    assert_type(await client.status("notebook", notebook_instance_name="nb"), ResourceState)
    assert_type(await client.presign("studio", domain_id="d-a"), PresignedUrl)


def hub_content(client: PresignClient) -> None:
    found = client.create_hub_content_presigned_urls("SageMakerPublicHub", "Model", "llama")
    assert_type(found, HubContentUrls)
    for file in found:
        assert_type(file, PresignedHubContentFile)
        assert_type(file.local_path, str)
        assert_type(file.expires_at, datetime)
    summary = client.download_hub_content(
        "SageMakerPublicHub", "Model", "llama", to="model", on_progress=lambda p: None
    )
    assert_type(summary, DownloadSummary)
    assert_type(summary.bytes_downloaded, int)
    assert_type(list(client.list_hub_contents("SageMakerPublicHub")), list[HubContentSummary])
    client.download_hub_content("h", "Model", "n")  # type: ignore[call-arg]


def any_door(client: PresignClient) -> None:
    assert_type(client.status("mlflow", tracking_server_name="t"), ResourceState)
    assert_type(client.presign("notebook", notebook_instance_name="nb"), PresignedUrl)
    client.start("notebook", notebook_instance_name="nb")
    client.presign("notebook", session_duration="2h")  # type: ignore[arg-type]


def testing_helpers() -> None:
    with LocalSageMaker() as sagemaker:
        assert_type(sagemaker.client(), PresignClient)
        assert_type(sagemaker.endpoint_url, str)
        assert_type(sagemaker.requests, list[RecordedRequest])


def misuse_is_caught(client: PresignClient, raw: SageMakerClient) -> None:
    client.create_presigned_url("nb", session_duration="2h")  # type: ignore[arg-type]
    client.create_presigned_url("nb", 3600)  # type: ignore[call-arg]
    client.create_presigned_url(name="nb")  # type: ignore[call-arg]
    PresignedNotebookUrl("https://x", "nb")  # type: ignore[call-arg]
    client.create_presigned_domain_url("d-a", "u", expires_in=1.5)  # type: ignore[arg-type]
    client.create_presigned_domain_url("d-a")  # type: ignore[call-arg]
    client.create_partner_app_presigned_url("a", 60)  # type: ignore[call-arg]
    sagemaker_presign.PresignClent  # type: ignore[attr-defined]  # noqa: B018
    create_presigned_url("nb", client=raw, region_name="x")  # a TypeError at run time only
