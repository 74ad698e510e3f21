"""Getting a resource ready: the decisions, and the one loop that makes them, for every door.

A `Lifecycle` says what a kind of resource's statuses mean (ready, startable, failed, going
away); ``Waiter`` decides what to do after each describe. ``wait_steps`` is the wait loop,
written once as a generator of steps (call the service within a time budget, or sleep);
``run_sync`` and ``run_async`` only carry the steps out, so notebook instances, MLflow tracking
servers and Studio user profiles, synchronous and asyncio, share every decision and deadline.
"""

from __future__ import annotations

import contextlib
import math
import threading
from collections.abc import Awaitable, Callable, Generator, Mapping
from datetime import timedelta
from typing import TYPE_CHECKING, Any, NamedTuple, TypeVar

from ._exceptions import (
    InvalidParameterError,
    ResourceFailedError,
    ResourceNotInServiceError,
    WaitTimeoutError,
)
from ._status import Condition, ResourceState

if TYPE_CHECKING:
    import asyncio

    from ._door import (
        Caller,  # imported where used: the synchronous paths (and the CLI) never need it
    )

T = TypeVar("T")

DEFAULT_POLL_INTERVAL = timedelta(seconds=10)
#: The longest timeout or poll interval accepted: a longer wait is a mistake, not a plan.
MAX_WAIT = timedelta(days=7)
#: A request still in flight at the deadline gets at most this much longer (or the timeout,
#: if that is shorter) before the wait gives up on it.
MAX_DEADLINE_GRACE = timedelta(seconds=5)


def wait_seconds(value: object, what: str) -> float:
    """Seconds of a timeout or poll interval given as seconds (int or float) or a timedelta."""
    if isinstance(value, bool) or not isinstance(value, (int, float, timedelta)):
        raise TypeError(
            f"{what} must be a number of seconds or a timedelta, not {type(value).__name__}"
        )
    limit = MAX_WAIT.total_seconds()
    if isinstance(value, timedelta):
        seconds = value.total_seconds()
    elif isinstance(value, int) and abs(value) > limit:
        seconds = math.inf if value > 0 else -math.inf  # float(10**400) would overflow
    else:
        seconds = float(value)
    if math.isnan(seconds):
        raise InvalidParameterError(f"{what} must be a number of seconds, not NaN (not a number)")
    if not seconds > 0:
        shown = value if math.isfinite(seconds) else "a number that large"
        raise InvalidParameterError(f"{what} must be more than 0 seconds, not {shown}")
    if seconds > limit:
        raise InvalidParameterError(f"{what} must be at most {MAX_WAIT.days} days")
    return seconds


# Plain records as NamedTuples: as immutable as frozen dataclasses, without the code generation
# that made importing the package (and so every CLI run) slower.


class Step(NamedTuple):
    """What to do after a describe: start the instance (once), then sleep; None means done."""

    start: bool = False
    sleep: float | None = None


class Call(NamedTuple):
    """Send this request (``"describe"`` or ``"start"``); give up after *budget* seconds."""

    request: str
    budget: float


class Sleep(NamedTuple):
    """Sleep this many seconds."""

    seconds: float


class Lifecycle(NamedTuple):
    """What one kind of resource's statuses mean to a wait, and how to talk about it."""

    #: The statuses' type: NotebookInstanceStatus, MlflowTrackingServerStatus, StudioStatus.
    status_type: Callable[[str], Any]
    #: Done: the resource is usable.
    ready: frozenset[str]
    #: Stopped: start it (with start=True), or give up.
    startable: frozenset[str]
    #: Failed: raise `failed_error` with the reason.
    failed: frozenset[str]
    #: On the way out (Deleting): raise `not_in_service`.
    going: frozenset[str]
    not_in_service: type[ResourceNotInServiceError[Any]]
    failed_error: type[ResourceFailedError]
    #: How a person starts it, for the message when start=False.
    start_hint: str
    #: The request names, for "... was still unanswered".
    describe_request: str
    start_request: str
    #: (call, the door's checked parameters) -> (status, failure reason).
    describe: Callable[[Caller, Mapping[str, Any]], tuple[Any, str | None]]
    #: (call, checked parameters): ask for a start and return; None where nothing starts.
    start: Callable[[Caller, Mapping[str, Any]], None] | None
    #: How long a wait waits when not told, in seconds.
    default_timeout: float
    ready_word: str = "InService"


