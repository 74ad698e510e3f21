"""The MLflow doors: tracking servers (with their start-and-wait lifecycle) and MLflow apps."""

from __future__ import annotations

import contextlib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from ._constants import DEFAULT_EXPIRES_IN
from ._door import Caller, Cli, Door, Listing, Param, Web, app_rows, arn_cli
from ._exceptions import ConflictingStatusError, ResourceFailedError, ResourceNotInServiceError
from ._lifecycle import Lifecycle
from ._responses import described_status
from ._result import PresignedArnUrl, PresignedUrl
from ._status import MlflowTrackingServerStatus
from ._validation import check_identifier

_SERVER_NAME = r"[a-zA-Z0-9](-*[a-zA-Z0-9]){0,255}"
# The model allows any region (even none) and any ID (".*"): we ask for a region and a visible,
# non-empty ASCII ID, so that white space, escapes and control characters are never sent.
_APP_ARN = r"arn:aws[a-z\-]*:sagemaker:[a-z0-9][a-z0-9\-]*:[0-9]{12}:mlflow-app/[\x21-\x7e]+"


def check_server_name(name: object) -> str:
    return check_identifier(
        name,
        "tracking server name",
        _SERVER_NAME,
        max_length=256,
        rule="only ASCII letters, digits and hyphens, starting and ending with a letter or digit",
    )


def check_mlflow_app_arn(arn: object) -> str:
    return check_identifier(
        arn,
        "MLflow app ARN",
        _APP_ARN,
        max_length=128,
        rule="it must look like arn:aws:sagemaker:<region>:<12-digit account>:mlflow-app/<id>, "
        "with a region and an ID of visible ASCII characters",
    )


@dataclass(frozen=True, repr=False, init=False)
class PresignedMlflowTrackingServerUrl(PresignedUrl):
    """A URL that opens one MLflow tracking server's UI. The service lets it be used once."""

    tracking_server_name: str
    """The tracking server the URL opens."""

    def __init__(
        self,
        url: str,
        tracking_server_name: str,
        issued_at: datetime,
        *,
        session_duration: timedelta | None = None,
        valid_for: timedelta = DEFAULT_EXPIRES_IN,
    ) -> None:
        vars(self)["tracking_server_name"] = tracking_server_name
        self._set_base(url, issued_at, valid_for, session_duration)

    def _subject(self) -> str:
        return f"MLflow tracking server {self.tracking_server_name!r}"

    def _identifiers(self) -> dict[str, object]:
        return {"tracking_server_name": self.tracking_server_name}


@dataclass(frozen=True, repr=False, init=False)
class PresignedMlflowAppUrl(PresignedArnUrl):
    """A URL that opens one MLflow app (its ``arn``)."""

    _kind = "MLflow app"


def _describe(
    call: Caller, params: Mapping[str, Any]
) -> tuple[MlflowTrackingServerStatus, str | None]:
    name = params["tracking_server_name"]
    subject = f"MLflow tracking server {name!r}"
    response = call(
        "describe_mlflow_tracking_server", {"TrackingServerName": name}, subject=subject
    )
    return described_status(
        response,
        status_field="TrackingServerStatus",
        status_type=MlflowTrackingServerStatus,
        operation="DescribeMlflowTrackingServer",
        subject=subject,
    )


def _start(call: Caller, params: Mapping[str, Any]) -> None:
    name = params["tracking_server_name"]
    # Someone else started it first: the next describe shows where it is.
    with contextlib.suppress(ConflictingStatusError):
        call(
            "start_mlflow_tracking_server",
            {"TrackingServerName": name},
            subject=f"MLflow tracking server {name!r}",
        )


MLFLOW_LIFECYCLE = Lifecycle(
    status_type=MlflowTrackingServerStatus,
    # Created, Updated and MaintenanceComplete servers are running too.
    ready=frozenset({"Started", "Created", "Updated", "MaintenanceComplete"}),
    startable=frozenset({"Stopped"}),
    failed=frozenset(
        {"CreateFailed", "UpdateFailed", "StartFailed", "StopFailed", "MaintenanceFailed"}
    ),
    going=frozenset({"Deleting", "DeleteFailed"}),
    not_in_service=ResourceNotInServiceError,
    failed_error=ResourceFailedError,
    start_hint="start it with start=True (sagemaker-presign mlflow --start) "
    "or aws sagemaker start-mlflow-tracking-server",
    describe_request="DescribeMlflowTrackingServer",
    start_request="StartMlflowTrackingServer",
    describe=_describe,
    start=_start,
    default_timeout=1800,  # a start takes long
    ready_word="Started",
)


def _demo(sagemaker: Any, args: Any) -> None:
    status = "Stopped" if args.start else "Started"
    sagemaker.add_mlflow_tracking_server(args.tracking_server_name, status=status)


def _arn(sagemaker: Any, params: Mapping[str, Any]) -> str:
    answer = sagemaker.describe_mlflow_tracking_server(
        TrackingServerName=params["tracking_server_name"]
    )
    return str(answer["TrackingServerArn"])


def _demo_app(sagemaker: Any, args: Any) -> None:
    sagemaker.add_mlflow_app(arn=args.arn)


def _server_subject(params: Mapping[str, Any]) -> str:
    return f"MLflow tracking server {params['tracking_server_name']!r}"


def _app_subject(params: Mapping[str, Any]) -> str:
    return f"MLflow app {params['arn']!r}"


def _rows(client: Any, args: Any) -> list[dict[str, Any]]:
    return [
        {
            "kind": "mlflow-tracking-server",
            "name": server.name,
            "status": str(server.status),
            "type": f"MLflow {server.mlflow_version}" if server.mlflow_version else None,
            "created": server.creation_time,
        }
        for server in client.list_mlflow_tracking_servers(status=args.status)
    ]


MLFLOW = Door(
    name="mlflow",
    operation="CreatePresignedMlflowTrackingServerUrl",
    method="create_presigned_mlflow_tracking_server_url",
    since="1.34.129",
    params=(Param("tracking_server_name", "TrackingServerName", check_server_name),),
    subject=_server_subject,
    result=PresignedMlflowTrackingServerUrl,
    lifecycle=MLFLOW_LIFECYCLE,
    listing=Listing(_rows),
    demo=_demo,
    cli=Cli(
        help="an MLflow tracking server's UI (the URL works once)",
        arguments=(
            (
                ("tracking_server_name",),
                {"metavar": "NAME", "help": "the tracking server's name"},
            ),
        ),
        shown=("tracking_server_name",),
    ),
    web=Web(
        segments=("tracking_server_name",),
        required=1,
        name="tracking_server_name",
        title="MLflow tracking server {tracking_server_name}",
        arn_of=_arn,
    ),
)

MLFLOW_APP = Door(
    name="mlflow-app",
    operation="CreatePresignedMlflowAppUrl",
    method="create_presigned_mlflow_app_url",
    since="1.42.1",
    params=(Param("arn", "Arn", check_mlflow_app_arn),),
    subject=_app_subject,
    result=PresignedMlflowAppUrl,
    arn_param="arn",
    listing=app_rows("mlflow-app", "list_mlflow_apps"),
    cli=arn_cli("an MLflow app"),
    demo=_demo_app,
)
