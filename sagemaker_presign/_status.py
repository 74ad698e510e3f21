"""Notebook instance statuses, as botocore's model lists them, tolerant of new ones."""

from __future__ import annotations

from enum import Enum


class NotebookInstanceStatus(str, Enum):
    """A notebook instance's ``NotebookInstanceStatus``.

    A status string this version does not know (a newer service's) does not raise: it becomes
    a member of this type too, with ``is_known`` False, and is treated as transitional.
    """

    PENDING = "Pending"
    IN_SERVICE = "InService"
    STOPPING = "Stopping"
    STOPPED = "Stopped"
    FAILED = "Failed"
    DELETING = "Deleting"
    UPDATING = "Updating"
    PENDING_MAINTENANCE = "PendingMaintenance"
    IN_MAINTENANCE = "InMaintenance"

    @classmethod
    def _missing_(cls, value: object) -> NotebookInstanceStatus | None:
        if not isinstance(value, str) or not value:
            return None
        # A pseudo-member, kept so that the same string always gives the same object.
        member = str.__new__(cls, value)
        member._name_ = value
        member._value_ = value
        return cls._value2member_map_.setdefault(value, member)  # type: ignore[return-value]

    @property
    def is_known(self) -> bool:
        """False for a status this version of the package has never heard of."""
        return self.name in type(self).__members__

    @property
    def is_transitional(self) -> bool:
        """True while the status is on its way to another (Pending, Updating, unknown ...)."""
        return self not in _SETTLED

    def __str__(self) -> str:
        return self.value


_SETTLED = frozenset(
    {
        NotebookInstanceStatus.IN_SERVICE,
        NotebookInstanceStatus.STOPPED,
        NotebookInstanceStatus.FAILED,
    }
)
