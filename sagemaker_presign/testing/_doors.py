"""LocalSageMaker's other doors: Studio domains, user profiles and spaces, MLflow tracking
servers and apps, partner apps; their presign operations and what their lifecycles need.

Unknown resources are answered with ``ResourceNotFound``, as the service does for these
operations; URLs take the shapes the service's do.
"""

from __future__ import annotations

import secrets
import string
import time
from dataclasses import dataclass, field
from typing import Any

from ._errors import ApiError
from ._moving import Moving, random_id
from ._paging import paginate

JsonObject = dict[str, Any]
ACCOUNT_ID = "123456789012"
#: Every Status a Studio domain, user profile or space reports.
STUDIO_STATUSES = (
    "Deleting",
    "Failed",
    "InService",
    "Pending",
    "Updating",
    "Update_Failed",
    "Delete_Failed",
)
#: Every TrackingServerStatus.
MLFLOW_STATUSES = (
    "Creating",
    "Created",
    "CreateFailed",
    "Updating",
    "Updated",
    "UpdateFailed",
    "Deleting",
    "DeleteFailed",
    "Stopping",
    "Stopped",
    "StopFailed",
    "Starting",
    "Started",
    "StartFailed",
    "MaintenanceInProgress",
    "MaintenanceComplete",
    "MaintenanceFailed",
)


def _check(status: str, valid: tuple[str, ...], what: str) -> str:
    if status not in valid:
        raise ValueError(f"unknown {what} status {status!r}: use one of {valid}")
    return status


@dataclass
class Domain:
    """A Studio domain. ``auth_mode="SSO"`` makes presigning refuse, as the service does."""

    domain_id: str
    name: str = "studio"
    auth_mode: str = "IAM"
    status: str = "InService"


@dataclass
class StudioResource(Moving):
    """A Studio user profile or space; tests may change any field."""

    domain_id: str
    name: str
    status: str = "InService"
    failure_reason: str | None = None
    """Reported while the status is Failed or Update_Failed."""
    owner: str | None = None
    """A space's owning user profile, if private."""
    app_type: str = "JupyterLab"
    """A space's app type, as ListSpaces reports it."""
    upcoming: list[str] = field(default_factory=list[str])
    settles: tuple[float, str] | None = None
    creation_time: float = field(default_factory=time.time)
    last_modified_time: float = field(default_factory=time.time)

    def __post_init__(self) -> None:
        _check(self.status, STUDIO_STATUSES, "Studio")


@dataclass
class MlflowTrackingServer(Moving):
    """An MLflow tracking server; Start/Stop move it through Starting and Stopping."""

    name: str
    status: str = "Started"
    upcoming: list[str] = field(default_factory=list[str])
    settles: tuple[float, str] | None = None
    issued_urls: list[str] = field(default_factory=list[str], repr=False)
    """Issued URLs, newest last."""
    creation_time: float = field(default_factory=time.time)
    last_modified_time: float = field(default_factory=time.time)

    def __post_init__(self) -> None:
        _check(self.status, MLFLOW_STATUSES, "tracking server")


@dataclass
class App:
    """An MLflow app or a partner app, known by its ARN."""

    arn: str
    name: str
    issued_urls: list[str] = field(default_factory=list[str], repr=False)
    """Issued URLs, newest last."""
    status: str = ""
    """Created (an MLflow app) or Available (a partner app) unless set."""
    app_type: str | None = None
    """A partner app's Type (comet, fiddler...)."""
    creation_time: float = field(default_factory=time.time)


def _not_found(what: str) -> ApiError:
    return ApiError("ResourceNotFound", f"{what} does not exist.")


def _token() -> str:
    return secrets.token_urlsafe(48)


