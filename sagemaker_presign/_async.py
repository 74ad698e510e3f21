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
from collections.abc import Awaitable, Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from typing import TYPE_CHECKING, Any, TypeVar

from ._client import PresignClient
from ._lifecycle import WaitPlan, in_daemon_thread, run_async
from ._mlflow import check_server_name
from ._studio import studio_names
from ._validation import validate_notebook_instance_name

T = TypeVar("T")

if TYPE_CHECKING:
    from types import TracebackType

    import boto3
    from botocore.client import BaseClient
    from botocore.config import Config
    from typing_extensions import Self

    from ._mlflow import PresignedMlflowAppUrl, PresignedMlflowTrackingServerUrl
    from ._notebook import PresignedNotebookUrl
    from ._partner_app import PresignedPartnerAppUrl
    from ._status import (
        MlflowTrackingServerStatus,
        NotebookInstanceStatus,
        ResourceState,
        StudioStatus,
    )
    from ._studio import LandingUri, PresignedDomainUrl
    from ._summaries import (
        DomainSummary,
        MlflowTrackingServerSummary,
        NotebookInstanceSummary,
        SpaceSummary,
        UserProfileSummary,
    )


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

    async def _run(self, call: Callable[..., T], /, *args: Any, **kwargs: Any) -> T:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._executor, functools.partial(call, *args, **kwargs))

    @property
    def sync_client(self) -> PresignClient:
        """The PresignClient doing the work in worker threads."""
        return self._sync

    async def _wait(  # noqa: PLR0917 - the public waits' own arguments, passed on
        self,
        plan: WaitPlan,
        start: object,
        timeout: object,
        poll_interval: object,
        on_status: object,
        sleep: Callable[[float], Awaitable[object]],
        clock: Callable[[], float],
    ) -> Any:
        """The one wait loop, on the event loop; each request in a daemon thread."""
        waiter = self._sync._plan_waiter(  # pyright: ignore[reportPrivateUsage]
            plan,
            start=start,
            timeout=timeout,
            poll_interval=poll_interval,
            on_status=on_status,
            now=clock(),
        )
        return await run_async(waiter, _threaded(plan.requests), sleep, clock)

    # --- notebook instances ---

    async def create_presigned_url(
        self,
        notebook_instance_name: str,
        *,
        session_duration: int | timedelta | None = None,
        landing_path: str | None = None,
    ) -> PresignedNotebookUrl:
        """Like `PresignClient.create_presigned_url`; ``issued_at`` is still read just
        before the request is sent, in the worker thread."""
        return await self._run(
            self._sync.create_presigned_url,
            notebook_instance_name,
            session_duration=session_duration,
            landing_path=landing_path,
        )

    async def get_status(self, notebook_instance_name: str) -> NotebookInstanceStatus:
        """Like `PresignClient.get_status`."""
        return await self._run(self._sync.get_status, notebook_instance_name)

    async def notebook_instance_state(self, notebook_instance_name: str) -> ResourceState:
        """`PresignClient.notebook_instance_state`, awaited."""
        return await self._run(self._sync.notebook_instance_state, notebook_instance_name)

    async def start_notebook_instance(self, notebook_instance_name: str) -> None:
        """`PresignClient.start_notebook_instance`, awaited."""
        await self._run(self._sync.start_notebook_instance, notebook_instance_name)

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
        plan = self._sync._notebook_plan(name)  # pyright: ignore[reportPrivateUsage]
        status: NotebookInstanceStatus = await self._wait(
            plan, start, timeout, poll_interval, on_status, sleep, clock
        )
        return status

    # --- Studio ---

    async def create_presigned_domain_url(
        self,
        domain_id: str,
        user_profile_name: str,
        *,
        space_name: str | None = None,
        landing_uri: str | LandingUri | None = None,
        session_duration: int | timedelta | None = None,
        expires_in: int | timedelta | None = None,
    ) -> PresignedDomainUrl:
        """Like `PresignClient.create_presigned_domain_url`."""
        return await self._run(
            self._sync.create_presigned_domain_url,
            domain_id,
            user_profile_name,
            space_name=space_name,
            landing_uri=landing_uri,
            session_duration=session_duration,
            expires_in=expires_in,
        )

    async def studio_state(
        self, domain_id: str, user_profile_name: str, space_name: str | None = None
    ) -> ResourceState:
        """`PresignClient.studio_state`, awaited."""
        return await self._run(self._sync.studio_state, domain_id, user_profile_name, space_name)

    async def wait_until_studio_ready(
        self,
        domain_id: str,
        user_profile_name: str,
        *,
        space_name: str | None = None,
        timeout: float | timedelta = 600,
        poll_interval: float | timedelta | None = None,
        on_status: Callable[[StudioStatus], object] | None = None,
        sleep: Callable[[float], Awaitable[object]] = asyncio.sleep,
        clock: Callable[[], float] = time.monotonic,
    ) -> StudioStatus:
        """Like `PresignClient.wait_until_studio_ready`, sleeping with ``asyncio.sleep``."""
        domain, profile, space = studio_names(domain_id, user_profile_name, space_name)
        plan = self._sync._studio_plan(domain, profile, space)  # pyright: ignore[reportPrivateUsage]
        status: StudioStatus = await self._wait(
            plan, False, timeout, poll_interval, on_status, sleep, clock
        )
        return status

    # --- MLflow ---

    async def create_presigned_mlflow_tracking_server_url(
        self,
        tracking_server_name: str,
        *,
        session_duration: int | timedelta | None = None,
        expires_in: int | timedelta | None = None,
    ) -> PresignedMlflowTrackingServerUrl:
        """Like `PresignClient.create_presigned_mlflow_tracking_server_url`."""
        return await self._run(
            self._sync.create_presigned_mlflow_tracking_server_url,
            tracking_server_name,
            session_duration=session_duration,
            expires_in=expires_in,
        )

    async def get_mlflow_tracking_server_status(
        self, tracking_server_name: str
    ) -> MlflowTrackingServerStatus:
        """Like `PresignClient.get_mlflow_tracking_server_status`."""
        return await self._run(self._sync.get_mlflow_tracking_server_status, tracking_server_name)

    async def mlflow_tracking_server_state(self, tracking_server_name: str) -> ResourceState:
        """`PresignClient.mlflow_tracking_server_state`, awaited."""
        return await self._run(self._sync.mlflow_tracking_server_state, tracking_server_name)

    async def start_mlflow_tracking_server(self, tracking_server_name: str) -> None:
        """`PresignClient.start_mlflow_tracking_server`, awaited."""
        await self._run(self._sync.start_mlflow_tracking_server, tracking_server_name)

    async def wait_until_mlflow_tracking_server_ready(
        self,
        tracking_server_name: str,
        *,
        start: bool = False,
        timeout: float | timedelta = 1800,
        poll_interval: float | timedelta | None = None,
        on_status: Callable[[MlflowTrackingServerStatus], object] | None = None,
        sleep: Callable[[float], Awaitable[object]] = asyncio.sleep,
        clock: Callable[[], float] = time.monotonic,
    ) -> MlflowTrackingServerStatus:
        """Like `PresignClient.wait_until_mlflow_tracking_server_ready`, on the event loop."""
        name = check_server_name(tracking_server_name)
        plan = self._sync._mlflow_plan(name)  # pyright: ignore[reportPrivateUsage]
        status: MlflowTrackingServerStatus = await self._wait(
            plan, start, timeout, poll_interval, on_status, sleep, clock
        )
        return status

    async def create_presigned_mlflow_app_url(
        self,
        arn: str,
        *,
        session_duration: int | timedelta | None = None,
        expires_in: int | timedelta | None = None,
    ) -> PresignedMlflowAppUrl:
        """Like `PresignClient.create_presigned_mlflow_app_url`."""
        return await self._run(
            self._sync.create_presigned_mlflow_app_url,
            arn,
            session_duration=session_duration,
            expires_in=expires_in,
        )

    # --- finding what to open (lists: every page is fetched in a worker thread) ---

    async def list_notebook_instances(
        self, *, name_contains: str | None = None, status: str | None = None
    ) -> list[NotebookInstanceSummary]:
        """Like `PresignClient.list_notebook_instances`, every page read, as a list."""
        return await self._run(
            lambda: list(
                self._sync.list_notebook_instances(name_contains=name_contains, status=status)
            )
        )

    async def list_domains(self) -> list[DomainSummary]:
        """Like `PresignClient.list_domains`, as a list."""
        return await self._run(lambda: list(self._sync.list_domains()))

    async def list_user_profiles(self, domain_id: str | None = None) -> list[UserProfileSummary]:
        """Like `PresignClient.list_user_profiles`, as a list."""
        return await self._run(lambda: list(self._sync.list_user_profiles(domain_id)))

    async def list_spaces(self, domain_id: str | None = None) -> list[SpaceSummary]:
        """Like `PresignClient.list_spaces`, as a list."""
        return await self._run(lambda: list(self._sync.list_spaces(domain_id)))

    async def list_mlflow_tracking_servers(
        self, *, status: str | None = None
    ) -> list[MlflowTrackingServerSummary]:
        """Like `PresignClient.list_mlflow_tracking_servers`, as a list."""
        return await self._run(lambda: list(self._sync.list_mlflow_tracking_servers(status=status)))

    async def resolve_domain_id(self, name_or_id: str) -> str:
        """Like `PresignClient.resolve_domain_id`."""
        return await self._run(self._sync.resolve_domain_id, name_or_id)

    # --- partner apps ---

    async def create_partner_app_presigned_url(
        self,
        arn: str,
        *,
        session_duration: int | timedelta | None = None,
        expires_in: int | timedelta | None = None,
    ) -> PresignedPartnerAppUrl:
        """Like `PresignClient.create_partner_app_presigned_url`."""
        return await self._run(
            self._sync.create_partner_app_presigned_url,
            arn,
            session_duration=session_duration,
            expires_in=expires_in,
        )

    async def close(self) -> None:
        """Like `PresignClient.close`; also lets this client's worker threads go."""
        await self._run(self._sync.close)
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
    if max_workers is None:
        config = getattr(getattr(client._client, "meta", None), "config", None)  # pyright: ignore[reportPrivateUsage]
        max_workers = getattr(config, "max_pool_connections", None) or 10
    if isinstance(max_workers, bool) or not isinstance(max_workers, int) or max_workers < 1:
        raise TypeError(f"max_workers must be a positive int, not {max_workers!r}")
    return ThreadPoolExecutor(max_workers=max_workers, thread_name_prefix="sagemaker-presign")


def _threaded(
    requests: Mapping[str, Callable[[], Any]],
) -> dict[str, Callable[[], Awaitable[Any]]]:
    """A wait's requests, each run in a daemon thread of its own (see `in_daemon_thread`)."""
    return {
        step: functools.partial(in_daemon_thread, request) for step, request in requests.items()
    }
