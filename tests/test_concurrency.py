"""Many threads and many tasks sharing one client: the pool is sized for them, the async client
has an executor of its own. Structural checks only; the throughput is the benchmark's."""

from __future__ import annotations

import asyncio
import logging
import threading
from typing import Any

import pytest
from botocore.config import Config

from sagemaker_presign import AsyncPresignClient, PresignClient
from sagemaker_presign._configuration import POOL_SIZE
from sagemaker_presign.testing import DUMMY_ACCESS_KEY_ID, DUMMY_SECRET_ACCESS_KEY, LocalSageMaker

from .support import NOTEBOOK

POOL_FULL = "Connection pool is full"


@pytest.fixture
def signed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", DUMMY_ACCESS_KEY_ID)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", DUMMY_SECRET_ACCESS_KEY)


def pool_size(client: PresignClient) -> int:
    meta: Any = client.sagemaker_client.meta
    return int(meta.config.max_pool_connections)


@pytest.mark.usefixtures("signed")
def test_clients_we_build_size_their_pool_unless_told(sagemaker: LocalSageMaker) -> None:
    with PresignClient(region_name="us-east-1", endpoint_url=sagemaker.endpoint_url) as built:
        assert pool_size(built) == POOL_SIZE
    with sagemaker.client() as from_session:
        assert pool_size(from_session) == POOL_SIZE, "built from the caller's session too"
    with PresignClient(
        region_name="us-east-1",
        endpoint_url=sagemaker.endpoint_url,
        config=Config(max_pool_connections=5),
    ) as told:
        assert pool_size(told) == 5
    raw = sagemaker.boto3_client()
    assert pool_size(PresignClient(raw)) == 10, "a client you pass is used as it is"
    raw.close()


def hammer(client: PresignClient, threads: int, calls: int) -> None:
    failures: list[BaseException] = []

    def work() -> None:
        try:
            for _ in range(calls):
                client.create_presigned_url(NOTEBOOK)
        except BaseException as exc:  # reported below
            failures.append(exc)

    workers = [threading.Thread(target=work) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=120)
    assert failures == []


def test_sixty_four_threads_discard_no_connection(
    sagemaker: LocalSageMaker, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="urllib3.connectionpool")
    # Each request takes 50 ms, so the 64 threads' requests overlap.
    sagemaker.delay_next(0.05, times=64 * 3)
    with sagemaker.client() as ours:
        hammer(ours, threads=64, calls=3)
    assert [r for r in caplog.records if POOL_FULL in r.getMessage()] == []
    # The same load through botocore's default pool of 10 does discard: the check can fail.
    sagemaker.delay_next(0.05, times=64 * 3)
    raw = sagemaker.boto3_client()
    hammer(PresignClient(raw), threads=64, calls=3)
    raw.close()
    assert [r for r in caplog.records if POOL_FULL in r.getMessage()]


@pytest.mark.anyio
async def test_the_async_client_has_a_bounded_executor_of_its_own(
    sagemaker: LocalSageMaker,
) -> None:
    sync = sagemaker.client()
    aclient = AsyncPresignClient.from_sync(sync, max_workers=4)
    assert aclient.max_workers == 4
    sagemaker.delay_next(0.02, times=40)
    results = await asyncio.gather(*(aclient.create_presigned_url(NOTEBOOK) for _ in range(40)))
    assert len({r.url for r in results}) == 40
    assert len(aclient._executor._threads) <= 4  # pyright: ignore[reportPrivateUsage]
    loop = asyncio.get_running_loop()
    assert getattr(loop, "_default_executor", None) is None, "asyncio's own is left alone"
    other = AsyncPresignClient.from_sync(sync)
    assert other.max_workers == POOL_SIZE
    await other.close()
    await aclient.close()


@pytest.mark.anyio
async def test_a_burst_of_tasks_discards_no_connection(
    sagemaker: LocalSageMaker, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="urllib3.connectionpool")
    aclient = AsyncPresignClient.from_sync(sagemaker.client())
    sagemaker.delay_next(0.05, times=200)
    await asyncio.gather(*(aclient.create_presigned_url(NOTEBOOK) for _ in range(200)))
    await aclient.close()
    assert [r for r in caplog.records if POOL_FULL in r.getMessage()] == []


def test_max_workers_is_checked(client: PresignClient) -> None:
    for wrong in (0, -1, True, 2.5):
        with pytest.raises(TypeError, match="max_workers"):
            AsyncPresignClient.from_sync(client, max_workers=wrong)  # type: ignore[arg-type]


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"
