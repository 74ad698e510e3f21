"""What LocalSageMaker knows: its notebook instances, the faults queued, the requests seen.

Kept apart from the HTTP plumbing in ``_server.py`` so that each operation is a plain
method from a JSON body to a JSON answer.
"""

from __future__ import annotations

import secrets
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

JsonObject = dict[str, Any]


@dataclass(frozen=True)
class RecordedRequest:
    """One request as LocalSageMaker received it."""

    #: The operation from ``X-Amz-Target`` (``"CreatePresignedNotebookInstanceUrl"``).
    operation: str
    #: The JSON body, parsed; ``{}`` when it was not a JSON object.
    body: Mapping[str, Any]
    #: The request headers, names in lower case.
    headers: Mapping[str, str]
    #: When the request arrived (timezone-aware UTC).
    received_at: datetime
    #: The client's TCP port: the same port on two requests means one kept-alive connection.
    client_port: int


@dataclass(frozen=True)
class Fault:
    """Something to go wrong with the next matching request, instead of the normal answer.

    Build one with `LocalSageMaker.fail_next` and its siblings, or directly and pass it
    to `LocalSageMaker.queue_fault`. ``delay`` is waited first; then, in this order, the
    connection is dropped, ``body`` is sent raw, or ``error_code`` is answered; a fault with
    only a delay answers normally after it.
    """

    #: The operation it applies to; None for whichever request comes next.
    operation: str | None = None
    #: Seconds to wait before answering.
    delay: float = 0.0
    #: Close the connection without answering.
    drop: bool = False
    #: A raw body to answer with (status ``status``), e.g. malformed JSON.
    body: bytes | None = None
    #: An error code to answer with, as ``__type``.
    error_code: str | None = None
    #: The HTTP status of an error or raw-body answer.
    status: int = 400
    #: The error message.
    message: str = ""


