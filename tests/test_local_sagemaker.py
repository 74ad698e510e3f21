"""LocalSageMaker itself: a real AWS JSON 1.1 endpoint an unmodified boto3 client can use."""

from __future__ import annotations

import http.client
import json
import socket

import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from sagemaker_presign import PresignClient
from sagemaker_presign.testing import LocalSageMaker

from .support import NOTEBOOK, new_client, raw_client


def post(
    sagemaker: LocalSageMaker, body: bytes, headers: dict[str, str]
) -> tuple[int, dict[str, str], dict[str, str]]:
    host, port = sagemaker.endpoint_url.removeprefix("http://").split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=5)
    try:
        connection.request("POST", "/", body=body, headers=headers)
        response = connection.getresponse()
        payload = json.loads(response.read())
        return response.status, {k.lower(): v for k, v in response.getheaders()}, payload
    finally:
        connection.close()


def test_binds_to_loopback_on_a_free_port() -> None:
    with LocalSageMaker() as first, LocalSageMaker() as second:
        assert first.endpoint_url.startswith("http://127.0.0.1:")
        assert first.endpoint_url != second.endpoint_url
    with pytest.raises(RuntimeError, match="not running"):
        _ = first.endpoint_url


def test_the_port_is_free_after_stop() -> None:
    local = LocalSageMaker().start()
    port = int(local.endpoint_url.rsplit(":", 1)[1])
    local.stop()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", port))


def test_unsigned_requests_are_refused(sagemaker: LocalSageMaker) -> None:
    status, headers, payload = post(
        sagemaker,
        json.dumps({"NotebookInstanceName": NOTEBOOK}).encode(),
        {
            "X-Amz-Target": "SageMaker.CreatePresignedNotebookInstanceUrl",
            "Content-Type": "application/x-amz-json-1.1",
        },
    )
    assert status == 403
    assert payload["__type"] == "MissingAuthenticationTokenException"
    assert headers["x-amzn-requestid"]
    assert sagemaker.requests[0].operation == "CreatePresignedNotebookInstanceUrl"
    assert sagemaker.notebook_instance(NOTEBOOK).issued_urls == []


def test_unknown_operations_are_refused(sagemaker: LocalSageMaker) -> None:
    status, _, payload = post(
        sagemaker,
        b"{}",
        {
            "X-Amz-Target": "SageMaker.ListEverything",
            "Authorization": "AWS4-HMAC-SHA256 Credential=x",
        },
    )
    assert (status, payload["__type"]) == (400, "UnknownOperationException")


def test_a_plain_boto3_client_works(sagemaker: LocalSageMaker) -> None:
    raw = raw_client(sagemaker)
    response = raw.create_presigned_notebook_instance_url(NotebookInstanceName=NOTEBOOK)
    assert response["AuthorizedUrl"] == sagemaker.notebook_instance(NOTEBOOK).issued_urls[-1]
    metadata = response.get("ResponseMetadata", {})
    assert metadata.get("RequestId")
    assert metadata.get("HTTPStatusCode") == 200


def test_faults_are_consumed_in_order_and_per_operation(sagemaker: LocalSageMaker) -> None:
    raw = raw_client(sagemaker, config=Config(retries={"total_max_attempts": 1}))
    sagemaker.fail_next("NotForThisOperation", operation="DescribeNotebookInstance")
    sagemaker.fail_next("FirstError", status=400)
    sagemaker.fail_next("SecondError", status=418, message="short and stout")
    with pytest.raises(ClientError, match="FirstError"):
        raw.create_presigned_notebook_instance_url(NotebookInstanceName=NOTEBOOK)
    with pytest.raises(ClientError, match="SecondError") as caught:
        raw.create_presigned_notebook_instance_url(NotebookInstanceName=NOTEBOOK)
    response = caught.value.response
    assert response.get("ResponseMetadata", {}).get("HTTPStatusCode") == 418
    assert response.get("Error", {}).get("Message") == "short and stout"
    raw.create_presigned_notebook_instance_url(NotebookInstanceName=NOTEBOOK)
    sagemaker.clear_faults()
    sagemaker.clear_requests()
    raw.create_presigned_notebook_instance_url(NotebookInstanceName=NOTEBOOK)
    assert len(sagemaker.requests) == 1


def test_replacing_an_instance_and_unknown_lookup(sagemaker: LocalSageMaker) -> None:
    sagemaker.add_notebook_instance(NOTEBOOK, status="Stopped")
    assert sagemaker.notebook_instance(NOTEBOOK).status == "Stopped"
    with pytest.raises(KeyError, match="no notebook instance 'other'"):
        sagemaker.notebook_instance("other")


def test_runs_as_its_own_process() -> None:
    import signal
    import subprocess
    import sys

    import boto3

    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "sagemaker_presign.testing",
            "--notebook",
            "a-nb",
            "--notebook",
            "b-nb:Stopped",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert server.stdout is not None
        endpoint = server.stdout.readline().strip()
        assert endpoint.startswith("http://127.0.0.1:")
        session = boto3.Session(
            aws_access_key_id="a", aws_secret_access_key="b", region_name="us-east-1"
        )
        raw = new_client(session, endpoint_url=endpoint)
        described = raw.describe_notebook_instance(NotebookInstanceName="b-nb")
        assert described.get("NotebookInstanceStatus") == "Stopped"
        url = raw.create_presigned_notebook_instance_url(NotebookInstanceName="a-nb")
        assert url.get("AuthorizedUrl", "").startswith("https://a-nb.notebook.us-east-1.")
    finally:
        server.send_signal(signal.SIGTERM)
        server.communicate(timeout=10)
    assert server.returncode == 0


def test_its_clients_wait_quickly_by_default() -> None:
    with LocalSageMaker() as local:
        local.add_notebook_instance("quick-nb", status="Stopped")
        slept: list[float] = []
        local.client().wait_until_in_service("quick-nb", start=True, sleep=slept.append)
    assert slept
    assert set(slept) == {0.05}, "LocalSageMaker's clients poll every 50 ms, not every 10 s"
    # Any other client keeps the 10 s meant for the real service.
    with LocalSageMaker() as local:
        local.add_notebook_instance("slow-nb", status="Stopped")
        slept.clear()
        client = PresignClient(local.boto3_client())
        client.wait_until_in_service("slow-nb", start=True, sleep=slept.append)
    assert set(slept) == {10.0}
