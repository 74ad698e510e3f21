"""LocalSageMaker's notebook instances: what Describe and List return, and how statuses move.

Each operation is a plain function of the state and a JSON body. Describe returns every field
real SageMaker returns, with values that fit the account and region; List filters, sorts and
pages as the service does, so boto3's paginator, the AWS CLI and the JS SDK work against it.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

from ._errors import ApiError, record_not_found
from ._moving import Moving
from ._paging import paginate

JsonObject = dict[str, Any]

ACCOUNT_ID = "123456789012"
#: Every NotebookInstanceStatus SageMaker reports.
STATUSES = (
    "Pending",
    "InService",
    "Stopping",
    "Stopped",
    "Failed",
    "Deleting",
    "Updating",
    "PendingMaintenance",
    "InMaintenance",
)
#: Where an instance goes at the end of Deleting: out of the store.
GONE = "<deleted>"
_SORT_KEYS: dict[str, Callable[[NotebookInstance], Any]] = {
    "Name": lambda i: i.name,
    "CreationTime": lambda i: i.creation_time,
    "Status": lambda i: i.status,
}


def check_status(status: str) -> str:
    """*status* if SageMaker reports it; ValueError naming the valid ones otherwise."""
    if status not in STATUSES:
        raise ValueError(f"unknown notebook instance status {status!r}: use one of {STATUSES}")
    return status


@dataclass
class NotebookInstance(Moving):
    """A notebook instance as LocalSageMaker keeps it; tests may change any field."""

    name: str
    status: str = "InService"
    failure_reason: str | None = None
    """Reported by DescribeNotebookInstance while the status is Failed."""
    start_outcome: str = "InService"
    """Where a start ends up once Pending is over: InService, or Failed to test failures."""
    instance_type: str = "ml.t3.medium"
    role_arn: str = f"arn:aws:iam::{ACCOUNT_ID}:role/service-role/AmazonSageMaker-ExecutionRole"
    volume_size_in_gb: int = 5
    direct_internet_access: str = "Enabled"
    root_access: str = "Enabled"
    platform_identifier: str = "notebook-al2-v3"
    lifecycle_config_name: str | None = None
    default_code_repository: str | None = None
    additional_code_repositories: list[str] = field(default_factory=list[str])
    subnet_id: str | None = None
    security_groups: list[str] = field(default_factory=list[str])
    kms_key_id: str | None = None
    upcoming: list[str] = field(default_factory=list[str])
    """Statuses the next describes report, one each; the last one stays."""
    settles: tuple[float, str] | None = None
    """With time-based transitions: (monotonic deadline, the status reached then)."""
    issued_urls: list[str] = field(default_factory=list[str], repr=False)
    """Issued URLs, newest last, so a test can check what was handed out."""
    creation_time: float = field(default_factory=time.time)
    last_modified_time: float = 0.0

    def __post_init__(self) -> None:
        check_status(self.status)
        self.last_modified_time = self.last_modified_time or self.creation_time


class NotebookStore:
    """The notebook instances of one LocalSageMaker; the caller holds its lock."""

    def __init__(self, region_name: str, transition_polls: int, transition_seconds: float | None):
        self.region_name = region_name
        self.transition_polls = transition_polls
        self.transition_seconds = transition_seconds
        self.instances: dict[str, NotebookInstance] = {}

    def arn(self, name: str) -> str:
        return f"arn:aws:sagemaker:{self.region_name}:{ACCOUNT_ID}:notebook-instance/{name.lower()}"

    def host(self, name: str) -> str:
        return f"{name.lower()}.notebook.{self.region_name}.sagemaker.aws"

    def existing(self, body: JsonObject) -> NotebookInstance:
        """The instance the body names, after any transition due by now."""
        instance = self.instances.get(str(body.get("NotebookInstanceName", "")))
        if instance is None:
            raise record_not_found()
        if instance.settles is not None:  # time-based transitions are due whoever looks
            instance.advance(time.monotonic())
            self._drop_if_gone(instance)
        return instance

    def _drop_if_gone(self, instance: NotebookInstance) -> None:
        if instance.status == GONE:
            del self.instances[instance.name]
            raise record_not_found()

    def move(
        self, instance: NotebookInstance, sources: tuple[str, ...], through: str, to: str
    ) -> None:
        """Start, stop, update or delete: only from *sources*, via *through* to *to*."""
        if instance.status not in sources:
            # SageMaker's own wording for a call from the wrong status.
            raise ApiError(
                "ValidationException",
                f"Status ({instance.status}) not in ([{', '.join(sources)}]). Unable to "
                f"transition to ({through}) for Notebook Instance ({self.arn(instance.name)})",
            )
        instance.transition(through, to, self.transition_polls, self.transition_seconds)

    # --- operations ---

    def describe(self, body: JsonObject) -> JsonObject:
        instance = self.existing(body)
        instance.advance(time.monotonic())
        self._drop_if_gone(instance)
        return {
            key: value
            for key, value in {
                **self.summary(instance),
                "FailureReason": instance.failure_reason if instance.status == "Failed" else None,
                "SubnetId": instance.subnet_id,
                "SecurityGroups": instance.security_groups or None,
                "RoleArn": instance.role_arn,
                "KmsKeyId": instance.kms_key_id,
                "NetworkInterfaceId": "eni-0a1b2c3d4e5f67890" if instance.subnet_id else None,
                "DirectInternetAccess": instance.direct_internet_access,
                "VolumeSizeInGB": instance.volume_size_in_gb,
                "RootAccess": instance.root_access,
                "PlatformIdentifier": instance.platform_identifier,
                "InstanceMetadataServiceConfiguration": {
                    "MinimumInstanceMetadataServiceVersion": "2"
                },
            }.items()
            if value is not None
        }

    def summary(self, instance: NotebookInstance) -> JsonObject:
        """What ListNotebookInstances reports of an instance (and Describe starts from)."""
        fields = {
            "NotebookInstanceName": instance.name,
            "NotebookInstanceArn": self.arn(instance.name),
            "NotebookInstanceStatus": instance.status,
            "Url": self.host(instance.name),
            "InstanceType": instance.instance_type,
            "CreationTime": instance.creation_time,
            "LastModifiedTime": instance.last_modified_time,
            "NotebookInstanceLifecycleConfigName": instance.lifecycle_config_name,
            "DefaultCodeRepository": instance.default_code_repository,
            "AdditionalCodeRepositories": instance.additional_code_repositories or None,
        }
        return {key: value for key, value in fields.items() if value is not None}

    def create(self, body: JsonObject) -> JsonObject:
        name = str(body.get("NotebookInstanceName", ""))
        for required in ("NotebookInstanceName", "InstanceType", "RoleArn"):
            if not body.get(required):
                raise ApiError("ValidationException", f"{required} is required")
        if name in self.instances:
            raise ApiError(
                "ValidationException",
                f"Cannot create a duplicate Notebook Instance ({self.arn(name)})",
            )
        instance = NotebookInstance(
            name=name,
            instance_type=str(body["InstanceType"]),
            role_arn=str(body["RoleArn"]),
            **_optional_fields(body),
        )
        self.instances[name] = instance
        instance.transition("Pending", "InService", self.transition_polls, self.transition_seconds)
        return {"NotebookInstanceArn": self.arn(name)}

    def update(self, body: JsonObject) -> JsonObject:
        instance = self.existing(body)
        self.move(instance, ("Stopped",), "Updating", "Stopped")
        for key, value in _optional_fields(body).items():
            setattr(instance, key, value)
        if body.get("InstanceType"):
            instance.instance_type = str(body["InstanceType"])
        if body.get("RoleArn"):
            instance.role_arn = str(body["RoleArn"])
        return {}

    def delete(self, body: JsonObject) -> JsonObject:
        instance = self.existing(body)
        self.move(instance, ("Stopped", "Failed"), "Deleting", GONE)
        return {}

    def start(self, body: JsonObject) -> JsonObject:
        instance = self.existing(body)
        self.move(instance, ("Stopped",), "Pending", instance.start_outcome)
        return {}

    def stop(self, body: JsonObject) -> JsonObject:
        self.move(self.existing(body), ("InService",), "Stopping", "Stopped")
        return {}

    def list(self, body: JsonObject) -> JsonObject:
        for instance in list(self.instances.values()):
            if instance.settles is not None:
                instance.advance(time.monotonic())
                if instance.status == GONE:
                    del self.instances[instance.name]
        matching = [i for i in self.instances.values() if _matches(i, body)]
        sort_by = str(body.get("SortBy", "CreationTime"))
        if sort_by not in _SORT_KEYS:
            raise ApiError("ValidationException", f"Invalid SortBy {sort_by!r}")
        matching.sort(
            key=lambda i: (_SORT_KEYS[sort_by](i), i.name),
            reverse=body.get("SortOrder", "Descending") == "Descending",
        )
        page, answer = paginate(matching, body)
        answer["NotebookInstances"] = [self.summary(i) for i in page]
        return answer


def _optional_fields(body: JsonObject) -> dict[str, Any]:
    """The NotebookInstance fields a Create or Update body sets."""
    names = {
        "VolumeSizeInGB": "volume_size_in_gb",
        "DirectInternetAccess": "direct_internet_access",
        "RootAccess": "root_access",
        "PlatformIdentifier": "platform_identifier",
        "LifecycleConfigName": "lifecycle_config_name",
        "DefaultCodeRepository": "default_code_repository",
        "AdditionalCodeRepositories": "additional_code_repositories",
        "SubnetId": "subnet_id",
        "SecurityGroupIds": "security_groups",
        "KmsKeyId": "kms_key_id",
    }
    return {attribute: body[key] for key, attribute in names.items() if key in body}


def _timestamp(value: object) -> float | None:
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, str):
        return datetime.fromisoformat(value).replace(tzinfo=timezone.utc).timestamp()
    return None


def _matches(instance: NotebookInstance, body: JsonObject) -> bool:
    def since(value: object) -> float:
        return _timestamp(value) or 0.0

    checks: dict[str, Callable[[Any], bool]] = {
        "NameContains": lambda v: str(v) in instance.name,
        "StatusEquals": lambda v: instance.status == v,
        "NotebookInstanceLifecycleConfigNameContains": lambda v: (
            str(v) in (instance.lifecycle_config_name or "")
        ),
        "DefaultCodeRepositoryContains": lambda v: (
            str(v) in (instance.default_code_repository or "")
        ),
        "AdditionalCodeRepositoryEquals": lambda v: v in instance.additional_code_repositories,
        "CreationTimeBefore": lambda v: instance.creation_time < since(v),
        "CreationTimeAfter": lambda v: instance.creation_time > since(v),
        "LastModifiedTimeBefore": lambda v: instance.last_modified_time < since(v),
        "LastModifiedTimeAfter": lambda v: instance.last_modified_time > since(v),
    }
    return all(check(body[key]) for key, check in checks.items() if body.get(key) is not None)