class ApiError(Exception):
    """An error answer, as the JSON 1.1 protocol shapes it."""

    def __init__(self, code: str, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.status = status


def record_not_found() -> ApiError:
    # What SageMaker (and moto) answer for an unknown notebook instance name.
    return ApiError("ValidationException", "RecordNotFound")


ACCOUNT_ID = "123456789012"


@dataclass
class NotebookInstance:
    """A notebook instance as LocalSageMaker keeps it; tests may change any field."""

    name: str
    status: str = "InService"
    #: Reported by DescribeNotebookInstance while the status is Failed.
    failure_reason: str | None = None
    #: Where a start ends up once Pending is over: InService, or Failed to test failures.
    start_outcome: str = "InService"
    #: Statuses the next describes report, one each; the last one stays.
    upcoming: list[str] = field(default_factory=list[str])
    #: With time-based transitions: (monotonic deadline, the status reached then).
    settles: tuple[float, str] | None = None
    #: Issued URLs, newest last, so a test can check what was handed out.
    issued_urls: list[str] = field(default_factory=list[str], repr=False)
    created_at: float = field(default_factory=time.time)

    def advance(self, now: float) -> None:
        """Move along the scripted transition, as one describe sees it."""
        if self.settles is not None:
            if now >= self.settles[0]:
                self.status, self.settles = self.settles[1], None
        elif self.upcoming:
            self.status = self.upcoming.pop(0)

    def transition(self, through: str, to: str, polls: int, seconds: float | None) -> None:
        """Go to *through* now, and to *to* after *polls* describes or *seconds*."""
        self.status = through
        self.upcoming = []
        self.settles = None
        if seconds is not None:
            self.settles = (time.monotonic() + seconds, to)
        else:
            self.upcoming = [through] * polls + [to]


class Backend:
    """The state behind one LocalSageMaker; every method is safe to call from any thread."""

    def __init__(
        self,
        region_name: str,
        *,
        transition_polls: int = 2,
        transition_seconds: float | None = None,
    ) -> None:
        self.region_name = region_name
        self.transition_polls = transition_polls
        self.transition_seconds = transition_seconds
        self._lock = threading.Lock()
        self._instances: dict[str, NotebookInstance] = {}
        self._faults: list[Fault] = []
        self._requests: list[RecordedRequest] = []
        self._operations: dict[str, Callable[[JsonObject], JsonObject]] = {
            "CreatePresignedNotebookInstanceUrl": self._create_presigned_url,
            "DescribeNotebookInstance": self._describe,
            "StartNotebookInstance": self._start,
            "StopNotebookInstance": self._stop,
        }

    # --- test-facing state ---

    def add_instance(self, name: str, status: str) -> NotebookInstance:
        with self._lock:
            instance = NotebookInstance(name=name, status=status)
            self._instances[name] = instance
            return instance

    def instance(self, name: str) -> NotebookInstance:
        with self._lock:
            try:
                return self._instances[name]
            except KeyError:
                raise KeyError(f"no notebook instance {name!r} in LocalSageMaker") from None

    def script(self, name: str, statuses: list[str], failure_reason: str | None) -> None:
        instance = self.instance(name)
        with self._lock:
            instance.upcoming = list(statuses)
            instance.settles = None
            if failure_reason is not None:
                instance.failure_reason = failure_reason

    def queue_fault(self, fault: Fault) -> None:
        with self._lock:
            self._faults.append(fault)

    def clear_faults(self) -> None:
        with self._lock:
            self._faults.clear()

    @property
    def requests(self) -> list[RecordedRequest]:
        with self._lock:
            return list(self._requests)

    def clear_requests(self) -> None:
        with self._lock:
            self._requests.clear()

    # --- request-facing ---

    def record(self, request: RecordedRequest) -> None:
        with self._lock:
            self._requests.append(request)

    def take_fault(self, operation: str) -> Fault | None:
        with self._lock:
            for index, fault in enumerate(self._faults):
                if fault.operation in (None, operation):
                    return self._faults.pop(index)
        return None

    def handle(self, operation: str, body: JsonObject) -> JsonObject:
        handler = self._operations.get(operation)
        if handler is None:
            raise ApiError("UnknownOperationException", f"Unknown operation {operation}")
        return handler(body)

    # --- operations ---

    def _existing(self, body: JsonObject) -> NotebookInstance:
        """The instance the body names (call with the lock held)."""
        instance = self._instances.get(str(body.get("NotebookInstanceName", "")))
        if instance is None:
            raise record_not_found()
        return instance

    def _arn(self, name: str) -> str:
        return f"arn:aws:sagemaker:{self.region_name}:{ACCOUNT_ID}:notebook-instance/{name.lower()}"

    def _describe(self, body: JsonObject) -> JsonObject:
        with self._lock:
            instance = self._existing(body)
            instance.advance(time.monotonic())
            answer: JsonObject = {
                "NotebookInstanceArn": self._arn(instance.name),
                "NotebookInstanceName": instance.name,
                "NotebookInstanceStatus": instance.status,
                "Url": f"{instance.name.lower()}.notebook.{self.region_name}.sagemaker.aws",
                "InstanceType": "ml.t3.medium",
                "CreationTime": instance.created_at,
                "LastModifiedTime": instance.created_at,
            }
            if instance.status == "Failed" and instance.failure_reason:
                answer["FailureReason"] = instance.failure_reason
            return answer

    def _move(self, body: JsonObject, source: str, through: str, target: str) -> JsonObject:
        """Start or stop: only from *source*, then *through* on the way to *target*."""
        with self._lock:
            instance = self._existing(body)
            if instance.status != source:
                # SageMaker's own wording for a start or stop from the wrong status.
                raise ApiError(
                    "ValidationException",
                    f"Status ({instance.status}) not in ([{source}]). Unable to transition to "
                    f"({through}) for Notebook Instance ({self._arn(instance.name)})",
                )
            instance.transition(through, target, self.transition_polls, self.transition_seconds)
        return {}

    def _start(self, body: JsonObject) -> JsonObject:
        with self._lock:
            outcome = self._existing(body).start_outcome
        return self._move(body, "Stopped", "Pending", outcome)

    def _stop(self, body: JsonObject) -> JsonObject:
        return self._move(body, "InService", "Stopping", "Stopped")

    def _create_presigned_url(self, body: JsonObject) -> JsonObject:
        name = body.get("NotebookInstanceName")
        duration = body.get("SessionExpirationDurationInSeconds")
        if not isinstance(name, str) or not name:
            raise ApiError("ValidationException", "NotebookInstanceName is required")
        if duration is not None and not (isinstance(duration, int) and 1800 <= duration <= 43200):
            raise ApiError(
                "ValidationException",
                f"1 validation error detected: Value '{duration}' at "
                "'sessionExpirationDurationInSeconds' failed to satisfy constraint: "
                "Member must have value between 1800 and 43200",
            )
        with self._lock:
            instance = self._instances.get(name)
            if instance is None:
                raise record_not_found()
            url = (
                f"https://{name.lower()}.notebook.{self.region_name}.sagemaker.aws"
                f"?authToken={secrets.token_urlsafe(48)}"
            )
            instance.issued_urls.append(url)
        return {"AuthorizedUrl": url}