def state_of(lifecycle: Lifecycle, status: Any, failure_reason: str | None) -> ResourceState:
    """What *status* means, by *lifecycle*'s tables (the ones the wait decides by)."""
    text = str(status)
    condition: Condition = "starting"
    if text in lifecycle.ready:
        condition = "ready"
    elif text in lifecycle.startable:
        condition = "startable"
    elif text in lifecycle.failed:
        condition = "failed"
    elif text in lifecycle.going:
        condition = "gone"
    return ResourceState(condition, text, failure_reason if condition == "failed" else None)


class WaitPlan(NamedTuple):
    """What one wait is about: its subject, its lifecycle and the requests it sends."""

    subject: str
    lifecycle: Lifecycle
    #: ``"describe"`` (returns (status, reason)) and, where a start exists, ``"start"``.
    requests: Mapping[str, Callable[[], Any]]
    notebook_instance_name: str | None = None


class Waiter:
    """The wait's state: when it ends, what was seen, whether a start was sent."""

    def __init__(
        self,
        subject: str,
        lifecycle: Lifecycle,
        *,
        start: object,
        timeout: object,
        poll_interval: object,
        on_status: object,
        now: float,
        notebook_instance_name: str | None = None,
    ) -> None:
        # Every argument is checked here, before the first request.
        if not isinstance(start, bool):
            raise TypeError(f"start must be a bool, not {type(start).__name__}")
        if on_status is not None and not callable(on_status):
            raise TypeError(f"on_status must be callable or None, not {type(on_status).__name__}")
        self.subject = subject
        self.lifecycle = lifecycle
        self.may_start = start
        timeout_seconds = wait_seconds(timeout, "timeout")
        self.timeout = timedelta(seconds=timeout_seconds)
        self.poll_seconds = wait_seconds(poll_interval, "poll_interval")
        self.deadline = now + timeout_seconds
        self.grace = min(MAX_DEADLINE_GRACE.total_seconds(), timeout_seconds)
        self.on_status: Callable[[Any], object] | None = on_status
        self.context = {"notebook_instance_name": notebook_instance_name}
        self.last: Any = None
        self.start_sent = False
        self.left_stopped_after_start = False

    def budget(self, now: float) -> float:
        """How long a request sent now may take before the wait gives up on it."""
        return max(self.deadline - now, 0.0) + self.grace

    def observe(self, status: Any, failure_reason: str | None, now: float) -> Step:
        """Take one described status; return the next step, or raise what ends the wait."""
        spec = self.lifecycle
        if status != self.last:
            self.last = status
            if self.on_status is not None:
                self.on_status(status)
        if status in spec.ready:
            return Step()
        if status in spec.failed:
            reason = failure_reason or "the service gave no reason"
            raise spec.failed_error(
                f"{self.subject} is {status}: {reason}",
                failure_reason=failure_reason,
                **self.context,
            )
        if status in spec.going:
            raise self._not_in_service(status, "is being deleted")
        start = False
        if status in spec.startable:
            if not self.may_start:
                raise self._not_in_service(status, f"is {status}; {spec.start_hint}")
            if self.left_stopped_after_start:
                raise self._not_in_service(status, "was stopped again while it was starting")
            start = not self.start_sent
            self.start_sent = True
        elif self.start_sent:
            self.left_stopped_after_start = True
        # Stopping (waiting for Stopped), Pending, Updating, maintenance, unknown: keep polling.
        remaining = self.deadline - now
        if remaining <= 0:
            raise self.timed_out()
        return Step(start=start, sleep=min(self.poll_seconds, remaining))

    def request_name(self, request: str) -> str:
        spec = self.lifecycle
        return spec.describe_request if request == "describe" else spec.start_request

    def timed_out(self, unanswered: str | None = None) -> WaitTimeoutError:
        """The error that ends a wait whose time is up."""
        late = f"; {unanswered} was still unanswered" if unanswered else ""
        return WaitTimeoutError(
            f"{self.subject} was not {self.lifecycle.ready_word} within {self.timeout} "
            f"(last status: {self.last or 'none seen'}{late})",
            last_status=self.last,
            **self.context,
        )

    def _not_in_service(self, status: Any, why: str) -> ResourceNotInServiceError[Any]:
        return self.lifecycle.not_in_service(f"{self.subject} {why}", status=status, **self.context)


