"""The machinery every door shares: build or accept the client, call and translate, presign,
wait. `PresignClient` is this core plus one mixin per door (``_notebook``, ``_studio``, ...)."""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from datetime import datetime, timedelta
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, NamedTuple, TypeVar

from ._configuration import BuiltClient, build_client, check_ready_client
from ._exceptions import (
    InvalidResourceIdentifierError,
    UnsupportedOperationError,
    is_translatable,
    translate,
)
from ._lifecycle import DEFAULT_POLL_INTERVAL, Waiter, WaitPlan, run_sync
from ._log_redaction import call_redacted
from ._redact import redact_url
from ._responses import presigned_url
from ._result import PresignedUrl, request_clock, stamped
from ._validation import duration_fields

if TYPE_CHECKING:
    from types import TracebackType

    import boto3
    from botocore.client import BaseClient
    from botocore.config import Config
    from typing_extensions import Self, TypeVarTuple, Unpack

    Ts = TypeVarTuple("Ts")

    from ._typing import SageMakerClient

logger = logging.getLogger("sagemaker_presign")
R = TypeVar("R", bound=PresignedUrl)


class PresignCall(NamedTuple):
    """One door's presign request: what to send, and what to say about it."""

    #: botocore's method name, e.g. ``create_presigned_domain_url``.
    method: str
    #: The API's operation name, e.g. ``CreatePresignedDomainUrl``.
    operation: str
    params: Mapping[str, Any]
    #: What the call is about, for messages: "Studio user profile 'u' in domain 'd-1'".
    subject: str
    #: The answer's field holding the URL (``Url`` for partner apps).
    url_field: str = "AuthorizedUrl"
    #: The botocore release that added the operation, for UnsupportedOperationError.
    since: str | None = None
    #: Parameters added to the operation later: name -> the botocore release.
    parameters_since: Mapping[str, str] = MappingProxyType({})
    notebook_instance_name: str | None = None


class ClientCore:
    """Construction, the call-and-translate path and the wait loop, shared by every door."""

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
        self._supported: set[tuple[str, ...]] = set()

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

    # --- the shared machinery ---

    def _call(
        self,
        method: str,
        params: Mapping[str, Any],
        *,
        subject: str,
        notebook_instance_name: str | None = None,
    ) -> Any:
        """Make one API call, botocore's log records redacted and its errors translated."""
        try:
            return call_redacted(getattr(self._client, method), params)
        except Exception as exc:
            if not is_translatable(exc):
                raise
            raise translate(
                exc,
                subject=subject,
                notebook_instance_name=notebook_instance_name,
                region_name=self._region,
                operation=method.title().replace("_", ""),
            ) from exc

    def _check_supported(self, call: PresignCall) -> None:
        """UnsupportedOperationError, before anything is sent, for a botocore too old."""
        model = getattr(getattr(self._client, "meta", None), "service_model", None)
        if model is None:  # not a botocore client: let it try
            return
        if call.operation not in model.operation_names:
            raise UnsupportedOperationError(_too_old(call.operation, call.since))
        members = model.operation_model(call.operation).input_shape.members
        for name in call.params:
            if name not in members:
                since = call.parameters_since.get(name)
                raise UnsupportedOperationError(_too_old(f"{call.operation}'s {name}", since))
        self._supported.add((call.operation, *call.params))

    def _presign(
        self,
        call: PresignCall,
        make: Callable[[str, datetime, Unpack[Ts]], R],
        *fields: Unpack[Ts],
    ) -> R:
        """Check, send one presign request, check its answer, and return the door's result,
        ``make(url, issued_at, *fields)``."""
        # Checked once per operation and fields; the warm path only looks the key up.
        if (call.operation, *call.params) not in self._supported:
            self._check_supported(call)
        # Read before sending: the service issues the URL later than this, retries included,
        # so expires_at can only err on the early side.
        issued_at, sent = request_clock()
        response = self._call(
            call.method,
            call.params,
            subject=call.subject,
            notebook_instance_name=call.notebook_instance_name,
        )
        url = presigned_url(
            response, call.url_field, call.operation, call.subject, call.notebook_instance_name
        )
        result = stamped(make(url, issued_at, *fields), sent)
        if logger.isEnabledFor(logging.DEBUG):  # skip formatting the deadline when nobody listens
            logger.debug(
                "presigned URL issued for %s, valid until %s",
                call.subject,
                result.expires_at.isoformat(),
            )
        return result

    def _presign_expiring(
        self,
        call: PresignCall,
        session_duration: int | timedelta | None,
        expires_in: int | timedelta | None,
        result: Callable[..., R],
        identifier: str,
    ) -> R:
        """Presign a door known by one identifier whose URL lasts ``expires_in``."""
        durations, session, valid_for = duration_fields(session_duration, expires_in)
        call = call._replace(params={**call.params, **durations})

        def make(url: str, issued_at: datetime) -> R:
            return result(url, identifier, issued_at, session_duration=session, valid_for=valid_for)

        return self._presign(call, make)

    def _check_arn_region(self, arn: str, what: str) -> None:
        """An ARN of another region than the client's cannot be presigned here: say so, naming
        both, before anything is sent (the service's own refusal does not)."""
        region = arn.split(":")[3]
        if self._region is not None and region != self._region:
            raise InvalidResourceIdentifierError(
                f"the {what} {arn!r} is in {region}, but this client is for {self._region}: "
                f"use a client for {region} (region_name={region!r}, or --region {region})"
            )

    def _plan_waiter(
        self,
        plan: WaitPlan,
        *,
        start: object,
        timeout: object,
        poll_interval: object,
        on_status: object,
        now: float,
    ) -> Waiter:
        """The Waiter for *plan*, every argument checked (the poll interval defaulted)."""
        return Waiter(
            plan.subject,
            plan.lifecycle,
            start=start,
            timeout=timeout,
            poll_interval=self._default_poll_interval if poll_interval is None else poll_interval,
            on_status=on_status,
            now=now,
            notebook_instance_name=plan.notebook_instance_name,
        )

    def _wait(
        self,
        plan: WaitPlan,
        *,
        start: object,
        timeout: object,
        poll_interval: object,
        on_status: object,
        sleep: Callable[[float], object],
        clock: Callable[[], float],
    ) -> Any:
        """Run the wait loop for *plan* in this thread."""
        waiter = self._plan_waiter(
            plan,
            start=start,
            timeout=timeout,
            poll_interval=poll_interval,
            on_status=on_status,
            now=clock(),
        )
        return run_sync(waiter, plan.requests, sleep, clock)

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


def _too_old(what: str, since: str | None) -> str:
    import botocore

    added = f"botocore {since}" if since else "a later botocore"
    return (
        f"the installed botocore {botocore.__version__} does not know {what}, which "
        f"{added} added: upgrade it (pip install --upgrade boto3 botocore); nothing was sent"
    )
