"""The MLflow doors: tracking servers (with their start-and-wait lifecycle) and MLflow apps."""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from ._constants import DEFAULT_EXPIRES_IN
from ._core import ClientCore, PresignCall
from ._exceptions import ConflictingStatusError, ResourceFailedError, ResourceNotInServiceError
from ._lifecycle import Lifecycle, WaitPlan, state_of
from ._responses import described_status
from ._result import PresignedArnUrl, PresignedUrl
from ._status import MlflowTrackingServerStatus, ResourceState
from ._validation import check_identifier

_SERVER_NAME = r"[a-zA-Z0-9](-*[a-zA-Z0-9]){0,255}"
# The model allows any region (even none) and any ID (".*"): we ask for a region and a visible,
# non-empty ASCII ID, so that white space, escapes and control characters are never sent.
_APP_ARN = r"arn:aws[a-z\-]*:sagemaker:[a-z0-9][a-z0-9\-]*:[0-9]{12}:mlflow-app/[\x21-\x7e]+"

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
    ready_word="Started",
)


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


class MlflowDoor(ClientCore):
    """PresignClient's MLflow methods."""

    def create_presigned_mlflow_tracking_server_url(
        self,
        tracking_server_name: str,
        *,
        session_duration: int | timedelta | None = None,
        expires_in: int | timedelta | None = None,
    ) -> PresignedMlflowTrackingServerUrl:
        """Return a presigned URL for a tracking server's MLflow UI (usable once).

        *expires_in*: 5 to 300 s (default 300); *session_duration*: 30 min to 12 h.
        """
        name = check_server_name(tracking_server_name)
        call = PresignCall(
            "create_presigned_mlflow_tracking_server_url",
            "CreatePresignedMlflowTrackingServerUrl",
            {"TrackingServerName": name},
            subject=f"MLflow tracking server {name!r}",
            since="1.34.129",
        )
        return self._presign_expiring(
            call, session_duration, expires_in, PresignedMlflowTrackingServerUrl, name
        )

    def create_presigned_mlflow_app_url(
        self,
        arn: str,
        *,
        session_duration: int | timedelta | None = None,
        expires_in: int | timedelta | None = None,
    ) -> PresignedMlflowAppUrl:
        """Return a presigned URL for an MLflow app, by its ARN."""
        checked = check_mlflow_app_arn(arn)
        self._check_arn_region(checked, "MLflow app ARN")
        call = PresignCall(
            "create_presigned_mlflow_app_url",
            "CreatePresignedMlflowAppUrl",
            {"Arn": checked},
            subject=f"MLflow app {checked!r}",
            since="1.42.1",
        )
        return self._presign_expiring(
            call, session_duration, expires_in, PresignedMlflowAppUrl, checked
        )

    def get_mlflow_tracking_server_status(
        self, tracking_server_name: str
    ) -> MlflowTrackingServerStatus:
        """Return the tracking server's status (DescribeMlflowTrackingServer)."""
        name = check_server_name(tracking_server_name)
        status: MlflowTrackingServerStatus = self._mlflow_plan(name).requests["describe"]()[0]
        return status

    def mlflow_tracking_server_state(self, tracking_server_name: str) -> ResourceState:
        """Where the tracking server stands: ready (Started, Created, Updated,
        MaintenanceComplete), starting, startable (Stopped), failed or gone."""
        name = check_server_name(tracking_server_name)
        return state_of(MLFLOW_LIFECYCLE, *self._mlflow_plan(name).requests["describe"]())

    def start_mlflow_tracking_server(self, tracking_server_name: str) -> None:
        """Ask SageMaker to start the tracking server and return at once; a start that lost a
        race with someone else's is no error."""
        self._mlflow_plan(check_server_name(tracking_server_name)).requests["start"]()

    def wait_until_mlflow_tracking_server_ready(
        self,
        tracking_server_name: str,
        *,
        start: bool = False,
        timeout: float | timedelta = 1800,
        poll_interval: float | timedelta | None = None,
        on_status: Callable[[MlflowTrackingServerStatus], object] | None = None,
        sleep: Callable[[float], object] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
    ) -> MlflowTrackingServerStatus:
        """Wait until the tracking server runs, starting it if *start* and it is Stopped.

        Started (or Created, Updated, MaintenanceComplete) ends the wait; Stopped without
        *start*, Deleting and DeleteFailed raise `ResourceNotInServiceError`; the other
        ``*Failed`` statuses raise `ResourceFailedError`. Same arguments, time bound and
        errors as `wait_until_in_service` (default timeout 30 minutes: a start takes long).
        """
        name = check_server_name(tracking_server_name)
        status: MlflowTrackingServerStatus = self._wait(
            self._mlflow_plan(name),
            start=start,
            timeout=timeout,
            poll_interval=poll_interval,
            on_status=on_status,
            sleep=sleep,
            clock=clock,
        )
        return status

    def _mlflow_plan(self, name: str) -> WaitPlan:
        """What waiting for a tracking server is: its lifecycle and requests."""
        subject = f"MLflow tracking server {name!r}"
        params = {"TrackingServerName": name}

        def describe() -> tuple[MlflowTrackingServerStatus, str | None]:
            self._check_supported(
                PresignCall(
                    "describe_mlflow_tracking_server",
                    "DescribeMlflowTrackingServer",
                    params,
                    subject,
                    since="1.34.129",
                )
            )
            response = self._call("describe_mlflow_tracking_server", params, subject=subject)
            return described_status(
                response,
                status_field="TrackingServerStatus",
                status_type=MlflowTrackingServerStatus,
                operation="DescribeMlflowTrackingServer",
                subject=subject,
            )

        def start() -> None:
            # Someone else started it first: the next describe shows where it is.
            with contextlib.suppress(ConflictingStatusError):
                self._call("start_mlflow_tracking_server", params, subject=subject)

        return WaitPlan(subject, MLFLOW_LIFECYCLE, {"describe": describe, "start": start})
