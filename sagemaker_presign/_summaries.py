"""What the listings return: one typed, immutable summary per resource, built from one item
of the service's answer (fields it leaves out are None). Imported when a listing runs, not
before: ``sagemaker-presign NAME`` never needs them."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from ._status import MlflowTrackingServerStatus, NotebookInstanceStatus, StudioStatus


def _text(item: Mapping[str, Any], key: str) -> str | None:
    value = item.get(key)
    return value if isinstance(value, str) and value else None


def _time(item: Mapping[str, Any], key: str) -> datetime | None:
    value = item.get(key)
    return value if isinstance(value, datetime) else None


def _nested(item: Mapping[str, Any], outer: str, key: str) -> str | None:
    inner: Any = item.get(outer)
    return _text(cast("Mapping[str, Any]", inner), key) if isinstance(inner, Mapping) else None


@dataclass(frozen=True)
class NotebookInstanceSummary:
    """One notebook instance as ListNotebookInstances reports it."""

    name: str
    status: NotebookInstanceStatus
    instance_type: str | None
    creation_time: datetime | None
    last_modified_time: datetime | None
    url_host: str | None
    """The instance's host (``nb.notebook.eu-west-1.sagemaker.aws``), without a token."""

    @classmethod
    def from_item(cls, item: Mapping[str, Any]) -> NotebookInstanceSummary:
        """From one entry of ListNotebookInstances' ``NotebookInstances``."""
        return cls(
            name=str(item.get("NotebookInstanceName", "")),
            status=NotebookInstanceStatus(str(item.get("NotebookInstanceStatus", "Unknown"))),
            instance_type=_text(item, "InstanceType"),
            creation_time=_time(item, "CreationTime"),
            last_modified_time=_time(item, "LastModifiedTime"),
            url_host=_text(item, "Url"),
        )


@dataclass(frozen=True)
class DomainSummary:
    """One Studio domain as ListDomains reports it."""

    domain_id: str
    name: str
    status: StudioStatus
    creation_time: datetime | None
    url: str | None

    @classmethod
    def from_item(cls, item: Mapping[str, Any]) -> DomainSummary:
        """From one entry of ListDomains' ``Domains``."""
        return cls(
            domain_id=str(item.get("DomainId", "")),
            name=str(item.get("DomainName", "")),
            status=StudioStatus(str(item.get("Status", "Unknown"))),
            creation_time=_time(item, "CreationTime"),
            url=_text(item, "Url"),
        )


@dataclass(frozen=True)
class UserProfileSummary:
    """One Studio user profile as ListUserProfiles reports it."""

    domain_id: str
    name: str
    status: StudioStatus
    creation_time: datetime | None
    last_modified_time: datetime | None

    @classmethod
    def from_item(cls, item: Mapping[str, Any]) -> UserProfileSummary:
        """From one entry of ListUserProfiles' ``UserProfiles``."""
        return cls(
            domain_id=str(item.get("DomainId", "")),
            name=str(item.get("UserProfileName", "")),
            status=StudioStatus(str(item.get("Status", "Unknown"))),
            creation_time=_time(item, "CreationTime"),
            last_modified_time=_time(item, "LastModifiedTime"),
        )


@dataclass(frozen=True)
class SpaceSummary:
    """One Studio space as ListSpaces reports it."""

    domain_id: str
    name: str
    status: StudioStatus
    owner: str | None
    """The user profile owning a private space; None for a shared one (or not reported)."""
    app_type: str | None
    """The space's app (``JupyterLab``, ``CodeEditor``...), when the service says."""
    creation_time: datetime | None
    last_modified_time: datetime | None

    @classmethod
    def from_item(cls, item: Mapping[str, Any]) -> SpaceSummary:
        """From one entry of ListSpaces' ``Spaces``."""
        return cls(
            domain_id=str(item.get("DomainId", "")),
            name=str(item.get("SpaceName", "")),
            status=StudioStatus(str(item.get("Status", "Unknown"))),
            owner=_nested(item, "OwnershipSettingsSummary", "OwnerUserProfileName"),
            app_type=_nested(item, "SpaceSettingsSummary", "AppType"),
            creation_time=_time(item, "CreationTime"),
            last_modified_time=_time(item, "LastModifiedTime"),
        )


@dataclass(frozen=True)
class MlflowTrackingServerSummary:
    """One MLflow tracking server as ListMlflowTrackingServers reports it."""

    name: str
    status: MlflowTrackingServerStatus
    mlflow_version: str | None
    creation_time: datetime | None
    last_modified_time: datetime | None

    @classmethod
    def from_item(cls, item: Mapping[str, Any]) -> MlflowTrackingServerSummary:
        """From one entry of ListMlflowTrackingServers' ``TrackingServerSummaries``."""
        return cls(
            name=str(item.get("TrackingServerName", "")),
            status=MlflowTrackingServerStatus(str(item.get("TrackingServerStatus", "Unknown"))),
            mlflow_version=_text(item, "MlflowVersion"),
            creation_time=_time(item, "CreationTime"),
            last_modified_time=_time(item, "LastModifiedTime"),
        )


@dataclass(frozen=True)
class AppSummary:
    """One MLflow app (ListMlflowApps) or partner app (ListPartnerApps): its ``arn`` is what
    the presign methods take."""

    arn: str
    name: str
    status: str
    """As the service reports it (Created, Available, Updating...)."""
    app_type: str | None
    """A partner app's type (``comet``, ``fiddler``...), or ``MLflow <version>``."""
    creation_time: datetime | None

    @classmethod
    def from_item(cls, item: Mapping[str, Any]) -> AppSummary:
        """From one entry of ListMlflowApps' or ListPartnerApps' ``Summaries``."""
        version = _text(item, "MlflowVersion")
        return cls(
            arn=str(item.get("Arn", "")),
            name=str(item.get("Name", "")),
            status=str(item.get("Status", "Unknown")),
            app_type=_text(item, "Type") or (f"MLflow {version}" if version else None),
            creation_time=_time(item, "CreationTime"),
        )


@dataclass(frozen=True)
class HubContentSummary:
    """One piece of hub content (a model, a notebook...) as ListHubContents reports it."""

    name: str
    version: str | None
    content_type: str
    status: str
    display_name: str | None
    creation_time: datetime | None

    @classmethod
    def from_item(cls, item: Mapping[str, Any]) -> HubContentSummary:
        """From one entry of ListHubContents' ``HubContentSummaries``."""
        return cls(
            name=str(item.get("HubContentName", "")),
            version=_text(item, "HubContentVersion"),
            content_type=str(item.get("HubContentType", "")),
            status=str(item.get("HubContentStatus", "Unknown")),
            display_name=_text(item, "HubContentDisplayName"),
            creation_time=_time(item, "CreationTime"),
        )
