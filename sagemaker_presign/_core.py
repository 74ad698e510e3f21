"""The machinery every door shares: build or accept the client, call and translate, presign,
get the status, start, wait; each acting on a door's record (`Door`), whichever it is.
`PresignClient` is this core plus one typed method per door and action."""

from __future__ import annotations

import functools
import logging
import time
from collections.abc import Callable, Iterator, Mapping
from datetime import timedelta
from typing import TYPE_CHECKING, Any, TypeVar, cast

from ._configuration import BuiltClient, build_client, check_ready_client
from ._constants import DEFAULT_EXPIRES_IN, URL_VALIDITY
from ._exceptions import (
    InvalidResourceIdentifierError,
    PresignError,
    UnexpectedResponseError,
    UnsupportedOperationError,
    is_translatable,
    translate,
)
from ._lifecycle import DEFAULT_POLL_INTERVAL, Waiter, WaitPlan, run_sync, state_of
from ._log_redaction import call_redacted
from ._redact import redact_url
from ._responses import presigned_url
from ._result import PresignedUrl, issued, request_clock, stamped
from ._status import ResourceState
from ._validation import validate_expires_in, validate_session_duration

if TYPE_CHECKING:
    from types import TracebackType

    import boto3
    from botocore.client import BaseClient
    from botocore.config import Config
    from typing_extensions import Self

    from ._door import Door
    from ._typing import SageMakerClient

logger = logging.getLogger("sagemaker_presign")
T = TypeVar("T")


