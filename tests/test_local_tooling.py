"""LocalSageMaker as a stand-in for tooling nobody here wrote: paginators, waiters, the AWS CLI."""

from __future__ import annotations

import http.client
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from sagemaker_presign.testing import DUMMY_ACCESS_KEY_ID, DUMMY_SECRET_ACCESS_KEY, LocalSageMaker

from .support import raw_client

if TYPE_CHECKING:
    from mypy_boto3_sagemaker.type_defs import WaiterConfigTypeDef

ROLE = "arn:aws:iam::123456789012:role/notebook"
FAST_WAIT: WaiterConfigTypeDef = {"Delay": 0, "MaxAttempts": 20}


@pytest.fixture
def quick() -> Iterator[LocalSageMaker]:
    """In-between statuses last one describe: waiters finish in milliseconds."""
    with LocalSageMaker(transition_polls=1) as local:
        yield local


def names(page: dict[str, Any]) -> list[str]:
    return [summary["NotebookInstanceName"] for summary in page["NotebookInstances"]]


def test_the_paginator_follows_every_page(quick: LocalSageMaker) -> None:
    for index in range(7):
        quick.add_notebook_instance(f"nb-{index}").creation_time = 1_700_000_000 + index
    paginator = raw_client(quick).get_paginator("list_notebook_instances")
    pages = list(paginator.paginate(PaginationConfig={"PageSize": 3}))
    assert [len(page["NotebookInstances"]) for page in pages] == [3, 3, 1]
    # The service's default order: newest first.
    assert [n for page in pages for n in names(dict(page))] == [f"nb-{i}" for i in range(6, -1, -1)]


def test_filters_and_sorting(quick: LocalSageMaker) -> None:
    client = raw_client(quick)
    quick.add_notebook_instance("alpha", status="Stopped").creation_time = 1_700_000_000
    quick.add_notebook_instance("beta").creation_time = 1_700_000_100
    quick.add_notebook_instance("alphabet", status="Failed").creation_time = 1_700_000_200
    quick.notebook_instance("beta").lifecycle_config_name = "install-tools"

    def listed(**kwargs: Any) -> list[str]:
        return names(dict(client.list_notebook_instances(**kwargs)))

    assert listed(NameContains="alpha") == ["alphabet", "alpha"]
    assert listed(StatusEquals="Stopped") == ["alpha"]
    assert listed(SortBy="Name", SortOrder="Ascending") == ["alpha", "alphabet", "beta"]
    assert listed(SortBy="Status", SortOrder="Ascending") == ["alphabet", "beta", "alpha"]
    middle = datetime.fromtimestamp(1_700_000_050, timezone.utc)
    assert listed(CreationTimeAfter=middle, SortOrder="Ascending") == ["beta", "alphabet"]
    assert listed(CreationTimeBefore=middle) == ["alpha"]
    assert listed(NotebookInstanceLifecycleConfigNameContains="tools") == ["beta"]
    assert listed(NameContains="nothing-like-this") == []
    summary = client.list_notebook_instances(NameContains="beta")["NotebookInstances"][0]
    assert summary.get("NotebookInstanceLifecycleConfigName") == "install-tools"
    assert summary.get("Url") == "beta.notebook.us-east-1.sagemaker.aws"
    with pytest.raises(Exception, match="between 1 and 100"):
        client.list_notebook_instances(MaxResults=101)


