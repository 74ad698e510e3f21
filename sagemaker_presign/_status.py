"""The statuses SageMaker reports for what the doors open, tolerant of new ones.

Each is a ``str`` enum as botocore's model lists it. A status string this version does not
know (a newer service's) does not raise: it becomes a member too, with ``is_known`` False,
and a wait treats it as on its way somewhere.
"""

from __future__ import annotations

from enum import Enum
from typing import Any, Literal, NamedTuple


class _Status(str, Enum):
    """The shared behaviour of the status enums (no members of its own)."""

    @classmethod
    def _missing_(cls, value: object) -> Any:
        if not isinstance(value, str) or not value:
            return None
        # A pseudo-member, kept so that the same string always gives the same object.
        member = str.__new__(cls, value)
        member._name_ = value
        member._value_ = value
        return cls._value2member_map_.setdefault(value, member)

    @property
    def is_known(self) -> bool:
        """False for a status this version of the package has never heard of."""
        return self.name in type(self).__members__

    @property
    def is_transitional(self) -> bool:
        """True while the status is on its way to another (Pending, Updating, unknown ...)."""
        return self.value not in _SETTLED.get(type(self).__name__, ())

    def __str__(self) -> str:
        return str(self.value)


class NotebookInstanceStatus(_Status):
    """A notebook instance's ``NotebookInstanceStatus``."""

    PENDING = "Pending"
    IN_SERVICE = "InService"
    STOPPING = "Stopping"
    STOPPED = "Stopped"
    FAILED = "Failed"
    DELETING = "Deleting"
    UPDATING = "Updating"
    PENDING_MAINTENANCE = "PendingMaintenance"
    IN_MAINTENANCE = "InMaintenance"


class MlflowTrackingServerStatus(_Status):
    """An MLflow tracking server's ``TrackingServerStatus``."""

    CREATING = "Creating"
    CREATED = "Created"
    CREATE_FAILED = "CreateFailed"
    UPDATING = "Updating"
    UPDATED = "Updated"
    UPDATE_FAILED = "UpdateFailed"
    DELETING = "Deleting"
    DELETE_FAILED = "DeleteFailed"
    STOPPING = "Stopping"
    STOPPED = "Stopped"
    STOP_FAILED = "StopFailed"
    STARTING = "Starting"
    STARTED = "Started"
    START_FAILED = "StartFailed"
    MAINTENANCE_IN_PROGRESS = "MaintenanceInProgress"
    MAINTENANCE_COMPLETE = "MaintenanceComplete"
    MAINTENANCE_FAILED = "MaintenanceFailed"


class StudioStatus(_Status):
    """The ``Status`` of a Studio domain, user profile or space."""

    PENDING = "Pending"
    IN_SERVICE = "InService"
    UPDATING = "Updating"
    FAILED = "Failed"
    UPDATE_FAILED = "Update_Failed"
    DELETING = "Deleting"
    DELETE_FAILED = "Delete_Failed"


# Where a status stays until someone acts: not transitional.
_SETTLED: dict[str, frozenset[str]] = {
    "NotebookInstanceStatus": frozenset({"InService", "Stopped", "Failed"}),
    "MlflowTrackingServerStatus": frozenset(
        {
            "Created",
            "CreateFailed",
            "Updated",
            "UpdateFailed",
            "DeleteFailed",
            "Stopped",
            "StopFailed",
            "Started",
            "StartFailed",
            "MaintenanceComplete",
            "MaintenanceFailed",
        }
    ),
    "StudioStatus": frozenset({"InService", "Failed", "Update_Failed", "Delete_Failed"}),
}


#: What a status means for opening the resource, the same words for every door.
Condition = Literal["ready", "starting", "startable", "failed", "gone"]


class ResourceState(NamedTuple):
    """Where a resource stands, in terms every door shares: what the ``*_state`` methods return.

    ``condition`` is ``"ready"`` (a URL opens it now), ``"starting"`` (on its way somewhere:
    Pending, Updating, Stopping, a status this version does not know; check again),
    ``"startable"`` (stopped: it can be started), ``"failed"`` (``failure_reason`` says why)
    or ``"gone"`` (being deleted). Derived from the same tables the waits decide by.
    """

    condition: Condition
    """ready, starting, startable, failed or gone."""
    status: str
    """The status as the service reported it."""
    failure_reason: str | None = None
    """The service's reason, for a failed resource."""

    @property
    def is_ready(self) -> bool:
        """Whether a presigned URL opens it now."""
        return self.condition == "ready"
