"""The lifecycle against moto's server: a third-party emulator checks our requests and parsing."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import boto3
import pytest
from moto.server import ThreadedMotoServer

from sagemaker_presign import (
    NotebookInstanceNotFoundError,
    NotebookInstanceNotInServiceError,
    NotebookInstanceStatus,
    PresignClient,
)

from .support import new_client

REGION = "us-east-1"
ROLE = "arn:aws:iam::123456789012:role/notebook"


@pytest.fixture(scope="module")
def moto_endpoint() -> Iterator[str]:
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture
def session() -> boto3.Session:
    return boto3.Session(aws_access_key_id="moto", aws_secret_access_key="moto", region_name=REGION)


def test_start_and_wait_against_moto(moto_endpoint: str, session: boto3.Session) -> None:
    raw = new_client(session, endpoint_url=moto_endpoint)
    raw.create_notebook_instance(
        NotebookInstanceName="moto-nb", InstanceType="ml.t3.medium", RoleArn=ROLE
    )
    raw.stop_notebook_instance(NotebookInstanceName="moto-nb")
    client = PresignClient(session=session, endpoint_url=moto_endpoint)
    assert client.get_status("moto-nb") is NotebookInstanceStatus.STOPPED

    with pytest.raises(NotebookInstanceNotInServiceError):
        client.wait_until_in_service("moto-nb")

    seen: list[NotebookInstanceStatus] = []
    status = client.wait_until_in_service(
        "moto-nb", start=True, poll_interval=timedelta(milliseconds=10), on_status=seen.append
    )
    assert status is NotebookInstanceStatus.IN_SERVICE
    assert seen[0] is NotebookInstanceStatus.STOPPED
    assert seen[-1] is NotebookInstanceStatus.IN_SERVICE
    described = raw.describe_notebook_instance(NotebookInstanceName="moto-nb")
    assert described.get("NotebookInstanceStatus") == "InService"


def test_unknown_instance_against_moto(moto_endpoint: str, session: boto3.Session) -> None:
    client = PresignClient(session=session, endpoint_url=moto_endpoint)
    with pytest.raises(NotebookInstanceNotFoundError):
        client.get_status("never-created")
