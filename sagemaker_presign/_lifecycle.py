"""Getting a notebook instance to InService: the decisions, apart from how to sleep.

``Waiter`` decides what to do after each DescribeNotebookInstance; the synchronous client
(and any other driver, an asyncio one say) only describes, starts and sleeps as it is told.
That keeps the state machine in one place and testable without a clock.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from ._exceptions import (
    NotebookInstanceFailedError,
    NotebookInstanceNotInServiceError,
    WaitTimeoutError,
)
from ._status import NotebookInstanceStatus

Status = NotebookInstanceStatus
StatusCallback = Callable[[NotebookInstanceStatus], object]

DEFAULT_TIMEOUT = timedelta(minutes=20)
DEFAULT_POLL_INTERVAL = timedelta(seconds=10)


@dataclass(frozen=True)
class Step:
    """What to do next: start the instance (once), then sleep; ``sleep=None`` means done."""

    start: bool = False
    sleep: float | None = None


def _seconds(value: timedelta, what: str) -> float:
    if not isinstance(value, timedelta):  # pyright: ignore[reportUnnecessaryIsInstance]
        raise TypeError(f"{what} must be a timedelta, not {type(value).__name__}")
    if value <= timedelta(0):
        raise ValueError(f"{what} must be positive, not {value}")
    return value.total_seconds()


class Waiter:
    """The wait's state: when it ends, what was seen, whether a start was sent."""

    def __init__(
        self,
        name: str,
        *,
        start: bool,
        timeout: timedelta,
        poll_interval: timedelta,
        on_status: StatusCallback | None,
        now: float,
    ) -> None:
        self.name = name
        self.may_start = start
        self.timeout = timeout
        self.poll_seconds = _seconds(poll_interval, "poll_interval")
        self.deadline = now + _seconds(timeout, "timeout")
        self.on_status = on_status
        self.last: NotebookInstanceStatus | None = None
        self.start_sent = False
        self.left_stopped_after_start = False

    def observe(
        self, status: NotebookInstanceStatus, failure_reason: str | None, now: float
    ) -> Step:
        """Take one described status; return the next step, or raise what ends the wait."""
        if status != self.last:
            self.last = status
            if self.on_status is not None:
                self.on_status(status)
        if status is Status.IN_SERVICE:
            return Step()
        if status is Status.FAILED:
            reason = failure_reason or "the service gave no reason"
            raise NotebookInstanceFailedError(
                f"notebook instance {self.name!r} is Failed: {reason}",
                failure_reason=failure_reason,
                notebook_instance_name=self.name,
            )
        if status is Status.DELETING:
            raise self._not_in_service(status, "is being deleted")
        start = False
        if status is Status.STOPPED:
            if not self.may_start:
                raise self._not_in_service(
                    status,
                    "is Stopped; start it with start=True (sagemaker-presign --start) "
                    "or aws sagemaker start-notebook-instance",
                )
            if self.left_stopped_after_start:
                raise self._not_in_service(status, "was stopped again while it was starting")
            start = not self.start_sent
            self.start_sent = True
        elif self.start_sent:
            self.left_stopped_after_start = True
        # Stopping (waiting for Stopped), Pending, Updating, maintenance, unknown: keep polling.
        remaining = self.deadline - now
        if remaining <= 0:
            raise WaitTimeoutError(
                f"notebook instance {self.name!r} was not InService within {self.timeout} "
                f"(last status: {status})",
                last_status=status,
                notebook_instance_name=self.name,
            )
        return Step(start=start, sleep=min(self.poll_seconds, remaining))

    def _not_in_service(
        self, status: NotebookInstanceStatus, why: str
    ) -> NotebookInstanceNotInServiceError:
        return NotebookInstanceNotInServiceError(
            f"notebook instance {self.name!r} {why}",
            status=status,
            notebook_instance_name=self.name,
        )