class DoorStore:
    """The resources behind the other doors; the caller holds the backend's lock."""

    def __init__(self, region_name: str, transition_polls: int, transition_seconds: float | None):
        self.region_name = region_name
        self.transition_polls = transition_polls
        self.transition_seconds = transition_seconds
        self.domains: dict[str, Domain] = {}
        self.profiles: dict[tuple[str, str], StudioResource] = {}
        self.spaces: dict[tuple[str, str], StudioResource] = {}
        self.servers: dict[str, MlflowTrackingServer] = {}
        self.apps: dict[str, App] = {}
        #: Presigned domain URLs, newest last.
        self.domain_urls: list[str] = []

    def arn(self, kind: str, name: str) -> str:
        return f"arn:aws:sagemaker:{self.region_name}:{ACCOUNT_ID}:{kind}/{name}"

    # --- test-facing ---

    def add_domain(self, domain_id: str | None, name: str, auth_mode: str) -> Domain:
        domain = Domain(domain_id or f"d-{random_id(12)}", name, auth_mode)
        self.domains[domain.domain_id] = domain
        return domain

    def add_app(self, kind: str, name: str, arn: str | None) -> App:
        """An MLflow app or a partner app (their ARNs differ in kind and id alphabet)."""
        if arn is None:
            upper = kind == "partner-app"
            alphabet = string.ascii_uppercase + string.digits if upper else None
            app_id = random_id(12, alphabet) if alphabet else random_id(12)
            arn = self.arn(kind, f"app-{app_id}")
        app = App(arn, name, status="Available" if kind == "partner-app" else "Created")
        if kind == "partner-app":
            app.app_type = "comet"
        self.apps[arn] = app
        return app

    # --- helpers ---

    def _domain(self, body: JsonObject) -> Domain:
        domain = self.domains.get(str(body.get("DomainId")))
        if domain is None:
            raise _not_found(f"Domain {body.get('DomainId')}")
        return domain

    def _studio(
        self, store: dict[tuple[str, str], StudioResource], body: JsonObject, key: str, what: str
    ) -> StudioResource:
        domain = self._domain(body)
        found = store.get((domain.domain_id, str(body.get(key))))
        if found is None:
            raise _not_found(f"{what} {body.get(key)} in domain {domain.domain_id}")
        found.advance(time.monotonic())
        return found

    def _server(self, body: JsonObject) -> MlflowTrackingServer:
        server = self.servers.get(str(body.get("TrackingServerName")))
        if server is None:
            raise _not_found(f"Tracking server {body.get('TrackingServerName')}")
        if server.settles is not None:
            server.advance(time.monotonic())
        return server

    def _app(self, body: JsonObject, kind: str) -> App:
        app = self.apps.get(str(body.get("Arn")))
        if app is None or f":{kind}/" not in app.arn:
            raise _not_found(f"{kind} {body.get('Arn')}")
        return app

    @staticmethod
    def _durations(body: JsonObject) -> None:
        for key, low, high in (
            ("ExpiresInSeconds", 5, 300),
            ("SessionExpirationDurationInSeconds", 1800, 43200),
        ):
            value = body.get(key)
            if value is not None and not (isinstance(value, int) and low <= value <= high):
                raise ApiError(
                    "ValidationException",
                    f"1 validation error detected: Value '{value}' at '{key}' failed to "
                    f"satisfy constraint: Member must have value between {low} and {high}",
                )

    # --- Studio ---

    def describe_domain(self, body: JsonObject) -> JsonObject:
        domain = self._domain(body)
        return {
            "DomainId": domain.domain_id,
            "DomainArn": self.arn("domain", domain.domain_id),
            "DomainName": domain.name,
            "Status": domain.status,
            "AuthMode": domain.auth_mode,
            "Url": f"https://{domain.domain_id}.studio.{self.region_name}.sagemaker.aws",
        }

    def describe_user_profile(self, body: JsonObject) -> JsonObject:
        profile = self._studio(self.profiles, body, "UserProfileName", "User profile")
        return self._studio_answer(profile, "UserProfile", "user-profile")

    def describe_space(self, body: JsonObject) -> JsonObject:
        space = self._studio(self.spaces, body, "SpaceName", "Space")
        answer = self._studio_answer(space, "Space", "space")
        if space.owner:
            answer["OwnershipSettings"] = {"OwnerUserProfileName": space.owner}
        return answer

    def _studio_answer(self, resource: StudioResource, kind: str, arn_kind: str) -> JsonObject:
        answer: JsonObject = {
            "DomainId": resource.domain_id,
            f"{kind}Name": resource.name,
            f"{kind}Arn": self.arn(arn_kind, f"{resource.domain_id}/{resource.name}"),
            "Status": resource.status,
            "CreationTime": resource.creation_time,
            "LastModifiedTime": resource.last_modified_time,
        }
        if resource.failure_reason and resource.status.endswith("Failed"):
            answer["FailureReason"] = resource.failure_reason
        return answer

    def create_presigned_domain_url(self, body: JsonObject) -> JsonObject:
        self._durations(body)
        domain = self._domain(body)
        if domain.auth_mode != "IAM":
            raise ApiError(
                "ValidationException",
                f"Domain {domain.domain_id} is configured with IAM Identity Center (SSO) "
                "authentication; presigned URLs are only supported for IAM domains",
            )
        self._studio(self.profiles, body, "UserProfileName", "User profile")
        if body.get("SpaceName") is not None:
            self._studio(self.spaces, body, "SpaceName", "Space")
        landing = body.get("LandingUri")
        if landing is not None and len(str(landing)) > 1023:
            raise ApiError("ValidationException", "LandingUri is longer than 1023")
        url = (
            f"https://{domain.domain_id}.studio.{self.region_name}.sagemaker.aws/auth"
            f"?token={_token()}"
        )
        self.domain_urls.append(url)
        return {"AuthorizedUrl": url}

    def list_domains(self, body: JsonObject) -> JsonObject:
        domains = sorted(self.domains.values(), key=lambda d: d.domain_id)
        page, answer = paginate(domains, body)
        answer["Domains"] = [
            {
                key: value
                for key, value in self.describe_domain({"DomainId": d.domain_id}).items()
                if key in ("DomainId", "DomainArn", "DomainName", "Status", "Url")
            }
            for d in page
        ]
        return answer

    def _studio_list(
        self, store: dict[tuple[str, str], StudioResource], body: JsonObject, contains_key: str
    ) -> list[StudioResource]:
        domain = body.get("DomainIdEquals")
        contains = str(body.get(contains_key) or "")
        found = [
            r
            for r in store.values()
            if (domain is None or r.domain_id == domain) and contains in r.name
        ]
        by_name = body.get("SortBy") == "Name"
        found.sort(
            key=lambda r: r.name if by_name else r.creation_time,
            reverse=body.get("SortOrder", "Descending") == "Descending",
        )
        return found

    def list_user_profiles(self, body: JsonObject) -> JsonObject:
        found = self._studio_list(self.profiles, body, "UserProfileNameContains")
        page, answer = paginate(found, body)
        answer["UserProfiles"] = [
            {
                "DomainId": p.domain_id,
                "UserProfileName": p.name,
                "Status": p.status,
                "CreationTime": p.creation_time,
                "LastModifiedTime": p.last_modified_time,
            }
            for p in page
        ]
        return answer

    def list_spaces(self, body: JsonObject) -> JsonObject:
        found = self._studio_list(self.spaces, body, "SpaceNameContains")
        page, answer = paginate(found, body)
        answer["Spaces"] = [
            {
                "DomainId": s.domain_id,
                "SpaceName": s.name,
                "Status": s.status,
                "CreationTime": s.creation_time,
                "LastModifiedTime": s.last_modified_time,
                "SpaceSettingsSummary": {"AppType": s.app_type},
                **(
                    {"OwnershipSettingsSummary": {"OwnerUserProfileName": s.owner}}
                    if s.owner
                    else {}
                ),
            }
            for s in page
        ]
        return answer

    # --- MLflow ---

    def list_mlflow_tracking_servers(self, body: JsonObject) -> JsonObject:
        wanted = body.get("TrackingServerStatus")
        found = [s for s in self.servers.values() if wanted is None or s.status == wanted]
        found.sort(key=lambda s: s.creation_time, reverse=body.get("SortOrder") != "Ascending")
        page, answer = paginate(found, body)
        answer["TrackingServerSummaries"] = [
            {
                "TrackingServerName": s.name,
                "TrackingServerArn": self.arn("mlflow-tracking-server", s.name),
                "TrackingServerStatus": s.status,
                "IsActive": "Active" if s.status == "Started" else "Inactive",
                "MlflowVersion": "2.16.2",
                "CreationTime": s.creation_time,
                "LastModifiedTime": s.last_modified_time,
            }
            for s in page
        ]
        return answer

    def describe_mlflow_tracking_server(self, body: JsonObject) -> JsonObject:
        server = self._server(body)
        server.advance(time.monotonic())
        return {
            "TrackingServerName": server.name,
            "TrackingServerArn": self.arn("mlflow-tracking-server", server.name),
            "TrackingServerStatus": server.status,
            "IsActive": "Active" if server.status == "Started" else "Inactive",
            "TrackingServerUrl": f"https://t-{server.name}.{self.region_name}.experiments"
            ".sagemaker.aws",
            "TrackingServerSize": "Small",
            "MlflowVersion": "2.16.2",
            "CreationTime": server.creation_time,
            "LastModifiedTime": server.last_modified_time,
        }

    def _move_server(self, body: JsonObject, source: str, through: str, to: str) -> JsonObject:
        server = self._server(body)
        if server.status != source:
            raise ApiError(
                "ConflictException",
                f"Tracking server {server.name} is {server.status}, not {source}",
            )
        server.transition(through, to, self.transition_polls, self.transition_seconds)
        return {"TrackingServerArn": self.arn("mlflow-tracking-server", server.name)}

    def start_mlflow_tracking_server(self, body: JsonObject) -> JsonObject:
        return self._move_server(body, "Stopped", "Starting", "Started")

    def stop_mlflow_tracking_server(self, body: JsonObject) -> JsonObject:
        return self._move_server(body, "Started", "Stopping", "Stopped")

    def create_presigned_mlflow_tracking_server_url(self, body: JsonObject) -> JsonObject:
        self._durations(body)
        server = self._server(body)
        url = (
            f"https://t-{server.name}.{self.region_name}.experiments.sagemaker.aws/auth"
            f"?authToken={_token()}"
        )
        server.issued_urls.append(url)
        return {"AuthorizedUrl": url}

    # --- apps ---

    def _app_list(self, body: JsonObject, kind: str) -> JsonObject:
        wanted = body.get("Status")
        found = [
            app
            for app in self.apps.values()
            if f":{kind}/" in app.arn and (wanted is None or app.status == wanted)
        ]
        found.sort(key=lambda app: app.creation_time, reverse=True)
        page, answer = paginate(found, body)
        answer["Summaries"] = [
            {
                "Arn": app.arn,
                "Name": app.name,
                "Status": app.status,
                "CreationTime": app.creation_time,
                **({"Type": app.app_type} if app.app_type else {}),
                **({"MlflowVersion": "3.0"} if kind == "mlflow-app" else {}),
            }
            for app in page
        ]
        return answer

    def list_mlflow_apps(self, body: JsonObject) -> JsonObject:
        return self._app_list(body, "mlflow-app")

    def list_partner_apps(self, body: JsonObject) -> JsonObject:
        return self._app_list(body, "partner-app")

    def create_presigned_mlflow_app_url(self, body: JsonObject) -> JsonObject:
        self._durations(body)
        app = self._app(body, "mlflow-app")
        app_id = app.arn.rpartition("/")[2]
        url = f"https://{app_id}.mlflow.{self.region_name}.sagemaker.aws/auth?authToken={_token()}"
        app.issued_urls.append(url)
        return {"AuthorizedUrl": url}

    def create_partner_app_presigned_url(self, body: JsonObject) -> JsonObject:
        self._durations(body)
        app = self._app(body, "partner-app")
        app_id = app.arn.rpartition("/")[2].lower()
        url = f"https://{app_id}.partner-app.{self.region_name}.sagemaker.aws/?token={_token()}"
        app.issued_urls.append(url)
        return {"Url": url}  # this operation's field is Url, not AuthorizedUrl
