"""AsyncPresignClient: PresignClient for asyncio code, without a new dependency.

Each boto3 call runs in a worker thread of the client's own bounded executor, so the event loop
never blocks on the network, and a burst of calls neither starves the application's default
executor nor overflows the connection pool. Waiting sleeps with ``asyncio.sleep``, so a wait
can be cancelled at once. The decisions and the loop of the wait are the synchronous client's
(``wait_steps``), not a copy.
"""

from __future__ import annotations

import asyncio
import functools
import time
from collections.abc import Awaitable, Callable, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from typing import TYPE_CHECKING, Any, Concatenate, ParamSpec, TypeVar

from ._client import PresignClient
from ._lifecycle import in_daemon_thread, run_async
from ._mlflow import MLFLOW
from ._notebook import NOTEBOOK
from ._studio import STUDIO

T = TypeVar("T")
P = ParamSpec("P")
F = TypeVar("F", bound=Callable[..., Any])

if TYPE_CHECKING:
    from types import TracebackType

    import boto3
    from botocore.client import BaseClient
    from botocore.config import Config
    from typing_extensions import Self

    from ._door import Door
    from ._status import MlflowTrackingServerStatus, NotebookInstanceStatus, StudioStatus


def _forward(
    method: Callable[Concatenate[PresignClient, P], T],
) -> Callable[[Callable[[Any], None]], Callable[Concatenate[AsyncPresignClient, P], Awaitable[T]]]:
    """Make the decorated stub *method* of PresignClient, as a coroutine method run in a
    worker thread of the client's executor: the same signature (for type checkers too), the
    same checks and errors. The stub gives only the name and the docstring."""

    def decorate(
        stub: Callable[[Any], None],
    ) -> Callable[Concatenate[AsyncPresignClient, P], Awaitable[T]]:
        async def forwarded(self: AsyncPresignClient, /, *args: P.args, **kwargs: P.kwargs) -> T:
            return await self.run_in_worker(method, self.sync_client, *args, **kwargs)

        return _named_like(forwarded, stub)

    return decorate


def _forward_list(
    method: Callable[Concatenate[PresignClient, P], Iterator[T]],
) -> Callable[
    [Callable[[Any], None]], Callable[Concatenate[AsyncPresignClient, P], Awaitable[list[T]]]
]:
    """As `_forward`, for a listing: every page read in the worker thread, as a list."""

    def every_page(client: PresignClient, /, *args: P.args, **kwargs: P.kwargs) -> list[T]:
        return list(method(client, *args, **kwargs))

    def decorate(
        stub: Callable[[Any], None],
    ) -> Callable[Concatenate[AsyncPresignClient, P], Awaitable[list[T]]]:
        async def forwarded(
            self: AsyncPresignClient, /, *args: P.args, **kwargs: P.kwargs
        ) -> list[T]:
            return await self.run_in_worker(every_page, self.sync_client, *args, **kwargs)

        return _named_like(forwarded, stub)

    return decorate


def _named_like(forwarded: F, stub: Callable[..., Any]) -> F:
    """*forwarded* under the stub's name and docstring (not ``functools.wraps``: its
    ``__wrapped__`` would make ``inspect.signature`` show the stub's empty one)."""
    forwarded.__name__ = stub.__name__
    forwarded.__qualname__ = stub.__qualname__
    forwarded.__doc__ = stub.__doc__
    return forwarded