WaitSteps = Generator[Call | Sleep, Any, Any]


def wait_steps(waiter: Waiter, clock: Callable[[], float]) -> WaitSteps:
    """The wait loop: yields what to do, receives each describe's (status, reason)."""
    while True:
        described: tuple[Any, str | None] = yield Call("describe", waiter.budget(clock()))
        status, reason = described
        step = waiter.observe(status, reason, clock())
        if step.sleep is None:
            return status
        if step.start:
            yield Call("start", waiter.budget(clock()))
        yield Sleep(step.sleep)


class _Overdue(Exception):
    """A request took longer than its budget."""


def run_sync(
    waiter: Waiter,
    requests: Mapping[str, Callable[[], Any]],
    sleep: Callable[[float], object],
    clock: Callable[[], float],
) -> Any:
    """Carry out `wait_steps` in this thread; each request runs in a daemon thread of its own,
    so that one hanging past the deadline (botocore's read timeout x attempts) is left behind."""
    steps = wait_steps(waiter, clock)
    answer: Any = None
    try:
        while True:
            step = steps.send(answer)
            answer = None
            if isinstance(step, Sleep):
                sleep(step.seconds)
                continue
            try:
                answer = _within(requests[step.request], step.budget)
            except _Overdue:
                raise waiter.timed_out(waiter.request_name(step.request)) from None
    except StopIteration as done:
        final: Any = done.value
        return final


def _in_daemon_thread(call: Callable[[], T], done: Callable[[bool, Any], object]) -> None:
    """Run *call* in a daemon thread of its own and hand ``done`` its outcome.

    A daemon thread, not an executor's: a request left behind at the deadline must hold up
    neither the interpreter's exit nor ``asyncio.run``'s executor shutdown.
    """

    def run() -> None:
        try:
            value = call()
        except BaseException as exc:  # handed to the waiting side, raised there
            done(False, exc)
        else:
            done(True, value)

    threading.Thread(target=run, name="sagemaker-presign-wait", daemon=True).start()


def _within(call: Callable[[], T], seconds: float) -> T:
    outcome: list[tuple[bool, Any]] = []
    finished = threading.Event()

    def done(ok: bool, value: Any) -> None:
        outcome.append((ok, value))
        finished.set()

    _in_daemon_thread(call, done)
    if not finished.wait(seconds):
        raise _Overdue
    ok, value = outcome[0]
    if ok:
        result: T = value
        return result
    raise value


async def in_daemon_thread(call: Callable[[], T]) -> T:
    """Await *call* run in a daemon thread (see `_in_daemon_thread`)."""
    import asyncio

    loop = asyncio.get_running_loop()
    future: asyncio.Future[T] = loop.create_future()

    def settle(ok: bool, value: Any) -> None:
        if not future.done():
            if ok:
                future.set_result(value)
            else:
                future.set_exception(value)

    def done(ok: bool, value: Any) -> None:
        with contextlib.suppress(RuntimeError):  # the loop is closed: nobody is waiting
            loop.call_soon_threadsafe(settle, ok, value)

    _in_daemon_thread(call, done)
    return await future


async def run_async(
    waiter: Waiter,
    requests: Mapping[str, Callable[[], Awaitable[Any]]],
    sleep: Callable[[float], Awaitable[object]],
    clock: Callable[[], float],
) -> Any:
    """Carry out `wait_steps` on the event loop; cancelling the task ends the wait at once."""
    import asyncio

    steps = wait_steps(waiter, clock)
    answer: Any = None
    try:
        while True:
            step = steps.send(answer)
            answer = None
            if isinstance(step, Sleep):
                await sleep(step.seconds)
                continue
            try:
                answer = await asyncio.wait_for(requests[step.request](), step.budget)
            except asyncio.TimeoutError:
                raise waiter.timed_out(waiter.request_name(step.request)) from None
    except StopIteration as done:
        final: Any = done.value
        return final
