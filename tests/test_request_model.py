"""botocore's Stubber proves that the requests we build conform to botocore's service model."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import boto3
import pytest
from botocore.stub import Stubber

from sagemaker_presign import PresignClient, UnexpectedResponseError

from .support import new_client

URL = "https://demo-nb.notebook.eu-west-1.sagemaker.aws?authToken=stubbed"


@pytest.fixture
def stubbed() -> Iterator[tuple[PresignClient, Stubber]]:
    session = boto3.Session(
        aws_access_key_id="stub", aws_secret_access_key="stub", region_name="eu-west-1"
    )
    raw = new_client(session)
    with Stubber(raw) as stubber:
        yield PresignClient(raw), stubber
        stubber.assert_no_pending_responses()


def test_omitted_duration_leaves_the_key_out(stubbed: tuple[PresignClient, Stubber]) -> None:
    client, stubber = stubbed
    # expected_params must match exactly: an extra SessionExpirationDurationInSeconds fails.
    stubber.add_response(
        "create_presigned_notebook_instance_url",
        {"AuthorizedUrl": URL},
        expected_params={"NotebookInstanceName": "demo-nb"},
    )
    result = client.create_presigned_url("demo-nb")
    assert result.url == URL
    assert result.session_duration is None


@pytest.mark.parametrize("duration", [1800, 43200, timedelta(hours=2)])
def test_duration_is_sent_as_integer_seconds(
    stubbed: tuple[PresignClient, Stubber], duration: int | timedelta
) -> None:
    client, stubber = stubbed
    seconds = duration if isinstance(duration, int) else int(duration.total_seconds())
    stubber.add_response(
        "create_presigned_notebook_instance_url",
        {"AuthorizedUrl": URL},
        expected_params={
            "NotebookInstanceName": "demo-nb",
            "SessionExpirationDurationInSeconds": seconds,
        },
    )
    result = client.create_presigned_url("demo-nb", session_duration=duration)
    assert result.session_duration == timedelta(seconds=seconds)


def test_a_response_without_the_url_is_unexpected(stubbed: tuple[PresignClient, Stubber]) -> None:
    client, stubber = stubbed
    # The model marks AuthorizedUrl optional, so botocore lets an empty answer through.
    stubber.add_response("create_presigned_notebook_instance_url", {})
    with pytest.raises(UnexpectedResponseError, match="has no AuthorizedUrl"):
        client.create_presigned_url("demo-nb")
