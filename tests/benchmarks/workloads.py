"""The in-process workloads of the benchmark, each run in a fresh interpreter:

    python tests/benchmarks/workloads.py KIND ENDPOINT NAME [N]

prints one JSON object. KIND is ``warm`` (N calls on a PresignClient against N on a bare boto3
client, alternating), ``memory`` (what N calls leave behind: bytes our code allocated, live blocks),
``async`` (N concurrent presigns: asyncio's default executor over a pool of 10, as
AsyncPresignClient did before, against AsyncPresignClient) or ``threads`` (N threads sharing
one client, ours against a bare boto3 client, counting urllib3's discarded connections).
"""

from __future__ import annotations

import asyncio
import gc
import json
import logging
import statistics
import sys
import threading
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any

import boto3
from botocore.config import Config

import sagemaker_presign
from sagemaker_presign import AsyncPresignClient, PresignClient

POOL_FULL = "Connection pool is full"
BLOCK = 10  # calls per timed block in the warm comparison


def ours(endpoint: str, config: Config | None = None) -> PresignClient:
    return PresignClient(region_name="us-east-1", endpoint_url=endpoint, config=config)


def bare(endpoint: str) -> Any:
    return boto3.client("sagemaker", region_name="us-east-1", endpoint_url=endpoint)  # pyright: ignore[reportUnknownMemberType]


def warm(endpoint: str, name: str, calls: int) -> dict[str, float]:
    """Seconds for *calls* calls each, and ``paired``: the median, over pairs of neighbouring
    blocks (one of each), of ours / bare, which a burst of the shared machine's other work
    moves far less than it moves the totals."""
    presign, raw = ours(endpoint), bare(endpoint)

    def run_ours() -> None:
        presign.create_presigned_url(name)

    def run_bare() -> None:
        raw.create_presigned_notebook_instance_url(NotebookInstanceName=name)["AuthorizedUrl"]

    for warm_up in (run_ours, run_bare):
        for _ in range(100):
            warm_up()
    blocks: dict[str, list[float]] = {"ours": [], "bare": []}
    # Small blocks in ABBA order, so that a slow patch of the machine hits both alike.
    for index in range(calls // BLOCK):
        pair: list[tuple[str, Callable[[], None]]] = [("ours", run_ours), ("bare", run_bare)]
        for label, call in pair if index % 2 == 0 else pair[::-1]:
            start = time.perf_counter()
            for _ in range(BLOCK):
                call()
            blocks[label].append(time.perf_counter() - start)
    return {
        "ours": sum(blocks["ours"]),
        "bare": sum(blocks["bare"]),
        "paired": statistics.median(
            a / b for a, b in zip(blocks["ours"], blocks["bare"], strict=True)
        ),
    }


def memory(endpoint: str, name: str, calls: int) -> dict[str, float]:
    """What *calls* warm calls leave behind: the bytes still held that our own code allocated
    (traced by tracemalloc), and the process's live blocks, for a PresignClient and, as the
    peer, a bare boto3 client (botocore's caches grow a little either way)."""
    presign, raw = ours(endpoint), bare(endpoint)
    package = str(Path(sagemaker_presign.__file__).parent / "*")

    def growth(call: Callable[[], object]) -> tuple[int, int]:
        """(bytes our code allocated and still holds, if traced; live blocks gained)."""
        for _ in range(1000):  # caches, the connection, lazily built parts: all in place
            call()
        traced = tracemalloc.is_tracing()
        gc.collect()
        blocks = sys.getallocatedblocks()
        before = tracemalloc.take_snapshot() if traced else None
        for _ in range(calls):
            call()
        gc.collect()
        blocks = sys.getallocatedblocks() - blocks
        if before is None:
            return 0, blocks
        ours_only = [tracemalloc.Filter(inclusive=True, filename_pattern=package)]
        kept = (
            tracemalloc.take_snapshot()
            .filter_traces(ours_only)
            .compare_to(before.filter_traces(ours_only), "filename")
        )
        return sum(stat.size_diff for stat in kept), blocks

    def ours_call() -> None:
        presign.create_presigned_url(name)

    _, ours_blocks = growth(ours_call)
    _, bare_blocks = growth(
        lambda: raw.create_presigned_notebook_instance_url(NotebookInstanceName=name)
    )
    tracemalloc.start(1)  # the allocating line only; slow, so for our client alone
    ours_bytes, _ = growth(ours_call)
    return {
        "calls": calls,
        "ours_bytes": ours_bytes,
        "ours_blocks": ours_blocks,
        "bare_blocks": bare_blocks,
    }


class PoolFullCounter(logging.Handler):
    """Counts urllib3's "Connection pool is full, discarding connection" warnings."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.count = 0

    def emit(self, record: logging.LogRecord) -> None:
        if POOL_FULL in record.getMessage():
            self.count += 1

    def __enter__(self) -> PoolFullCounter:
        logging.getLogger("urllib3.connectionpool").addHandler(self)
        return self

    def __exit__(self, *exc: object) -> None:
        logging.getLogger("urllib3.connectionpool").removeHandler(self)


def async_throughput(endpoint: str, name: str, tasks: int) -> dict[str, float]:
    async def before() -> None:
        # AsyncPresignClient as it was: asyncio's default executor, botocore's pool of 10.
        sync = ours(endpoint, Config(max_pool_connections=10))
        loop = asyncio.get_running_loop()
        await asyncio.gather(
            *(loop.run_in_executor(None, sync.create_presigned_url, name) for _ in range(tasks))
        )
        sync.close()

    async def now() -> None:
        async with AsyncPresignClient(region_name="us-east-1", endpoint_url=endpoint) as client:
            await asyncio.gather(*(client.create_presigned_url(name) for _ in range(tasks)))

    figures: dict[str, float] = {"tasks": tasks}
    for label, workload in (("before", before), ("ours", now)):
        with PoolFullCounter() as discards:
            start = time.perf_counter()
            asyncio.run(workload())
            figures[f"{label}_per_s"] = tasks / (time.perf_counter() - start)
        figures[f"{label}_discards"] = discards.count
    return figures


def threads(endpoint: str, name: str, count: int) -> dict[str, float]:
    def hammer(call: Callable[[], object]) -> int:
        with PoolFullCounter() as discards:
            workers = [
                threading.Thread(target=lambda: [call() for _ in range(3)]) for _ in range(count)
            ]
            for worker in workers:
                worker.start()
            for worker in workers:
                worker.join()
        return discards.count

    presign, raw = ours(endpoint), bare(endpoint)
    return {
        "threads": count,
        "ours_discards": hammer(lambda: presign.create_presigned_url(name)),
        "bare_discards": hammer(
            lambda: raw.create_presigned_notebook_instance_url(NotebookInstanceName=name)
        ),
    }


KINDS: dict[str, Callable[[str, str, int], dict[str, float]]] = {
    "warm": warm,
    "memory": memory,
    "async": async_throughput,
    "threads": threads,
}

if __name__ == "__main__":
    kind, endpoint, name, count = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
    print(json.dumps(KINDS[kind](endpoint, name, count)))