def test_create_wait_stop_wait_delete_wait(quick: LocalSageMaker) -> None:
    client = raw_client(quick)
    arn = client.create_notebook_instance(
        NotebookInstanceName="made-here",
        InstanceType="ml.t3.large",
        RoleArn=ROLE,
        VolumeSizeInGB=20,
        LifecycleConfigName="setup",
    )["NotebookInstanceArn"]
    assert arn == "arn:aws:sagemaker:us-east-1:123456789012:notebook-instance/made-here"
    client.get_waiter("notebook_instance_in_service").wait(
        NotebookInstanceName="made-here", WaiterConfig=FAST_WAIT
    )
    client.stop_notebook_instance(NotebookInstanceName="made-here")
    client.get_waiter("notebook_instance_stopped").wait(
        NotebookInstanceName="made-here", WaiterConfig=FAST_WAIT
    )
    client.update_notebook_instance(NotebookInstanceName="made-here", InstanceType="ml.m5.xlarge")
    described = client.describe_notebook_instance(NotebookInstanceName="made-here")
    assert described.get("NotebookInstanceStatus") == "Updating"
    client.get_waiter("notebook_instance_stopped").wait(
        NotebookInstanceName="made-here", WaiterConfig=FAST_WAIT
    )
    assert quick.notebook_instance("made-here").instance_type == "ml.m5.xlarge"
    client.delete_notebook_instance(NotebookInstanceName="made-here")
    client.get_waiter("notebook_instance_deleted").wait(
        NotebookInstanceName="made-here", WaiterConfig=FAST_WAIT
    )
    assert names(dict(client.list_notebook_instances())) == []


def test_lifecycle_calls_from_the_wrong_status_are_refused(quick: LocalSageMaker) -> None:
    client = raw_client(quick)
    quick.add_notebook_instance("running")
    with pytest.raises(Exception, match=r"Status \(InService\) not in \(\[Stopped, Failed\]\)"):
        client.delete_notebook_instance(NotebookInstanceName="running")
    with pytest.raises(Exception, match="duplicate"):
        client.create_notebook_instance(
            NotebookInstanceName="running", InstanceType="ml.t3.medium", RoleArn=ROLE
        )


def test_describe_returns_every_field_sagemaker_does(quick: LocalSageMaker) -> None:
    instance = quick.add_notebook_instance("full", status="Failed")
    instance.failure_reason = "The lifecycle configuration failed"
    instance.lifecycle_config_name = "setup"
    described = dict(raw_client(quick).describe_notebook_instance(NotebookInstanceName="full"))
    described.pop("ResponseMetadata")
    assert described["NotebookInstanceArn"] == (
        "arn:aws:sagemaker:us-east-1:123456789012:notebook-instance/full"
    )
    assert str(described["RoleArn"]).startswith("arn:aws:iam::123456789012:role/")
    for name in (
        "NotebookInstanceName",
        "NotebookInstanceStatus",
        "FailureReason",
        "Url",
        "InstanceType",
        "RoleArn",
        "VolumeSizeInGB",
        "DirectInternetAccess",
        "RootAccess",
        "PlatformIdentifier",
        "CreationTime",
        "LastModifiedTime",
        "NotebookInstanceLifecycleConfigName",
        "InstanceMetadataServiceConfiguration",
    ):
        assert name in described, name
    assert isinstance(described["CreationTime"], datetime)
    assert described["FailureReason"] == "The lifecycle configuration failed"


def test_a_status_sagemaker_does_not_have_is_refused(quick: LocalSageMaker) -> None:
    with pytest.raises(
        ValueError, match=r"'stopped'.*'Stopped'.*'InService'|'stopped'.*'InService'"
    ):
        quick.add_notebook_instance("nb", status="stopped")


def test_a_chunked_request_body_is_read(quick: LocalSageMaker) -> None:
    quick.add_notebook_instance("chunky")
    host, port = quick.endpoint_url.removeprefix("http://").split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=10)
    body = json.dumps({"NotebookInstanceName": "chunky"}).encode()
    connection.request(
        "POST",
        "/",
        body=iter([body[:7], body[7:]]),
        headers={
            "X-Amz-Target": "SageMaker.DescribeNotebookInstance",
            "Content-Type": "application/x-amz-json-1.1",
            "Authorization": "AWS4-HMAC-SHA256 Credential=x/20260101/us-east-1/sagemaker/x",
        },
        encode_chunked=True,
    )
    response = connection.getresponse()
    answer = json.loads(response.read())
    connection.close()
    assert response.status == 200, answer
    assert answer["NotebookInstanceName"] == "chunky"
    assert quick.requests[-1].body == {"NotebookInstanceName": "chunky"}


