"""AsyncPresignClient: the same behaviour as PresignClient, awaitable, cancellable."""

from __future__ import annotations

import asyncio
import time
from datetime import timedelta

import pytest

from sagemaker_presign import (
    AsyncPresignClient,
    InvalidNotebookInstanceNameError,
    NotebookInstanceNotFoundError,
    NotebookInstanceStatus,
    PresignClient,
    WaitTimeoutError,
)
from sagemaker_presign.testing import LocalSageMaker

from .support import FAST_CONFIG, NOTEBOOK

pytestmark = pytest.mark.anyio
S = NotebookInstanceStatus


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
def aclient(client: PresignClient) -> AsyncPresignClient:
    return AsyncPresignClient.from_sync(client)


async def no_sleep(_: float) -> None:
    await asyncio.sleep(0)


async def test_presign(sagemaker: LocalSageMaker, aclient: AsyncPresignClient) -> None:
    result = await aclient.create_presigned_url(NOTEBOOK, session_duration=3600)
    assert result.url == sagemaker.notebook_instance(NOTEBOOK).issued_urls[-1]
    assert result.session_duration == timedelta(hours=1)
    assert result.issued_at <= sagemaker.requests[0].received_at


async def test_errors_are_the_same(aclient: AsyncPresignClient, sagemaker: LocalSageMaker) -> None:
    with pytest.raises(NotebookInstanceNotFoundError):
        await aclient.create_presigned_url("no-such-nb")
    with pytest.raises(InvalidNotebookInstanceNameError):
        await aclient.wait_until_in_service("-bad-")
    assert len(sagemaker.requests) == 1


async def test_get_status(aclient: AsyncPresignClient) -> None:
    assert await aclient.get_status(NOTEBOOK) is S.IN_SERVICE


async def test_wait_starts_and_waits(
    sagemaker: LocalSageMaker, aclient: AsyncPresignClient
) -> None:
    sagemaker.add_notebook_instance(NOTEBOOK, status="Stopped")
    seen: list[NotebookInstanceStatus] = []
    status = await aclient.wait_until_in_service(
        NOTEBOOK, start=True, on_status=seen.append, sleep=no_sleep
    )
    assert status is S.IN_SERVICE
    assert seen == [S.STOPPED, S.PENDING, S.IN_SERVICE]
    assert [r.operation for r in sagemaker.requests].count("StartNotebookInstance") == 1


async def test_wait_times_out_on_its_clock(
    sagemaker: LocalSageMaker, aclient: AsyncPresignClient
) -> None:
    sagemaker.script_statuses(NOTEBOOK, ["Pending"])
    now = [0.0]

    async def advance(seconds: float) -> None:
        now[0] += seconds

    with pytest.raises(WaitTimeoutError) as caught:
        await aclient.wait_until_in_service(
            NOTEBOOK, timeout=timedelta(seconds=25), sleep=advance, clock=lambda: now[0]
        )
    assert caught.value.last_status is S.PENDING


async def test_waiting_is_cancellable(
    sagemaker: LocalSageMaker, aclient: AsyncPresignClient
) -> None:
    sagemaker.script_statuses(NOTEBOOK, ["Pending"])
    waiting = asyncio.Event()
    task = asyncio.create_task(
        aclient.wait_until_in_service(
            NOTEBOOK, poll_interval=timedelta(minutes=5), on_status=lambda _: waiting.set()
        )
    )
    await asyncio.wait_for(waiting.wait(), timeout=10)
    started = time.monotonic()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert time.monotonic() - started < 1.0, "cancelled in the sleep, not after it"
    assert [r.operation for r in sagemaker.requests] == ["DescribeNotebookInstance"]


async def test_calls_run_concurrently_without_blocking_the_loop(sagemaker: LocalSageMaker) -> None:
    sagemaker.delay_next(0.3, times=10)
    ticks = 0

    async def heartbeat() -> None:
        nonlocal ticks
        while True:
            await asyncio.sleep(0.01)
            ticks += 1

    beat = asyncio.create_task(heartbeat())
    started = time.monotonic()
    async with AsyncPresignClient(
        session=sagemaker.boto3_session(), endpoint_url=sagemaker.endpoint_url, config=FAST_CONFIG
    ) as aclient:
        results = await asyncio.gather(*(aclient.create_presigned_url(NOTEBOOK) for _ in range(10)))
    elapsed = time.monotonic() - started
    beat.cancel()
    assert len({r.url for r in results}) == 10
    assert elapsed < 2.0, "ten 0.3 s calls overlapped instead of queueing"
    assert ticks >= 10, "the event loop kept running while the calls were in flight"


def test_same_constructor_rules_as_the_sync_client(sagemaker: LocalSageMaker) -> None:
    with pytest.raises(TypeError, match="not both"):
        AsyncPresignClient(sagemaker.boto3_client(), region_name="us-east-1")
    client = AsyncPresignClient(sagemaker.boto3_client())
    assert repr(client).startswith("AsyncPresignClient(region_name='us-east-1'")
    assert isinstance(client.sync_client, PresignClient)


async def test_the_timeout_bounds_a_request_in_flight(sagemaker: LocalSageMaker) -> None:
    from botocore.config import Config

    config = Config(read_timeout=60, retries={"mode": "standard", "total_max_attempts": 2})
    aclient = AsyncPresignClient.from_sync(sagemaker.client(config=config))
    sagemaker.script_statuses(NOTEBOOK, ["Pending"])
    sagemaker.delay_next(30, operation="DescribeNotebookInstance")
    began = time.monotonic()
    with pytest.raises(WaitTimeoutError, match="DescribeNotebookInstance was still unanswered"):
        await aclient.wait_until_in_service(NOTEBOOK, timeout=1, poll_interval=0.1)
    assert time.monotonic() - began < 1 + 1 + 5  # timeout + min(timeout, 5 s), and slack