class AsyncPresignClient:
    """The asyncio twin of `PresignClient`: same arguments, same methods, awaitable.

    Build it exactly as a PresignClient (a ready boto3 client, or the arguments to build one);
    building happens in the constructor, before any loop is needed. Its calls run on an
    executor of its own, not asyncio's default one shared with the rest of the application:
    *max_workers* threads (default: the client's connection pool size, 64 for clients the
    package builds), so that no worker waits for a connection and none is discarded.
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
        max_workers: int | None = None,
    ) -> None:
        self._sync = PresignClient(
            sagemaker_client,
            session=session,
            region_name=region_name,
            profile_name=profile_name,
            endpoint_url=endpoint_url,
            config=config,
        )
        self._executor = _executor_for(self._sync, max_workers)

    @classmethod
    def from_sync(
        cls, client: PresignClient, *, max_workers: int | None = None
    ) -> AsyncPresignClient:
        """Share an existing PresignClient (and its connections) with asyncio code."""
        instance = cls.__new__(cls)
        instance._sync = client
        instance._executor = _executor_for(client, max_workers)
        return instance

    @property
    def max_workers(self) -> int:
        """How many calls run at once, each in a worker thread of this client's own."""
        return self._executor._max_workers

    async def run_in_worker(self, call: Callable[P, T], /, *args: P.args, **kwargs: P.kwargs) -> T:
        """``call(*args, **kwargs)`` in a worker thread of this client's executor."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._executor, functools.partial(call, *args, **kwargs))

    @property
    def sync_client(self) -> PresignClient:
        """The PresignClient doing the work in worker threads."""
        return self._sync

    async def _wait(  # noqa: PLR0917 - the public waits' own arguments, passed on
        self,
        door: Door,
        values: Mapping[str, object],
        start: object,
        timeout: object,
        poll_interval: object,
        on_status: object,
        sleep: Callable[[float], Awaitable[object]],
        clock: Callable[[], float],
    ) -> Any:
        """The one wait loop, on the event loop; each request in a daemon thread."""
        waiter, requests = self._sync.plan_wait(
            door.name,
            values,
            start=start,
            timeout=timeout,
            poll_interval=poll_interval,
            on_status=on_status,
            now=clock(),
        )
        return await run_async(waiter, _threaded(requests), sleep, clock)

    # Every method but the waits is the PresignClient's, run in a worker thread: the same
    # signature, checks and errors (`_forward`). ``issued_at`` is still read just before the
    # request is sent, in the worker thread.

    @_forward(PresignClient.create_presigned_url)
    def create_presigned_url(self) -> None:
        """`PresignClient.create_presigned_url`, awaited (same arguments and errors)."""

    @_forward(PresignClient.get_status)
    def get_status(self) -> None:
        """`PresignClient.get_status`, awaited (same arguments and errors)."""

    @_forward(PresignClient.notebook_instance_state)
    def notebook_instance_state(self) -> None:
        """`PresignClient.notebook_instance_state`, awaited (same arguments and errors)."""

    @_forward(PresignClient.start_notebook_instance)
    def start_notebook_instance(self) -> None:
        """`PresignClient.start_notebook_instance`, awaited (same arguments and errors)."""

    @_forward(PresignClient.create_presigned_domain_url)
    def create_presigned_domain_url(self) -> None:
        """`PresignClient.create_presigned_domain_url`, awaited (same arguments and errors)."""

    @_forward(PresignClient.studio_state)
    def studio_state(self) -> None:
        """`PresignClient.studio_state`, awaited (same arguments and errors)."""

    @_forward(PresignClient.create_presigned_mlflow_tracking_server_url)
    def create_presigned_mlflow_tracking_server_url(self) -> None:
        """`PresignClient.create_presigned_mlflow_tracking_server_url`,
        awaited (same arguments and errors)."""

    @_forward(PresignClient.get_mlflow_tracking_server_status)
    def get_mlflow_tracking_server_status(self) -> None:
        """`PresignClient.get_mlflow_tracking_server_status`,
        awaited (same arguments and errors)."""

    @_forward(PresignClient.mlflow_tracking_server_state)
    def mlflow_tracking_server_state(self) -> None:
        """`PresignClient.mlflow_tracking_server_state`, awaited (same arguments and errors)."""

    @_forward(PresignClient.start_mlflow_tracking_server)
    def start_mlflow_tracking_server(self) -> None:
        """`PresignClient.start_mlflow_tracking_server`, awaited (same arguments and errors)."""

    @_forward(PresignClient.create_presigned_mlflow_app_url)
    def create_presigned_mlflow_app_url(self) -> None:
        """`PresignClient.create_presigned_mlflow_app_url`, awaited (same arguments and errors)."""

    @_forward(PresignClient.create_partner_app_presigned_url)
    def create_partner_app_presigned_url(self) -> None:
        """`PresignClient.create_partner_app_presigned_url`, awaited (same arguments and errors)."""

    @_forward(PresignClient.create_hub_content_presigned_urls)
    def create_hub_content_presigned_urls(self) -> None:
        """`PresignClient.create_hub_content_presigned_urls`,
        awaited (same arguments and errors)."""

    @_forward(PresignClient.download_hub_content)
    def download_hub_content(self) -> None:
        """`PresignClient.download_hub_content`, awaited (same arguments and errors)."""

    @_forward(PresignClient.status)
    def status(self) -> None:
        """`PresignClient.status`, awaited (same arguments and errors)."""

    @_forward(PresignClient.start)
    def start(self) -> None:
        """`PresignClient.start`, awaited (same arguments and errors)."""

    @_forward(PresignClient.presign)
    def presign(self) -> None:
        """`PresignClient.presign`, awaited (same arguments and errors)."""

    @_forward(PresignClient.resolve_domain_id)
    def resolve_domain_id(self) -> None:
        """`PresignClient.resolve_domain_id`, awaited (same arguments and errors)."""

    @_forward_list(PresignClient.list_notebook_instances)
    def list_notebook_instances(self) -> None:
        """`PresignClient.list_notebook_instances`, awaited: every page, as a list."""

    @_forward_list(PresignClient.list_domains)
    def list_domains(self) -> None:
        """`PresignClient.list_domains`, awaited: every page, as a list."""

    @_forward_list(PresignClient.list_user_profiles)
    def list_user_profiles(self) -> None:
        """`PresignClient.list_user_profiles`, awaited: every page, as a list."""

    @_forward_list(PresignClient.list_spaces)
    def list_spaces(self) -> None:
        """`PresignClient.list_spaces`, awaited: every page, as a list."""

    @_forward_list(PresignClient.list_mlflow_tracking_servers)
    def list_mlflow_tracking_servers(self) -> None:
        """`PresignClient.list_mlflow_tracking_servers`, awaited: every page, as a list."""

    @_forward_list(PresignClient.list_mlflow_apps)
    def list_mlflow_apps(self) -> None:
        """`PresignClient.list_mlflow_apps`, awaited: every page, as a list."""

    @_forward_list(PresignClient.list_partner_apps)
    def list_partner_apps(self) -> None:
        """`PresignClient.list_partner_apps`, awaited: every page, as a list."""

    @_forward_list(PresignClient.list_hub_contents)
    def list_hub_contents(self) -> None:
        """`PresignClient.list_hub_contents`, awaited: every page, as a list."""

    # --- the waits: written out, sleeping with asyncio.sleep on the event loop ---

    async def wait_until_in_service(
        self,
        notebook_instance_name: str,
        *,
        start: bool = False,
        timeout: float | timedelta | None = None,
        poll_interval: float | timedelta | None = None,
        on_status: Callable[[NotebookInstanceStatus], object] | None = None,
        sleep: Callable[[float], Awaitable[object]] = asyncio.sleep,
        clock: Callable[[], float] = time.monotonic,
    ) -> NotebookInstanceStatus:
        """Like `PresignClient.wait_until_in_service`, sleeping with ``asyncio.sleep``.

        Cancelling the task ends the wait at once (a request in flight finishes in its
        thread), and so does the timeout, within the same bound as the synchronous wait.
        """
        values = {"notebook_instance_name": notebook_instance_name}
        status: NotebookInstanceStatus = await self._wait(
            NOTEBOOK, values, start, timeout, poll_interval, on_status, sleep, clock
        )
        return status

    async def wait_until_studio_ready(
        self,
        domain_id: str,
        user_profile_name: str,
        *,
        space_name: str | None = None,
        timeout: float | timedelta | None = None,
        poll_interval: float | timedelta | None = None,
        on_status: Callable[[StudioStatus], object] | None = None,
        sleep: Callable[[float], Awaitable[object]] = asyncio.sleep,
        clock: Callable[[], float] = time.monotonic,
    ) -> StudioStatus:
        """Like `PresignClient.wait_until_studio_ready`, sleeping with ``asyncio.sleep``."""
        values = {
            "domain_id": domain_id,
            "user_profile_name": user_profile_name,
            "space_name": space_name,
        }
        status: StudioStatus = await self._wait(
            STUDIO, values, False, timeout, poll_interval, on_status, sleep, clock
        )
        return status

    async def wait_until_mlflow_tracking_server_ready(
        self,
        tracking_server_name: str,
        *,
        start: bool = False,
        timeout: float | timedelta | None = None,
        poll_interval: float | timedelta | None = None,
        on_status: Callable[[MlflowTrackingServerStatus], object] | None = None,
        sleep: Callable[[float], Awaitable[object]] = asyncio.sleep,
        clock: Callable[[], float] = time.monotonic,
    ) -> MlflowTrackingServerStatus:
        """Like `PresignClient.wait_until_mlflow_tracking_server_ready`, on the event loop."""
        values = {"tracking_server_name": tracking_server_name}
        status: MlflowTrackingServerStatus = await self._wait(
            MLFLOW, values, start, timeout, poll_interval, on_status, sleep, clock
        )
        return status

    async def close(self) -> None:
        """Like `PresignClient.close`; also lets this client's worker threads go."""
        await self.run_in_worker(self._sync.close)
        self._executor.shutdown(wait=False)

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


def _executor_for(client: PresignClient, max_workers: int | None) -> ThreadPoolExecutor:
    chosen: object = max_workers
    if max_workers is None:
        chosen = client.connection_pool_size or 10
    if isinstance(chosen, bool) or not isinstance(chosen, int) or chosen < 1:
        raise TypeError(f"max_workers must be a positive int, not {chosen!r}")
    return ThreadPoolExecutor(max_workers=chosen, thread_name_prefix="sagemaker-presign")


def _threaded(
    requests: Mapping[str, Callable[[], Any]],
) -> dict[str, Callable[[], Awaitable[Any]]]:
    """A wait's requests, each run in a daemon thread of its own (see `in_daemon_thread`)."""
    return {
        step: functools.partial(in_daemon_thread, request) for step, request in requests.items()
    }
