"""PresignClient: one typed method per door and action, each handing its door's record to the
shared machinery (``_core``); the records live in the doors' modules, listed in ``_doors``."""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from ._core import ClientCore
from ._exceptions import AmbiguousNameError, ResourceNotFoundError
from ._hub import HUB_CONTENT, check_content_type, check_hub_name
from ._mlflow import MLFLOW, MLFLOW_APP
from ._notebook import NOTEBOOK
from ._partner_app import PARTNER_APP
from ._status import MlflowTrackingServerStatus, NotebookInstanceStatus
from ._studio import STUDIO, check_domain_name_or_id

if TYPE_CHECKING:
    from ._download import DownloadProgress, DownloadSummary
    from ._hub import HubContentUrls
    from ._mlflow import PresignedMlflowAppUrl, PresignedMlflowTrackingServerUrl
    from ._notebook import PresignedNotebookUrl
    from ._partner_app import PresignedPartnerAppUrl
    from ._status import ResourceState, StudioStatus
    from ._studio import LandingUri, PresignedDomainUrl
    from ._summaries import (
        AppSummary,
        DomainSummary,
        HubContentSummary,
        MlflowTrackingServerSummary,
        NotebookInstanceSummary,
        SpaceSummary,
        UserProfileSummary,
    )

__all__ = ["PresignClient"]