class ClientCore:
    """Construction, the call-and-translate path and the wait loop, shared by every door."""

    def __init__(
        self,
        sagemaker_client: BaseClient | None = None,
        *,
        session: boto3.Session | None = None,
        region_name: str | None = None,
        profile_name: str | None = None,
        endpoint_url: str | None = None,
        config: Config | None = None,
        poll_interval: float | timedelta | None = None,
    ) -> None:
        # How often a wait polls when not told (LocalSageMaker's clients poll faster).
        self._default_poll_interval: float | timedelta = (
            DEFAULT_POLL_INTERVAL if poll_interval is None else poll_interval
        )
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

    def _check_supported(
        self, operation: str, since: str | None, request: Mapping[str, Any], door: Door | None
    ) -> None:
        """UnsupportedOperationError, before anything is sent, for a botocore too old."""
        model = getattr(getattr(self._client, "meta", None), "service_model", None)
        if model is None:  # not a botocore client: let it try
            return
        if operation not in model.operation_names:
            raise UnsupportedOperationError(_too_old(operation, since))
        members = model.operation_model(operation).input_shape.members
        for name in request:
            if name not in members:
                added = (
                    next((p.since for p in door.params if p.field == name), None) if door else None
                )
                raise UnsupportedOperationError(_too_old(f"{operation}'s {name}", added))
        self._supported.add((operation, *request))

    def _presign(
        self,
        door: Door,
        values: Mapping[str, object],
        session_duration: int | timedelta | None = None,
        expires_in: int | timedelta | None = None,
    ) -> Any:
        """The one presign path: check *values* by *door*'s rules, send, check the answer,
        and return the door's result (its fields are the checked parameters, by name)."""
        params = checked_params(door, values)
        if door.request is not None:
            request = door.request(params)
        else:
            request = {
                p.field: params[p.name]
                for p in door.params
                if p.field and params[p.name] is not None
            }
        seconds, valid_for = self._durations(door, request, session_duration, expires_in)
        arn = params.get(door.arn_param) if door.arn_param is not None else None
        if isinstance(arn, str) and arn.startswith("arn:"):
            self._check_arn_region(arn, door.subject(params))
        # Checked once per operation and fields; the warm path only looks the key up.
        if (door.operation, *request) not in self._supported:
            self._check_supported(door.operation, door.since, request, door)
        if door.pages is not None and door.collect is not None:
            return door.collect(params, self._send_pages(door, request, params, door.pages))
        subject = door.subject(params)
        name = params.get("notebook_instance_name")
        # Read before sending: the service issues the URL later than this, retries included,
        # so expires_at can only err on the early side.
        issued_at, sent = request_clock()
        response = self._send(door, request, params)
        url = presigned_url(response, door.url_field, door.operation, subject, name)
        if door.shape_url is not None:
            url = door.shape_url(url, params)
        result = object.__new__(door.result)
        vars(result).update(params)
        session = None if seconds is None else timedelta(seconds=seconds)
        stamped(issued(result, url, issued_at, valid_for, session), sent)
        if logger.isEnabledFor(logging.DEBUG):  # skip formatting the deadline when nobody listens
            logger.debug(
                "presigned URL issued for %s, valid until %s",
                subject,
                result.expires_at.isoformat(),
            )
        return result

    @staticmethod
    def _durations(
        door: Door,
        request: dict[str, Any],
        session_duration: int | timedelta | None,
        expires_in: int | timedelta | None,
    ) -> tuple[int | None, timedelta]:
        """Both durations checked and put in *request*: the session's seconds, and how long
        the URL is valid."""
        if not door.durations:
            if session_duration is not None or expires_in is not None:
                raise TypeError(f"a {door.name} URL takes no session_duration or expires_in")
            return None, URL_VALIDITY
        seconds = validate_session_duration(session_duration)
        if seconds is not None:
            request["SessionExpirationDurationInSeconds"] = seconds
        if not door.expires:
            return seconds, URL_VALIDITY
        expires = validate_expires_in(expires_in)
        if expires is None:
            return seconds, DEFAULT_EXPIRES_IN
        request["ExpiresInSeconds"] = expires
        return seconds, timedelta(seconds=expires)

    def _send(self, door: Door, request: Mapping[str, Any], params: Mapping[str, Any]) -> Any:
        """One presign request, its refusal made clearer where the door knows how."""
        try:
            return self._call(
                door.method,
                request,
                subject=door.subject(params),
                notebook_instance_name=params.get("notebook_instance_name"),
            )
        except PresignError as error:
            if door.on_refusal is not None:
                door.on_refusal(self._call, params, error)
            raise

    def _send_pages(
        self, door: Door, request: Mapping[str, Any], params: Mapping[str, Any], key: str
    ) -> list[tuple[list[Any], Any, float]]:
        """Every page of an answer in pages (NextToken followed): its entries, with the
        clocks read before its request was sent."""
        pages: list[tuple[list[Any], Any, float]] = []
        seen: set[str] = set()
        token: str | None = None
        while True:
            issued_at, sent = request_clock()
            page = self._send(door, {**request, "NextToken": token} if token else request, params)
            fields = cast("Mapping[str, Any]", page if isinstance(page, Mapping) else {})
            found: Any = fields.get(key)
            if not isinstance(found, list):
                raise UnexpectedResponseError(
                    f"SageMaker's answer to {door.operation} for {door.subject(params)} has no "
                    f"{key}"
                )
            entries: list[Any] = found  # pyright: ignore[reportUnknownVariableType]
            pages.append((entries, issued_at, sent))
            next_token: Any = fields.get("NextToken")
            if not isinstance(next_token, str) or not next_token:
                return pages
            if next_token in seen:  # a service that loops would never end
                raise UnexpectedResponseError(
                    f"SageMaker's answer to {door.operation} repeats a NextToken: refused"
                )
            seen.add(next_token)
            token = next_token

    def _check_arn_region(self, arn: str, subject: str) -> None:
        """An ARN of another region than the client's cannot be presigned here: say so, naming
        both, before anything is sent (the service's own refusal does not)."""
        region = arn.split(":")[3]
        if self._region is not None and region != self._region:
            raise InvalidResourceIdentifierError(
                f"{subject} is in {region}, but this client is for {self._region}: "
                f"use a client for {region} (region_name={region!r}, or --region {region})"
            )

    def _pages(
        self,
        method: str,
        operation: str,
        params: dict[str, Any],
        items_key: str,
        make: Callable[[Mapping[str, Any]], T],
        *,
        since: str | None = None,
    ) -> Iterator[T]:
        """Every item of every page, in the service's order; NextToken followed."""
        subject = f"the {operation} listing"
        self._check_supported(operation, since, params, None)
        request = dict(params)
        while True:
            answer: Any = self._call(method, request, subject=subject)
            page = cast("Mapping[str, Any]", answer if isinstance(answer, Mapping) else {})
            items: Any = page.get(items_key)
            if not isinstance(items, list):
                raise UnexpectedResponseError(
                    f"SageMaker's answer to {operation} has no {items_key}"
                )
            entries: list[Any] = items  # pyright: ignore[reportUnknownVariableType]
            for item in entries:
                if isinstance(item, Mapping):
                    yield make(cast("Mapping[str, Any]", item))
            token: Any = page.get("NextToken")
            if not isinstance(token, str) or not token:
                return
            request["NextToken"] = token

    # --- lifecycles: the status, a start, the wait ---

    def _requests(self, door: Door, values: Mapping[str, object]) -> WaitPlan:
        """What waiting for *door*'s resource is: its lifecycle and requests, checked."""
        lifecycle = door.lifecycle
        if lifecycle is None:
            raise TypeError(f"a {door.name} has no status to wait for")
        params = checked_params(door, values)
        # The lifecycle's describe came with the door's operation (MLflow's in 1.34.129).
        operation = lifecycle.describe_request
        if not operation.isidentifier():  # "DescribeUserProfile or DescribeSpace": old ones
            operation = door.operation
        if (operation,) not in self._supported:
            self._check_supported(operation, door.since, {}, door)
        call = self._call
        requests: dict[str, Callable[[], Any]] = {
            "describe": functools.partial(lifecycle.describe, call, params)
        }
        if lifecycle.start is not None:
            requests["start"] = functools.partial(lifecycle.start, call, params)
        return WaitPlan(
            door.subject(params),
            lifecycle,
            requests,
            notebook_instance_name=params.get("notebook_instance_name"),
        )

    def status(self, door: str, /, **identifiers: str | None) -> ResourceState:
        """Where a resource stands, for any door with a lifecycle: ready, starting, startable,
        failed (with the reason) or gone; one describe request.

        *door* is the door's word (``notebook``, ``studio``, ``mlflow``); *identifiers* are its
        presign method's: ``client.status("notebook", notebook_instance_name="nb")``.
        """
        plan = self._requests(door_named(door), identifiers)
        return state_of(plan.lifecycle, *plan.requests["describe"]())

    def start(self, door: str, /, **identifiers: str | None) -> None:
        """Ask SageMaker to start a resource and return at once (a start that lost a race
        with someone else's is no error); TypeError for a door whose resources never start."""
        plan = self._requests(door_named(door), identifiers)
        if "start" not in plan.requests:
            raise TypeError(f"a {door} cannot be started")
        plan.requests["start"]()

    def presign(
        self,
        door: str,
        /,
        *,
        session_duration: int | timedelta | None = None,
        expires_in: int | timedelta | None = None,
        **parameters: str | None,
    ) -> PresignedUrl:
        """Any door's presigned URL by its word and its method's keywords: what tools that
        handle every door (the CLI, the web app) call; code for one door reads better with
        its own method."""
        found = door_named(door)
        if expires_in is not None and not found.expires:
            raise TypeError(f"a {door} URL takes no expires_in: it is valid for {URL_VALIDITY}")
        result: PresignedUrl = self._presign(found, parameters, session_duration, expires_in)
        return result

    def wait(
        self,
        door: str,
        /,
        *,
        start: bool = False,
        timeout: float | timedelta | None = None,
        poll_interval: float | timedelta | None = None,
        on_status: Callable[[Any], object] | None = None,
        sleep: Callable[[float], object] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
        **identifiers: str | None,
    ) -> Any:
        """Any door's wait by its word and its method's keywords (``wait("notebook",
        notebook_instance_name="nb", start=True)``): the door's own wait method, for tools
        that handle every door. Returns the status that ended the wait."""
        return self._wait(
            door_named(door),
            identifiers,
            start=start,
            timeout=timeout,
            poll_interval=poll_interval,
            on_status=on_status,
            sleep=sleep,
            clock=clock,
        )

    def plan_wait(
        self,
        door: str,
        identifiers: Mapping[str, object],
        *,
        start: object = False,
        timeout: object = None,
        poll_interval: object = None,
        on_status: object = None,
        now: float,
    ) -> tuple[Waiter, Mapping[str, Callable[[], Any]]]:
        """The parts of one wait, for driving it from another loop (the async client's, or
        trio's): the waiter, every argument checked and the door's and this client's
        defaults applied, to run with ``wait_steps``, and the requests it names."""
        plan = self._requests(door_named(door), identifiers)
        waiter = Waiter(
            plan.subject,
            plan.lifecycle,
            start=start,
            timeout=plan.lifecycle.default_timeout if timeout is None else timeout,
            poll_interval=self._default_poll_interval if poll_interval is None else poll_interval,
            on_status=on_status,
            now=now,
            notebook_instance_name=plan.notebook_instance_name,
        )
        return waiter, plan.requests

    def _file_session(self, max_concurrency: int) -> Callable[[str], Any]:
        """What makes the HTTP session for downloads from a URL's host: TLS verified and
        proxies used as this client does: its Config's proxies, else the environment's for
        that host (``HTTPS_PROXY``, ``NO_PROXY``); ``AWS_CA_BUNDLE`` or certifi's bundle."""
        import os

        from botocore.httpsession import URLLib3Session
        from botocore.utils import get_environ_proxies

        config = getattr(getattr(self._client, "meta", None), "config", None)
        verify: Any = os.environ.get("AWS_CA_BUNDLE") or True  # a bundle's path, or certifi's

        def session_for(url: str) -> Any:
            return URLLib3Session(
                verify=verify,
                proxies=getattr(config, "proxies", None) or get_environ_proxies(url),
                timeout=60,
                max_pool_connections=max(max_concurrency, 1),
                proxies_config=getattr(config, "proxies_config", None),
            )

        return session_for

    def _endpoint_is_local_http(self) -> bool:
        """Whether this client talks plain http to this machine (a stand-in)."""
        from urllib.parse import urlsplit

        from ._configuration import is_loopback

        endpoint = getattr(getattr(self._client, "meta", None), "endpoint_url", "")
        parts = urlsplit(endpoint if isinstance(endpoint, str) else "")
        return parts.scheme == "http" and is_loopback(parts.hostname or "")

    @property
    def connection_pool_size(self) -> int | None:
        """The connection pool size of the boto3 client this instance calls through."""
        config = getattr(getattr(self._client, "meta", None), "config", None)
        size = getattr(config, "max_pool_connections", None)
        return size if isinstance(size, int) else None

    def _wait(
        self,
        door: Door,
        values: Mapping[str, object],
        *,
        start: object,
        timeout: object,
        poll_interval: object,
        on_status: object,
        sleep: Callable[[float], object],
        clock: Callable[[], float],
    ) -> Any:
        """Run the wait loop for *door*'s resource in this thread."""
        waiter, requests = self.plan_wait(
            door.name,
            values,
            start=start,
            timeout=timeout,
            poll_interval=poll_interval,
            on_status=on_status,
            now=clock(),
        )
        return run_sync(waiter, requests, sleep, clock)

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


def checked_params(door: Door, values: Mapping[str, object]) -> dict[str, Any]:
    """*values* checked by *door*'s rules: every Param by name (None where left out)."""
    unknown = set(values) - {p.name for p in door.params}
    if unknown:
        raise TypeError(f"a {door.name} takes no {', '.join(sorted(unknown))}")
    params: dict[str, Any] = {}
    for param in door.params:
        value = values.get(param.name)
        if value is None:
            if not param.optional:
                raise TypeError(f"a {door.name} needs {param.name}")
            params[param.name] = None
        else:
            params[param.name] = param.check(value)
    return params


def door_named(name: str) -> Door:
    from ._doors import DOORS

    door = DOORS.get(name)
    if door is None:
        raise ValueError(f"no door is called {name!r}: one of {', '.join(DOORS)}")
    return door
