"""The public state API: what a status means for opening the resource, for every door with a
lifecycle, sync and async, derived from the tables the waits decide by."""

from __future__ import annotations

import pytest

from sagemaker_presign import AsyncPresignClient, PresignClient, ResourceState
from sagemaker_presign.testing import LocalSageMaker

from .test_doors import has


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


NOTEBOOK_CONDITIONS = {
    "InService": "ready",
    "Stopped": "startable",
    "Pending": "starting",
    "Stopping": "starting",
    "Updating": "starting",
    "Failed": "failed",
    "Deleting": "gone",
}


@pytest.mark.parametrize(("status", "condition"), NOTEBOOK_CONDITIONS.items())
def test_notebook_instance_state(
    sagemaker: LocalSageMaker, client: PresignClient, status: str, condition: str
) -> None:
    sagemaker.add_notebook_instance("nb", status=status)
    if status == "Failed":
        sagemaker.fail_notebook_instance("nb", "out of capacity")
    state = client.notebook_instance_state("nb")
    assert state == ResourceState(
        condition,  # type: ignore[arg-type]
        status,
        "out of capacity" if status == "Failed" else None,
    )
    assert state.is_ready is (condition == "ready")
    assert [r.operation for r in sagemaker.requests] == ["DescribeNotebookInstance"]


def test_a_status_this_version_does_not_know_is_starting(
    sagemaker: LocalSageMaker, client: PresignClient
) -> None:
    sagemaker.add_notebook_instance("nb")
    sagemaker.respond_next(b'{"NotebookInstanceStatus": "Hibernating"}')
    assert client.notebook_instance_state("nb") == ResourceState("starting", "Hibernating")


def test_start_notebook_instance_returns_at_once_and_tolerates_the_race(
    sagemaker: LocalSageMaker, client: PresignClient
) -> None:
    sagemaker.add_notebook_instance("nb", status="Stopped")
    client.start_notebook_instance("nb")
    assert client.notebook_instance_state("nb").condition == "starting"
    sagemaker.fail_next(
        "ValidationException",
        message="Status (Pending) not in ([Stopped]). Unable to transition to (Pending)",
        operation="StartNotebookInstance",
    )
    client.start_notebook_instance("nb")  # someone else's start won: no error
    starts = [r for r in sagemaker.requests if r.operation == "StartNotebookInstance"]
    assert len(starts) == 2


@pytest.mark.parametrize(
    ("status", "condition"),
    [("InService", "ready"), ("Pending", "starting"), ("Update_Failed", "failed")],
)
def test_studio_state(
    sagemaker: LocalSageMaker, client: PresignClient, status: str, condition: str
) -> None:
    domain = sagemaker.add_domain().domain_id
    sagemaker.add_user_profile(domain, "alice", status=status)
    assert client.studio_state(domain, "alice").condition == condition


def test_studio_state_of_a_space_counts_once_the_profile_is_in_service(
    sagemaker: LocalSageMaker, client: PresignClient
) -> None:
    domain = sagemaker.add_domain().domain_id
    sagemaker.add_user_profile(domain, "alice")
    sagemaker.add_space(domain, "team", status="Deleting")
    assert client.studio_state(domain, "alice", "team") == ResourceState("gone", "Deleting")


@pytest.mark.skipif(not has("DescribeMlflowTrackingServer"), reason="this botocore lacks MLflow")
@pytest.mark.parametrize(
    ("status", "condition"),
    [
        ("Started", "ready"),
        ("Updated", "ready"),
        ("Stopped", "startable"),
        ("Starting", "starting"),
        ("StartFailed", "failed"),
        ("Deleting", "gone"),
    ],
)
def test_mlflow_tracking_server_state(
    sagemaker: LocalSageMaker, client: PresignClient, status: str, condition: str
) -> None:
    sagemaker.add_mlflow_tracking_server("tracker", status=status)
    assert client.mlflow_tracking_server_state("tracker").condition == condition


@pytest.mark.skipif(not has("DescribeMlflowTrackingServer"), reason="this botocore lacks MLflow")
def test_start_mlflow_tracking_server(sagemaker: LocalSageMaker, client: PresignClient) -> None:
    sagemaker.add_mlflow_tracking_server("tracker", status="Stopped")
    client.start_mlflow_tracking_server("tracker")
    assert client.mlflow_tracking_server_state("tracker").status == "Starting"


@pytest.mark.anyio
async def test_the_async_twins(sagemaker: LocalSageMaker, client: PresignClient) -> None:
    sagemaker.add_notebook_instance("nb", status="Stopped")
    domain = sagemaker.add_domain().domain_id
    sagemaker.add_user_profile(domain, "alice")
    async with AsyncPresignClient.from_sync(client) as aclient:
        assert (await aclient.notebook_instance_state("nb")).condition == "startable"
        await aclient.start_notebook_instance("nb")
        assert (await aclient.notebook_instance_state("nb")).condition == "starting"
        assert (await aclient.studio_state(domain, "alice")).is_ready


def test_bad_names_are_refused_before_asking(
    sagemaker: LocalSageMaker, client: PresignClient
) -> None:
    from sagemaker_presign import InvalidParameterError

    for call in (
        lambda: client.notebook_instance_state("-bad-"),
        lambda: client.start_notebook_instance(""),
        lambda: client.studio_state("not a domain", "alice"),
        lambda: client.mlflow_tracking_server_state("bad_name"),
    ):
        with pytest.raises(InvalidParameterError):
            call()
    assert sagemaker.requests == []