def test_the_command_line_server_takes_the_timing_and_says_how_to_use_it() -> None:
    server = subprocess.Popen(
        [
            *(sys.executable, "-m", "sagemaker_presign.testing", "--transition-polls", "0"),
            *("--notebook", "cli-nb:Stopped", "--region", "eu-west-1"),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert server.stdout is not None
        assert server.stderr is not None
        endpoint = server.stdout.readline().strip()
        how_to = "".join(server.stderr.readline() for _ in range(9))
        assert endpoint.startswith("http://127.0.0.1:")
        for named in ("AWS CLI", "boto3", "JS SDK", "AWS_ENDPOINT_URL_SAGEMAKER"):
            assert named in how_to
        import boto3

        client: Any = boto3.Session(
            aws_access_key_id="x", aws_secret_access_key="x", region_name="eu-west-1"
        ).client("sagemaker", endpoint_url=endpoint)  # pyright: ignore[reportUnknownMemberType]
        client.start_notebook_instance(NotebookInstanceName="cli-nb")
        # --transition-polls 0: the very next describe is past Pending.
        status = client.describe_notebook_instance(NotebookInstanceName="cli-nb")
        assert status["NotebookInstanceStatus"] == "InService"
    finally:
        server.terminate()
        server.communicate(timeout=10)


# --- the AWS CLI ------------------------------------------------------------------------------

AWS_CLI = os.environ.get("SAGEMAKER_PRESIGN_AWS_CLI", "")


@pytest.mark.skipif(
    not (AWS_CLI and Path(AWS_CLI).is_file()),
    reason="no AWS CLI: bash .ci/dev installs one in .venv-awscli and names it in "
    "SAGEMAKER_PRESIGN_AWS_CLI",
)
def test_the_aws_cli_drives_a_whole_lifecycle() -> None:
    # polls=0: the CLI's waiters (a fixed 30 s delay) succeed on their first describe.
    with LocalSageMaker(transition_polls=0) as local:
        env = {
            **os.environ,
            "AWS_ACCESS_KEY_ID": DUMMY_ACCESS_KEY_ID,
            "AWS_SECRET_ACCESS_KEY": DUMMY_SECRET_ACCESS_KEY,
            "AWS_DEFAULT_REGION": "us-east-1",
        }

        def aws(*args: str) -> str:
            proc = subprocess.run(
                [AWS_CLI, "sagemaker", *args, "--endpoint-url", local.endpoint_url],
                capture_output=True,
                text=True,
                timeout=120,
                env=env,
                check=False,
            )
            assert proc.returncode == 0, proc.stderr
            return proc.stdout

        created = json.loads(
            aws(
                "create-notebook-instance",
                *("--notebook-instance-name", "cli-nb", "--instance-type", "ml.t3.medium"),
                *("--role-arn", ROLE),
            )
        )
        assert created["NotebookInstanceArn"].endswith(":notebook-instance/cli-nb")
        aws("wait", "notebook-instance-in-service", "--notebook-instance-name", "cli-nb")
        url = json.loads(
            aws("create-presigned-notebook-instance-url", "--notebook-instance-name", "cli-nb")
        )["AuthorizedUrl"]
        assert url == local.notebook_instance("cli-nb").issued_urls[-1]
        listed = json.loads(aws("list-notebook-instances", "--name-contains", "cli"))
        assert [s["NotebookInstanceName"] for s in listed["NotebookInstances"]] == ["cli-nb"]
        aws("stop-notebook-instance", "--notebook-instance-name", "cli-nb")
        aws("wait", "notebook-instance-stopped", "--notebook-instance-name", "cli-nb")
        described = json.loads(
            aws("describe-notebook-instance", "--notebook-instance-name", "cli-nb")
        )
        assert described["NotebookInstanceStatus"] == "Stopped"
        aws("delete-notebook-instance", "--notebook-instance-name", "cli-nb")
        aws("wait", "notebook-instance-deleted", "--notebook-instance-name", "cli-nb")
        assert json.loads(aws("list-notebook-instances"))["NotebookInstances"] == []
