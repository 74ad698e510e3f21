"""AsyncPresignClient: PresignClient for asyncio code, without a new dependency.

Each boto3 call runs in a worker thread (``asyncio.to_thread``), so the event loop never blocks
on the network; waiting sleeps with ``asyncio.sleep``, so a wait can be cancelled at once. The
decisions and the loop of the wait are the synchronous client's (``wait_steps``), not a copy.
"""

from __future__ import annotations

import asyncio
import functools
import time
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import TYPE_CHECKING

from ._client import PresignClient
from ._lifecycle import Waiter, in_daemon_thread, run_async
from ._validation import validate_notebook_instance_name

if TYPE_CHECKING:
    from types import TracebackType

    import boto3
    from botocore.client import BaseClient
    from botocore.config import Config
    from typing_extensions import Self

    from ._result import PresignedNotebookUrl
    from ._status import NotebookInstanceStatus


class AsyncPresignClient:
    """The asyncio twin of `PresignClient`: same arguments, same methods, awaitable.

    Build it exactly as a PresignClient (a ready boto3 client, or the arguments to build one);
    building happens in the constructor, before any loop is needed.
    """

    def __init__(
        self,
        sagemaker_client: BaseClient | None = None,
        *,
        session: boto3.Session | None = None,
        region_name: str | None = None,
        profile_name: str | None = None,
        endpoint_url: str | None = None,
        config: Config | None = None,
    ) -> None:
        self._sync = PresignClient(
            sagemaker_client,
            session=session,
            region_name=region_name,
            profile_name=profile_name,
            endpoint_url=endpoint_url,
            config=config,
        )

    @classmethod
    def from_sync(cls, client: PresignClient) -> AsyncPresignClient:
        """Share an existing PresignClient (and its connections) with asyncio code."""
        instance = cls.__new__(cls)
        instance._sync = client
        return instance

    @property
    def sync_client(self) -> PresignClient:
        """The PresignClient doing the work in worker threads."""
        return self._sync

    async def create_presigned_url(
        self,
        notebook_instance_name: str,
        *,
        session_duration: int | timedelta | None = None,
    ) -> PresignedNotebookUrl:
        """Like `PresignClient.create_presigned_url`; ``issued_at`` is still read just
        before the request is sent, in the worker thread."""
        return await asyncio.to_thread(
            self._sync.create_presigned_url,
            notebook_instance_name,
            session_duration=session_duration,
        )

    async def get_status(self, notebook_instance_name: str) -> NotebookInstanceStatus:
        """Like `PresignClient.get_status`."""
        return await asyncio.to_thread(self._sync.get_status, notebook_instance_name)

    async def wait_until_in_service(
        self,
        notebook_instance_name: str,
        *,
        start: bool = False,
        timeout: float | timedelta = 1200,
        poll_interval: float | timedelta | None = None,
        on_status: Callable[[NotebookInstanceStatus], object] | None = None,
        sleep: Callable[[float], Awaitable[object]] = asyncio.sleep,
        clock: Callable[[], float] = time.monotonic,
    ) -> NotebookInstanceStatus:
        """Like `PresignClient.wait_until_in_service`, sleeping with ``asyncio.sleep``.

        Cancelling the task ends the wait at once (a request in flight finishes in its
        thread), and so does the timeout, within the same bound as the synchronous wait.
        """
        name = validate_notebook_instance_name(notebook_instance_name)
        waiter = Waiter(
            name,
            start=start,
            timeout=timeout,
            poll_interval=self._sync._default_poll_interval  # pyright: ignore[reportPrivateUsage]
            if poll_interval is None
            else poll_interval,
            on_status=on_status,
            now=clock(),
        )
        # Same package: the sync client's requests, with their error translation, each in a
        # worker thread; the deadline is kept here, on the loop.
        requests = self._sync._wait_requests(name)  # pyright: ignore[reportPrivateUsage]
        threaded = {
            step: functools.partial(in_daemon_thread, request) for step, request in requests.items()
        }
        return await run_async(waiter, threaded, sleep, clock)

    async def close(self) -> None:
        """Like `PresignClient.close`."""
        await asyncio.to_thread(self._sync.close)

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()

    def __repr__(self) -> str:
        return f"Async{self._sync!r}"