class PresignClient(ClientCore):
    """Creates SageMaker's presigned URLs through one boto3 SageMaker client.

    Notebook instances (`create_presigned_url`), Studio (`create_presigned_domain_url`),
    MLflow tracking servers and apps, and partner apps: each checked before anything is sent,
    each answer checked, each error translated from one table.

    Pass a ready client (``boto3.client("sagemaker")``), or let it build one from the
    arguments: from ``session`` (a ``boto3.Session``, used as it is), else from a new session
    with ``region_name`` and ``profile_name``; ``endpoint_url`` and ``config`` go to the
    client. The standard credential chain, ``AWS_PROFILE`` and ``AWS_REGION`` apply as usual.
    A client built without a session reads a trimmed SageMaker model (see the performance
    docs); one you pass, or build from your session, is never altered.

    One instance is safe to share between threads, as boto3 clients are.
    """

    # --- notebook instances ---

    def create_presigned_url(
        self,
        notebook_instance_name: str,
        *,
        session_duration: int | timedelta | None = None,
        landing_path: str | None = None,
    ) -> PresignedNotebookUrl:
        """Return a presigned URL for *notebook_instance_name*'s Jupyter server.

        *session_duration* is the Jupyter session's length once the URL is opened: whole
        seconds or a timedelta from 30 min to 12 h; None leaves it to the service (12 h).
        *landing_path* (``/lab``, ``/tree``, ``/lab/tree/dir/analysis.ipynb``) is put on the
        URL the service returned, before its query: the Jupyter server's routing, not an AWS
        API guarantee. Invalid input raises `InvalidParameterError` before anything is sent.
        """
        values = {"notebook_instance_name": notebook_instance_name, "landing_path": landing_path}
        result: PresignedNotebookUrl = self._presign(NOTEBOOK, values, session_duration)
        return result

    def get_status(self, notebook_instance_name: str) -> NotebookInstanceStatus:
        """Return the instance's status (DescribeNotebookInstance), checked and translated."""
        return NotebookInstanceStatus(self.notebook_instance_state(notebook_instance_name).status)

    def notebook_instance_state(self, notebook_instance_name: str) -> ResourceState:
        """Where the instance stands (one DescribeNotebookInstance): ready, starting,
        startable (Stopped), failed (with the reason) or gone (Deleting)."""
        return self.status("notebook", notebook_instance_name=notebook_instance_name)

    def start_notebook_instance(self, notebook_instance_name: str) -> None:
        """Ask SageMaker to start the instance (StartNotebookInstance) and return at once; a
        start that lost a race with someone else's is no error. Errors as the service says
        (`ConflictingStatusError` is swallowed only for that race)."""
        self.start("notebook", notebook_instance_name=notebook_instance_name)

    def wait_until_in_service(
        self,
        notebook_instance_name: str,
        *,
        start: bool = False,
        timeout: float | timedelta | None = None,
        poll_interval: float | timedelta | None = None,
        on_status: Callable[[NotebookInstanceStatus], object] | None = None,
        sleep: Callable[[float], object] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
    ) -> NotebookInstanceStatus:
        """Wait until the instance is InService, starting it if *start* and it is Stopped.

        Polls DescribeNotebookInstance every *poll_interval*: an instance already InService
        costs one request and no sleep. Stopping is waited out; Pending, Updating, maintenance
        and statuses this version does not know keep it polling. *on_status* is called with
        each new status, the first included. *timeout* (default 20 minutes) and
        *poll_interval* are seconds or timedeltas, more than 0 and at most 7 days; None polls
        every 10 s, or every 0.05 s for a client from `LocalSageMaker.client`. *sleep* and
        *clock* (a monotonic clock) can be replaced, e.g. to drive the wait from tests or a
        progress display.

        The timeout bounds the whole wait: a request still unanswered at the deadline is
        given at most ``min(timeout, 5 s)`` more, then left behind.

        Raises:
            InvalidParameterError: *timeout* or *poll_interval* not positive, or over 7 days;
                nothing was sent (TypeError for arguments of the wrong type).
            NotebookInstanceNotInServiceError: Stopped and not *start*, or Deleting.
            NotebookInstanceFailedError: Failed; ``failure_reason`` says why.
            ResourceLimitExceededError: the start would exceed an account quota.
            ServiceError: the service refused the start for any other reason.
            WaitTimeoutError: not InService within *timeout*.
        """
        values = {"notebook_instance_name": notebook_instance_name}
        status: NotebookInstanceStatus = self._wait(
            NOTEBOOK,
            values,
            start=start,
            timeout=timeout,
            poll_interval=poll_interval,
            on_status=on_status,
            sleep=sleep,
            clock=clock,
        )
        return status

    # --- Studio ---

    def create_presigned_domain_url(
        self,
        domain_id: str,
        user_profile_name: str,
        *,
        space_name: str | None = None,
        landing_uri: str | LandingUri | None = None,
        session_duration: int | timedelta | None = None,
        expires_in: int | timedelta | None = None,
    ) -> PresignedDomainUrl:
        """Return a presigned URL that signs into Studio as *user_profile_name*.

        Only domains in IAM auth mode can be presigned. *space_name* opens that space;
        *landing_uri* (a str or `LandingUri`) picks where it lands. *expires_in* is how long
        the URL may be opened (5 to 300 s, default 300); *session_duration* the Studio
        session's length (30 min to 12 h). Invalid input raises `InvalidParameterError`
        before anything is sent.
        """
        values = {
            "domain_id": domain_id,
            "user_profile_name": user_profile_name,
            "space_name": space_name,
            "landing_uri": landing_uri,
        }
        result: PresignedDomainUrl = self._presign(STUDIO, values, session_duration, expires_in)
        return result

    def studio_state(
        self, domain_id: str, user_profile_name: str, space_name: str | None = None
    ) -> ResourceState:
        """Where the user profile (and, with *space_name*, the space) stands: ready,
        starting, failed or gone (Studio profiles are never "startable")."""
        return self.status(
            "studio",
            domain_id=domain_id,
            user_profile_name=user_profile_name,
            space_name=space_name,
        )

    def wait_until_studio_ready(
        self,
        domain_id: str,
        user_profile_name: str,
        *,
        space_name: str | None = None,
        timeout: float | timedelta | None = None,
        poll_interval: float | timedelta | None = None,
        on_status: Callable[[StudioStatus], object] | None = None,
        sleep: Callable[[float], object] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
    ) -> StudioStatus:
        """Wait until the user profile (then *space_name*, if given) is InService.

        A user profile just created is Pending for a while, and presigning it fails until it
        is InService: call this between the two instead of sleeping blindly. Same arguments,
        time bound and errors as `wait_until_in_service` (default timeout 10 minutes), with
        `ResourceFailedError` for Failed or Update_Failed and `ResourceNotInServiceError` for
        Deleting. The timeout covers the profile and the space together.
        """
        values = {
            "domain_id": domain_id,
            "user_profile_name": user_profile_name,
            "space_name": space_name,
        }
        status: StudioStatus = self._wait(
            STUDIO,
            values,
            start=False,
            timeout=timeout,
            poll_interval=poll_interval,
            on_status=on_status,
            sleep=sleep,
            clock=clock,
        )
        return status

    # --- MLflow ---

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
        values = {"tracking_server_name": tracking_server_name}
        result: PresignedMlflowTrackingServerUrl = self._presign(
            MLFLOW, values, session_duration, expires_in
        )
        return result

    def get_mlflow_tracking_server_status(
        self, tracking_server_name: str
    ) -> MlflowTrackingServerStatus:
        """Return the tracking server's status (DescribeMlflowTrackingServer)."""
        state = self.mlflow_tracking_server_state(tracking_server_name)
        return MlflowTrackingServerStatus(state.status)

    def mlflow_tracking_server_state(self, tracking_server_name: str) -> ResourceState:
        """Where the tracking server stands: ready (Started, Created, Updated,
        MaintenanceComplete), starting, startable (Stopped), failed or gone."""
        return self.status("mlflow", tracking_server_name=tracking_server_name)

    def start_mlflow_tracking_server(self, tracking_server_name: str) -> None:
        """Ask SageMaker to start the tracking server and return at once; a start that lost a
        race with someone else's is no error."""
        self.start("mlflow", tracking_server_name=tracking_server_name)

    def wait_until_mlflow_tracking_server_ready(
        self,
        tracking_server_name: str,
        *,
        start: bool = False,
        timeout: float | timedelta | None = None,
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
        values = {"tracking_server_name": tracking_server_name}
        status: MlflowTrackingServerStatus = self._wait(
            MLFLOW,
            values,
            start=start,
            timeout=timeout,
            poll_interval=poll_interval,
            on_status=on_status,
            sleep=sleep,
            clock=clock,
        )
        return status

    def create_presigned_mlflow_app_url(
        self,
        arn: str,
        *,
        session_duration: int | timedelta | None = None,
        expires_in: int | timedelta | None = None,
    ) -> PresignedMlflowAppUrl:
        """Return a presigned URL for an MLflow app, by its ARN."""
        result: PresignedMlflowAppUrl = self._presign(
            MLFLOW_APP, {"arn": arn}, session_duration, expires_in
        )
        return result

    # --- partner apps ---

    def create_partner_app_presigned_url(
        self,
        arn: str,
        *,
        session_duration: int | timedelta | None = None,
        expires_in: int | timedelta | None = None,
    ) -> PresignedPartnerAppUrl:
        """Return a presigned URL for a partner app, by its ARN.

        *expires_in*: 5 to 300 s (default 300); *session_duration*: 30 min to 12 h.
        """
        result: PresignedPartnerAppUrl = self._presign(
            PARTNER_APP, {"arn": arn}, session_duration, expires_in
        )
        return result

    # --- hub content ---

    def create_hub_content_presigned_urls(
        self,
        hub_name: str,
        content_type: str,
        content_name: str,
        *,
        version: str | None = None,
        accept_eula: bool = False,
        expected_s3_url: str | None = None,
    ) -> HubContentUrls:
        """Return presigned S3 URLs for every file of one piece of hub content (every page
        followed), each with the path it belongs at.

        *hub_name* is a hub's name (``SageMakerPublicHub`` for JumpStart) or ARN;
        *content_type* one of Model, Notebook, ModelReference, DataSet, JsonDoc; *version*
        ``d.d.d`` (None: the latest). A gated model needs *accept_eula=True*, which means you
        accept the model's licence; it is never assumed. *expected_s3_url* makes the service
        refuse content stored elsewhere. Every ``LocalPath`` the service answers is checked
        (`UnexpectedResponseError` for one that could leave the download folder, or one named
        twice); each URL's ``expires_at`` comes from its own signature, at most 15 minutes.
        """
        values = {
            "hub_name": hub_name,
            "content_type": content_type,
            "content_name": content_name,
            "version": version,
            "accept_eula": accept_eula,
            "expected_s3_url": expected_s3_url,
        }
        result: HubContentUrls = self._presign(HUB_CONTENT, values)
        return result

    def download_hub_content(
        self,
        hub_name: str,
        content_type: str,
        content_name: str,
        *,
        to: str | os.PathLike[str],
        version: str | None = None,
        accept_eula: bool = False,
        max_concurrency: int = 8,
        on_progress: Callable[[DownloadProgress], object] | None = None,
    ) -> DownloadSummary:
        """Download every file of one piece of hub content into the folder *to* (made if
        missing), each at its ``LocalPath`` below it, and return what was done.

        Files go in parallel, large ones in ranged parts in parallel, at most
        *max_concurrency* (1-64) requests at once; each is written to ``NAME.part`` and renamed
        once complete and checked (length, and MD5 when S3's ETag is one). A rerun skips
        complete files and resumes the others where they stopped. URLs that expire are
        replaced by fresh ones, and each file goes on from its byte. Nothing is ever written
        outside *to*: paths from the service are checked, and a symlink inside *to* is never
        followed. Only ``https://`` URLs are fetched (plain ``http://`` only from a stand-in
        on this machine reached over plain http), with this client's CA bundle
        (``AWS_CA_BUNDLE``) and proxies. *on_progress* gets a `DownloadProgress` a few times a
        second. Ctrl-C (KeyboardInterrupt) stops at once, keeping what is resumable.

        Raises:
            DownloadError: disk full, permission denied, *to* is a file, a URL refused, a
                file that fails its checks.
            UnexpectedResponseError: a ``LocalPath`` that could leave *to*, or one twice.
        """
        from ._download import Downloader

        values = {
            "hub_name": hub_name,
            "content_type": content_type,
            "content_name": content_name,
            "version": version,
            "accept_eula": accept_eula,
        }
        from ._core import checked_params

        checked_params(HUB_CONTENT, values)  # every argument checked before anything is sent
        downloader = Downloader(
            lambda: self.create_hub_content_presigned_urls(
                hub_name,
                content_type,
                content_name,
                version=version,
                accept_eula=accept_eula,
            ),
            to,
            http=self._file_session(max_concurrency),
            allow_http_loopback=self._endpoint_is_local_http(),
            max_concurrency=max_concurrency,
            on_progress=on_progress,
        )
        return downloader.run()

    def list_hub_contents(
        self, hub_name: str, content_type: str = "Model"
    ) -> Iterator[HubContentSummary]:
        """Every piece of hub content of *content_type* in *hub_name*, all pages followed."""
        from ._summaries import HubContentSummary

        params = {
            "HubName": check_hub_name(hub_name),
            "HubContentType": check_content_type(content_type),
            "MaxResults": 100,
        }
        return self._pages(
            "list_hub_contents",
            "ListHubContents",
            params,
            "HubContentSummaries",
            HubContentSummary.from_item,
        )

    # --- finding what to open (every page followed) ---

    def list_notebook_instances(
        self, *, name_contains: str | None = None, status: str | None = None
    ) -> Iterator[NotebookInstanceSummary]:
        """Every notebook instance (whose name holds *name_contains*, in *status*), all pages
        followed, as the service sorts them (newest first)."""
        params: dict[str, Any] = {"MaxResults": 100}
        if name_contains is not None:
            params["NameContains"] = name_contains
        if status is not None:
            params["StatusEquals"] = str(status)
        from ._summaries import NotebookInstanceSummary

        return self._pages(
            "list_notebook_instances",
            "ListNotebookInstances",
            params,
            "NotebookInstances",
            NotebookInstanceSummary.from_item,
        )

    def list_domains(self) -> Iterator[DomainSummary]:
        """Every Studio domain, all pages followed."""
        from ._summaries import DomainSummary

        return self._pages(
            "list_domains",
            "ListDomains",
            {"MaxResults": 100},
            "Domains",
            DomainSummary.from_item,
        )

    def list_user_profiles(self, domain_id: str | None = None) -> Iterator[UserProfileSummary]:
        """Every Studio user profile (of *domain_id*, an ID), all pages followed."""
        params: dict[str, Any] = {"MaxResults": 100}
        if domain_id is not None:
            params["DomainIdEquals"] = domain_id
        from ._summaries import UserProfileSummary

        return self._pages(
            "list_user_profiles",
            "ListUserProfiles",
            params,
            "UserProfiles",
            UserProfileSummary.from_item,
        )

    def list_spaces(self, domain_id: str | None = None) -> Iterator[SpaceSummary]:
        """Every Studio space (of *domain_id*, an ID), with its owner and app type where the
        service gives them, all pages followed."""
        params: dict[str, Any] = {"MaxResults": 100}
        if domain_id is not None:
            params["DomainIdEquals"] = domain_id
        from ._summaries import SpaceSummary

        return self._pages(
            "list_spaces",
            "ListSpaces",
            params,
            "Spaces",
            SpaceSummary.from_item,
        )

    def list_mlflow_tracking_servers(
        self, *, status: str | None = None
    ) -> Iterator[MlflowTrackingServerSummary]:
        """Every MLflow tracking server (in *status*), all pages followed."""
        params: dict[str, Any] = {"MaxResults": 100}
        if status is not None:
            params["TrackingServerStatus"] = str(status)
        from ._summaries import MlflowTrackingServerSummary

        return self._pages(
            "list_mlflow_tracking_servers",
            "ListMlflowTrackingServers",
            params,
            "TrackingServerSummaries",
            MlflowTrackingServerSummary.from_item,
            since="1.34.129",
        )

    def list_mlflow_apps(self, *, status: str | None = None) -> Iterator[AppSummary]:
        """Every MLflow app (in *status*), all pages followed."""
        params: dict[str, Any] = {"MaxResults": 100}
        if status is not None:
            params["Status"] = str(status)
        from ._summaries import AppSummary

        return self._pages(
            "list_mlflow_apps",
            "ListMlflowApps",
            params,
            "Summaries",
            AppSummary.from_item,
            since=MLFLOW_APP.since,
        )

    def list_partner_apps(self) -> Iterator[AppSummary]:
        """Every partner app, all pages followed."""
        from ._summaries import AppSummary

        return self._pages(
            "list_partner_apps",
            "ListPartnerApps",
            {"MaxResults": 100},
            "Summaries",
            AppSummary.from_item,
            since=PARTNER_APP.since,
        )

    def resolve_domain_id(self, name_or_id: str) -> str:
        """The ID of the Studio domain *name_or_id*: an ID (``d-...``) as it is, a name
        looked up with ListDomains.

        Raises:
            ResourceNotFoundError: no domain has that name.
            AmbiguousNameError: several do; the message lists their IDs.
            InvalidResourceIdentifierError: no domain could have that name or ID; nothing
                was sent.
        """
        if check_domain_name_or_id(name_or_id).startswith("d-"):
            return name_or_id
        found = [d.domain_id for d in self.list_domains() if d.name == name_or_id]
        if len(found) == 1:
            return found[0]
        where = f" in {self._region}" if self._region else ""
        if not found:
            raise ResourceNotFoundError(
                f"no Studio domain is named {name_or_id!r}{where} "
                "(sagemaker-presign list studio shows them)"
            )
        raise AmbiguousNameError(
            f"{len(found)} Studio domains are named {name_or_id!r}{where}: pass one of their "
            f"IDs instead: {', '.join(sorted(found))}"
        )
