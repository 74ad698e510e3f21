"""PresignClient: the one call, checked on the way in and translated on the way out."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from ._configuration import BuiltClient, build_client, check_ready_client
from ._exceptions import ConflictingStatusError, is_translatable, translate
from ._lifecycle import DEFAULT_POLL_INTERVAL, Waiter, run_sync
from ._log_redaction import redacting
from ._redact import redact_url
from ._responses import authorized_url, described_status
from ._result import PresignedNotebookUrl, issued_result, request_clock
from ._status import NotebookInstanceStatus
from ._validation import validate_notebook_instance_name, validate_session_duration

if TYPE_CHECKING:
    from types import TracebackType

    import boto3
    from botocore.client import BaseClient
    from botocore.config import Config
    from typing_extensions import Self

    from ._typing import SageMakerClient

__all__ = ["PresignClient"]

logger = logging.getLogger("sagemaker_presign")


class PresignClient:
    """Creates presigned notebook instance URLs through one boto3 SageMaker client.

    Pass a ready client (``boto3.client("sagemaker")``), or let it build one from the
    arguments: from ``session`` (a ``boto3.Session``, used as it is), else from a new session
    with ``region_name`` and ``profile_name``; ``endpoint_url`` and ``config`` go to the
    client. The standard credential chain, ``AWS_PROFILE`` and ``AWS_REGION`` apply as usual.
    A client built without a session reads a trimmed SageMaker model (see the performance
    docs); one you pass, or build from your session, is never altered.

    One instance is safe to share between threads, as boto3 clients are.
    """

    # How often a wait polls when not told; LocalSageMaker's clients poll faster.
    _default_poll_interval: float | timedelta = DEFAULT_POLL_INTERVAL

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
        builder_args = {
            "session": session,
            "region_name": region_name,
            "profile_name": profile_name,
            "endpoint_url": endpoint_url,
            "config": config,
        }
        given = [name for name, value in builder_args.items() if value is not None]
        if sagemaker_client is not None:
            if given:
                raise TypeError(
                    "pass either a ready sagemaker_client or the arguments to build one, "
                    f"not both (got sagemaker_client and {', '.join(given)})"
                )
            self._built: BuiltClient | None = None
            self._client: Any = check_ready_client(sagemaker_client)
        else:
            if session is not None and profile_name is not None:
                raise TypeError("profile_name cannot be combined with session: a session has one")
            self._built = build_client(session, region_name, profile_name, endpoint_url, config)
            self._client = self._built.client
        meta = getattr(self._client, "meta", None)
        region = getattr(meta, "region_name", None)
        self._region: str | None = region if isinstance(region, str) else None

    @property
    def sagemaker_client(self) -> SageMakerClient:
        """A full boto3 SageMaker client: the one you passed in, or one sharing the session,
        credentials and configuration of the client this instance built.

        Clients this instance builds itself read a trimmed model of the few operations it
        calls (see the performance docs); the client handed out here has every operation,
        paginator and waiter, and is built only on first access.
        """
        client: SageMakerClient = self._client if self._built is None else self._built.full()
        return client

    def create_presigned_url(
        self,
        notebook_instance_name: str,
        *,
        session_duration: int | timedelta | None = None,
    ) -> PresignedNotebookUrl:
        """Return a presigned URL for *notebook_instance_name*'s Jupyter server.

        *session_duration* is the Jupyter session's length once the URL is opened: whole
        seconds or a timedelta from 30 min to 12 h; None leaves it to the service (12 h).
        Invalid input raises `InvalidParameterError` before anything is sent.
        """
        name = validate_notebook_instance_name(notebook_instance_name)
        seconds = validate_session_duration(session_duration)
        params: dict[str, Any] = {"NotebookInstanceName": name}
        if seconds is not None:
            params["SessionExpirationDurationInSeconds"] = seconds
        # Read before sending: the service issues the URL later than this, retries included,
        # so expires_at can only err on the early side.
        clock = request_clock()
        response = self._call("create_presigned_notebook_instance_url", name, params)
        url = authorized_url(response, name)
        result = issued_result(
            url,
            notebook_instance_name=name,
            clock=clock,
            session_duration=None if seconds is None else timedelta(seconds=seconds),
        )
        if logger.isEnabledFor(logging.DEBUG):  # skip formatting the deadline when nobody listens
            logger.debug(
                "presigned URL issued for notebook instance %r, valid until %s",
                name,
                result.expires_at.isoformat(),
            )
        return result

    def get_status(self, notebook_instance_name: str) -> NotebookInstanceStatus:
        """Return the instance's status (DescribeNotebookInstance), checked and translated."""
        name = validate_notebook_instance_name(notebook_instance_name)
        return self._describe(name)[0]

    def wait_until_in_service(
        self,
        notebook_instance_name: str,
        *,
        start: bool = False,
        timeout: float | timedelta = 1200,
        poll_interval: float | timedelta | None = None,
        on_status: Callable[[NotebookInstanceStatus], object] | None = None,
        sleep: Callable[[float], object] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
    ) -> NotebookInstanceStatus:
        """Wait until the instance is InService, starting it if *start* and it is Stopped.

        Polls DescribeNotebookInstance every *poll_interval*: an instance already InService
        costs one request and no sleep. Stopping is waited out; Pending, Updating, maintenance
        and statuses this version does not know keep it polling. *on_status* is called with
        each new status, the first included. *timeout* (default 20 minutes) and
        *poll_interval* are seconds or timedeltas, more than 0 and at most 7 days; None polls
        every 10 s, or every 0.05 s for a client from `LocalSageMaker.client`. *sleep* and
        *clock* (a monotonic clock) can be replaced, e.g. to drive the wait from tests or a
        progress display.

        The timeout bounds the whole wait: a request still unanswered at the deadline is
        given at most ``min(timeout, 5 s)`` more, then left behind.

        Raises:
            InvalidParameterError: *timeout* or *poll_interval* not positive, or over 7 days;
                nothing was sent (TypeError for arguments of the wrong type).
            NotebookInstanceNotInServiceError: Stopped and not *start*, or Deleting.
            NotebookInstanceFailedError: Failed; ``failure_reason`` says why.
            ResourceLimitExceededError: the start would exceed an account quota.
            ServiceError: the service refused the start for any other reason.
            WaitTimeoutError: not InService within *timeout*.
        """
        name = validate_notebook_instance_name(notebook_instance_name)
        waiter = Waiter(
            name,
            start=start,
            timeout=timeout,
            poll_interval=self._default_poll_interval if poll_interval is None else poll_interval,
            on_status=on_status,
            now=clock(),
        )
        return run_sync(waiter, self._wait_requests(name), sleep, clock)

    def _wait_requests(self, name: str) -> dict[str, Callable[[], Any]]:
        """The requests a wait sends, by the names `wait_steps` uses."""
        return {"describe": lambda: self._describe(name), "start": lambda: self._start(name)}

    def _describe(self, name: str) -> tuple[NotebookInstanceStatus, str | None]:
        response = self._call("describe_notebook_instance", name, {"NotebookInstanceName": name})
        return described_status(response, name)

    def _start(self, name: str) -> None:
        try:
            self._call("start_notebook_instance", name, {"NotebookInstanceName": name})
        except ConflictingStatusError as error:
            # Someone else started it between our describe and our start: the service says
            # it is no longer Stopped. The next describe shows where it is. Any other
            # refusal is raised at once.
            logger.debug("start of %r raced with another actor: %s", name, error)

    def _call(self, method: str, name: str, params: Mapping[str, Any]) -> Any:
        """Make one API call, botocore's log records redacted and its errors translated."""
        try:
            return redacting(lambda: getattr(self._client, method)(**params))
        except Exception as exc:
            if not is_translatable(exc):
                raise
            operation = method.title().replace("_", "")
            raise translate(
                exc, notebook_instance_name=name, region_name=self._region, operation=operation
            ) from exc

    def close(self) -> None:
        """Close the connections of clients this instance built (a passed one is left open)."""
        if self._built is not None:
            self._built.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def __repr__(self) -> str:
        meta = getattr(self._client, "meta", None)
        endpoint = getattr(meta, "endpoint_url", None)
        shown = redact_url(endpoint) if isinstance(endpoint, str) else endpoint
        return f"{type(self).__name__}(region_name={self._region!r}, endpoint_url={shown!r})"
