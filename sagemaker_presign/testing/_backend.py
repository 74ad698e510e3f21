"""What LocalSageMaker knows: its resources, the faults queued, the requests seen.

Kept apart from the HTTP plumbing in ``_server.py`` so that each operation is a plain
method from a JSON body to a JSON answer; the notebook instances live in ``_notebooks.py``.
"""

from __future__ import annotations

import secrets
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from ._doors import DoorStore
from ._errors import ApiError
from ._hub import HubStore
from ._notebooks import JsonObject, NotebookInstance, NotebookStore
from ._paging import paginate

__all__ = ["ApiError", "Backend", "Fault", "JsonObject", "NotebookInstance", "RecordedRequest"]


@dataclass(frozen=True)
class RecordedRequest:
    """One request as LocalSageMaker received it."""

    operation: str
    """The operation from ``X-Amz-Target`` (``"CreatePresignedNotebookInstanceUrl"``)."""
    body: Mapping[str, Any]
    """The JSON body, parsed; ``{}`` when it was not a JSON object."""
    headers: Mapping[str, str]
    """The request headers, names in lower case."""
    received_at: datetime
    """When the request arrived (timezone-aware UTC)."""
    client_port: int
    """The client's TCP port: the same port on two requests means one kept-alive connection."""


@dataclass(frozen=True)
class Fault:
    """Something to go wrong with the next matching request, instead of the normal answer.

    Build one with `LocalSageMaker.fail_next` and its siblings, or directly and pass it
    to `LocalSageMaker.queue_fault`. ``delay`` is waited first; then, in this order, the
    connection is dropped, ``body`` is sent raw, or ``error_code`` is answered; a fault with
    only a delay answers normally after it.
    """

    operation: str | None = None
    """The operation it applies to; None for whichever request comes next."""
    delay: float = 0.0
    """Seconds to wait before answering."""
    drop: bool = False
    """Close the connection without answering."""
    body: bytes | None = None
    """A raw body to answer with (status ``status``), e.g. malformed JSON."""
    error_code: str | None = None
    """An error code to answer with, as ``__type``."""
    status: int = 400
    """The HTTP status of an error or raw-body answer."""
    message: str = ""
    """The error message."""


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
        self._notebooks = NotebookStore(region_name, transition_polls, transition_seconds)
        self.doors = DoorStore(region_name, transition_polls, transition_seconds)
        self.hubs = HubStore(region_name)
        self._faults: list[Fault] = []
        self._requests: list[RecordedRequest] = []
        notebooks = self._notebooks
        # Every operation runs with the lock held.
        self._operations: dict[str, Callable[[JsonObject], JsonObject]] = {
            "CreatePresignedNotebookInstanceUrl": self._create_presigned_url,
            "DescribeNotebookInstance": notebooks.describe,
            "StartNotebookInstance": notebooks.start,
            "StopNotebookInstance": notebooks.stop,
            "CreateNotebookInstance": notebooks.create,
            "UpdateNotebookInstance": notebooks.update,
            "DeleteNotebookInstance": notebooks.delete,
            "ListNotebookInstances": notebooks.list,
            "AddTags": self._add_tags,
            "CreateHubContentPresignedUrls": self.hubs.create_hub_content_presigned_urls,
            "ListHubContents": self.hubs.list_hub_contents,
            "ListTags": self._list_tags,
        }
        #: Tags by resource ARN (any ARN may carry tags, as for the service's AddTags).
        self.tags: dict[str, dict[str, str]] = {}
        doors = self.doors
        for operation in (
            "DescribeDomain",
            "DescribeUserProfile",
            "DescribeSpace",
            "CreatePresignedDomainUrl",
            "DescribeMlflowTrackingServer",
            "StartMlflowTrackingServer",
            "StopMlflowTrackingServer",
            "CreatePresignedMlflowTrackingServerUrl",
            "CreatePresignedMlflowAppUrl",
            "CreatePartnerAppPresignedUrl",
            "ListDomains",
            "ListUserProfiles",
            "ListSpaces",
            "ListMlflowTrackingServers",
            "ListMlflowApps",
            "ListPartnerApps",
        ):
            # DescribeUserProfile -> doors.describe_user_profile
            method = "".join(f"_{c.lower()}" if c.isupper() else c for c in operation)[1:]
            self._operations[operation] = getattr(doors, method)

    # --- test-facing state ---

    def add_instance(self, name: str, status: str) -> NotebookInstance:
        with self._lock:
            instance = NotebookInstance(name=name, status=status)
            self._notebooks.instances[name] = instance
            return instance

    def instance(self, name: str) -> NotebookInstance:
        with self._lock:
            try:
                return self._notebooks.instances[name]
            except KeyError:
                raise KeyError(f"no notebook instance {name!r} in LocalSageMaker") from None

    def script(self, name: str, statuses: list[str], failure_reason: str | None) -> None:
        instance = self.instance(name)
        with self._lock:
            instance.upcoming = list(statuses)
            instance.settles = None
            if failure_reason is not None:
                instance.failure_reason = failure_reason

    def locked(self) -> threading.Lock:
        """The lock every operation holds; hold it to change state a request may read."""
        return self._lock

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
        with self._lock:
            return handler(body)

    def _add_tags(self, body: JsonObject) -> JsonObject:
        arn, tags = body.get("ResourceArn"), body.get("Tags")
        if not isinstance(arn, str) or not arn or not isinstance(tags, list):
            raise ApiError("ValidationException", "ResourceArn and Tags are required")
        held = self.tags.setdefault(arn, {})
        for tag in cast("list[object]", tags):
            if isinstance(tag, dict):
                pair = cast("dict[str, object]", tag)
                held[str(pair.get("Key"))] = str(pair.get("Value", ""))
        return {"Tags": [{"Key": k, "Value": v} for k, v in held.items()]}

    def _list_tags(self, body: JsonObject) -> JsonObject:
        arn = body.get("ResourceArn")
        if not isinstance(arn, str) or not arn:
            raise ApiError("ValidationException", "ResourceArn is required")
        held = [{"Key": k, "Value": v} for k, v in self.tags.get(arn, {}).items()]
        page, answer = paginate(held, body, default_max=50)
        return {"Tags": page, **answer}

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
        instance = self._notebooks.existing(body)
        url = f"https://{self._notebooks.host(name)}?authToken={secrets.token_urlsafe(48)}"
        instance.issued_urls.append(url)
        return {"AuthorizedUrl": url}
