"""LocalSageMaker: a real SageMaker endpoint on 127.0.0.1, for tests and offline demos."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from datetime import timedelta
from typing import TYPE_CHECKING

from ._backend import Backend, Fault, RecordedRequest
from ._doors import App, Domain, MlflowTrackingServer, StudioResource
from ._files import FileServer
from ._hub import HubContent, HubFile, HubStore, file_bytes
from ._notebooks import NotebookInstance
from ._server import LocalServer

if TYPE_CHECKING:
    import ssl
    from types import TracebackType

    import boto3
    from botocore.config import Config
    from typing_extensions import Self

    from sagemaker_presign._client import PresignClient
    from sagemaker_presign._typing import SageMakerClient

DUMMY_ACCESS_KEY_ID = "AKIDLOCALSAGEMAKER"
"""The dummy credentials LocalSageMaker's clients sign with; it checks that a signature is there,
not what it says."""
DUMMY_SECRET_ACCESS_KEY = "local-sagemaker-secret"  # noqa: S105 - not a secret
LOCAL_POLL_INTERVAL = timedelta(milliseconds=50)
"""How often waits of `LocalSageMaker.client` poll by default."""


class LocalSageMaker:
    """A SageMaker endpoint on a free port of 127.0.0.1 that an unmodified boto3 client can use.

    It speaks AWS JSON 1.1, holds notebook instances, Studio domains, user profiles and spaces,
    MLflow tracking servers and apps and partner apps, refuses unsigned requests, records every
    request, and lets a test queue faults. Use it as a context manager:

    ```python
    with LocalSageMaker() as sagemaker:
        sagemaker.add_notebook_instance("demo-nb")
        url = sagemaker.client().create_presigned_url("demo-nb")
    ```
    """

    def __init__(
        self,
        region_name: str = "us-east-1",
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        transition_polls: int = 2,
        transition_seconds: float | None = None,
        ssl_context: ssl.SSLContext | None = None,
        latency: float = 0.0,
    ) -> None:
        """Describe a SageMaker endpoint; ``start()`` or ``with`` brings it up.

        A start (Stopped -> Pending -> InService) or a stop (InService -> Stopping -> Stopped)
        reports its in-between status for *transition_polls* DescribeNotebookInstance calls,
        or, when *transition_seconds* is given, for that many seconds.

        With a server-side *ssl_context* (its certificate loaded) it speaks HTTPS, and
        `endpoint_url` starts with ``https://``; clients must trust the certificate's issuer
        (``AWS_CA_BUNDLE``). *latency* seconds pass before every answer, like the round trip
        to a region, for tests of timeouts and concurrency.
        """
        if latency < 0:
            raise ValueError("latency cannot be negative")
        self.region_name = region_name
        self._address = (host, port)
        self._ssl_context = ssl_context
        self._latency = latency
        self._backend = Backend(
            region_name,
            transition_polls=transition_polls,
            transition_seconds=transition_seconds,
        )
        self._server: LocalServer | None = None
        self._thread: threading.Thread | None = None
        self._files: FileServer | None = None

    # --- lifecycle ---

    def start(self) -> Self:
        """Bind and start serving in a background thread (``with`` does this for you)."""
        if self._server is not None:
            raise RuntimeError("LocalSageMaker is already running")
        self._server = LocalServer(
            self._backend, self._address, ssl_context=self._ssl_context, latency=self._latency
        )
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name=f"LocalSageMaker:{self._server.server_address[1]}",
            daemon=True,
        )
        self._thread.start()
        self._files = FileServer(
            self._backend.hubs, self._backend.locked(), self._address[0], self._ssl_context
        )
        self._backend.hubs.files_url = self._files.url
        threading.Thread(
            target=self._files.serve_forever,
            kwargs={"poll_interval": 0.05},
            name="LocalSageMaker files",
            daemon=True,
        ).start()
        return self

    def stop(self) -> None:
        """Stop serving and free the port."""
        server, thread, files = self._server, self._thread, self._files
        self._server = self._thread = self._files = None
        if files is not None:
            files.shutdown()
            files.close_connections()
            files.server_close()
        if server is not None:
            server.shutdown()
            server.close_connections()
            server.server_close()
        if thread is not None:
            thread.join()

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    @property
    def endpoint_url(self) -> str:
        """``http://127.0.0.1:<port>`` (``https://`` with an *ssl_context*): pass it as a boto3
        client's ``endpoint_url``."""
        if self._server is None:
            raise RuntimeError("LocalSageMaker is not running: use it in a with block or start()")
        host, port = self._server.server_address[:2]
        scheme = "http" if self._ssl_context is None else "https"
        return f"{scheme}://{host!s}:{port}"

    # --- notebook instances ---

    def add_notebook_instance(self, name: str, status: str = "InService") -> NotebookInstance:
        """Add (or replace) a notebook instance with this status (ValueError for a status
        SageMaker does not have, naming the ones it has). Set any other field on the
        returned `NotebookInstance`."""
        return self._backend.add_instance(name, status)

    def notebook_instance(self, name: str) -> NotebookInstance:
        """The notebook instance of that name (KeyError if there is none)."""
        return self._backend.instance(name)

    def script_statuses(
        self, name: str, statuses: list[str], *, failure_reason: str | None = None
    ) -> None:
        """Make the next DescribeNotebookInstance calls report *statuses*, one each.

        The last one stays. Any string goes here, so that a test can try a status SageMaker
        may add one day. ``failure_reason`` goes with a scripted ``Failed``.
        """
        self._backend.script(name, statuses, failure_reason)

    def fail_notebook_instance(self, name: str, reason: str) -> None:
        """Put the instance in Failed now, with this FailureReason."""
        self._backend.script(name, ["Failed"], reason)

    # --- Studio, MLflow, partner apps ---

    def add_domain(
        self, domain_id: str | None = None, *, name: str = "studio", auth_mode: str = "IAM"
    ) -> Domain:
        """Add a Studio domain (ID made up when not given); ``auth_mode="SSO"`` for one that
        cannot be presigned."""
        with self._backend.locked():
            return self._backend.doors.add_domain(domain_id, name, auth_mode)

    def add_user_profile(
        self, domain_id: str, name: str, *, status: str = "InService"
    ) -> StudioResource:
        """Add a user profile to a domain added before; one added Pending becomes InService
        after a few describes (or seconds), as notebook instances do. Set ``upcoming`` on the
        result to script the statuses the next describes report instead."""
        with self._backend.locked():
            doors = self._backend.doors
            profile = StudioResource(domain_id, name, status)
            self._settle_if_pending(profile)
            doors.profiles[(domain_id, name)] = profile
            return profile

    def add_space(
        self, domain_id: str, name: str, *, status: str = "InService", owner: str | None = None
    ) -> StudioResource:
        """Add a space to a domain; *owner* names the user profile of a private space."""
        with self._backend.locked():
            space = StudioResource(domain_id, name, status, owner=owner)
            self._settle_if_pending(space)
            self._backend.doors.spaces[(domain_id, name)] = space
            return space

    def _settle_if_pending(self, resource: StudioResource) -> None:
        """A profile or space created Pending becomes InService, as the service's do."""
        if resource.status == "Pending":
            backend = self._backend
            resource.transition(
                "Pending", "InService", backend.transition_polls, backend.transition_seconds
            )

    def add_mlflow_tracking_server(
        self, name: str, *, status: str = "Started"
    ) -> MlflowTrackingServer:
        """Add an MLflow tracking server; Stopped ones start through Starting."""
        with self._backend.locked():
            server = MlflowTrackingServer(name, status)
            self._backend.doors.servers[name] = server
            return server

    def add_mlflow_app(self, name: str = "mlflow-app", *, arn: str | None = None) -> App:
        """Add an MLflow app (ARN made up when not given); its ``arn`` is what presigning
        takes."""
        with self._backend.locked():
            return self._backend.doors.add_app("mlflow-app", name, arn)

    def add_partner_app(self, name: str = "partner-app", *, arn: str | None = None) -> App:
        """Add a partner app (ARN made up when not given); its ``arn`` is what presigning
        takes."""
        with self._backend.locked():
            return self._backend.doors.add_app("partner-app", name, arn)

    def add_hub_content(
        self,
        hub_name: str,
        name: str,
        files: Sequence[tuple[str, int]],
        *,
        content_type: str = "Model",
        version: str = "1.0.0",
        gated: bool = False,
    ) -> HubContent:
        """Add hub content whose files are ``(LocalPath, size)`` pairs (``("/config.json",
        512)``); their bytes are made up as they are read, never stored. A *gated* model is
        refused without ``AcceptEula``. Its URLs are served by this stand-in's file server."""
        made = [HubFile(path, f"{hub_name}/{name}/{version}{path}", size) for path, size in files]
        content = HubContent(hub_name, content_type, name, version, made, gated=gated)
        with self._backend.locked():
            return self._backend.hubs.add(content)

    def hub_files(self) -> HubStore:
        """The hub content's settings and record, for tests: ``url_lifetime`` (seconds the
        minted URLs live), ``rate_limit`` (bytes per second per connection), ``latency``,
        ``file_faults`` (``("reset", after_bytes)`` or ``("503", 0)`` for the next GETs),
        ``path_overrides`` (LocalPaths to answer instead of the real ones) and ``gets`` (every
        file GET: key and Range). Change them under ``with sagemaker.locked():``."""
        return self._backend.hubs

    def locked(self) -> threading.Lock:
        """The lock every answer is made under, to change the stand-in's state consistently."""
        return self._backend.locked()

    @staticmethod
    def hub_file_bytes(content: HubContent, local_path: str) -> bytes:
        """The bytes a file of *content* holds (what a correct download writes)."""
        [file] = [f for f in content.files if f.local_path == local_path]
        return file_bytes(file.key, 0, file.size)

    def tag(self, resource_arn: str, **tags: str) -> None:
        """Tag a resource by its ARN (``DescribeNotebookInstance``'s ``NotebookInstanceArn``,
        a user profile's ``UserProfileArn``...), as ``AddTags`` would; ``ListTags`` reads them."""
        with self._backend.locked():
            self._backend.tags.setdefault(resource_arn, {}).update(tags)

    @property
    def issued_domain_urls(self) -> list[str]:
        """Every Studio URL handed out, newest last (a copy)."""
        with self._backend.locked():
            return list(self._backend.doors.domain_urls)

    # --- the request log ---

    @property
    def requests(self) -> list[RecordedRequest]:
        """Every request received so far, oldest first (a copy)."""
        return self._backend.requests

    def clear_requests(self) -> None:
        """Forget the requests received so far."""
        self._backend.clear_requests()

    # --- faults ---

    def queue_fault(self, fault: Fault, *, times: int = 1) -> None:
        """Make the next *times* matching requests go wrong as *fault* says."""
        for _ in range(times):
            self._backend.queue_fault(fault)

    def fail_next(
        self,
        error_code: str,
        *,
        status: int = 400,
        message: str = "",
        operation: str | None = None,
        times: int = 1,
    ) -> None:
        """Answer the next *times* requests with this error code, HTTP status and message."""
        fault = Fault(operation=operation, error_code=error_code, status=status, message=message)
        self.queue_fault(fault, times=times)

    def delay_next(self, seconds: float, *, operation: str | None = None, times: int = 1) -> None:
        """Wait *seconds* before answering the next *times* requests."""
        self.queue_fault(Fault(operation=operation, delay=seconds), times=times)

    def drop_next(self, *, operation: str | None = None, times: int = 1) -> None:
        """Close the connection without answering the next *times* requests."""
        self.queue_fault(Fault(operation=operation, drop=True), times=times)

    def respond_next(
        self, body: bytes, *, status: int = 200, operation: str | None = None, times: int = 1
    ) -> None:
        """Answer the next *times* requests with this raw body, e.g. malformed JSON."""
        self.queue_fault(Fault(operation=operation, body=body, status=status), times=times)

    def clear_faults(self) -> None:
        """Drop every fault still queued."""
        self._backend.clear_faults()

    # --- clients ---

    def boto3_session(self) -> boto3.Session:
        """A boto3 session in this endpoint's region with the dummy credentials."""
        import boto3

        return boto3.Session(
            aws_access_key_id=DUMMY_ACCESS_KEY_ID,
            aws_secret_access_key=DUMMY_SECRET_ACCESS_KEY,
            region_name=self.region_name,
        )

    def boto3_client(self, *, config: Config | None = None) -> SageMakerClient:
        """A plain boto3 SageMaker client for this endpoint, signing with dummy credentials.

        Typed as boto3-stubs' ``SageMakerClient`` where ``mypy_boto3_sagemaker`` is installed.
        """
        session = self.boto3_session()
        client: SageMakerClient = session.client(  # pyright: ignore[reportUnknownMemberType]
            "sagemaker", endpoint_url=self.endpoint_url, config=config
        )
        return client

    def client(self, *, config: Config | None = None) -> PresignClient:
        """A ready PresignClient for this endpoint, signing with dummy credentials.

        Its waits poll every 0.05 s unless told otherwise, so a documented
        ``wait_until_in_service(name, start=True)`` takes milliseconds, not the 10 s polls
        meant for the real service.
        """
        from sagemaker_presign._client import PresignClient

        # Local transitions take milliseconds: waiting on them polls as fast.
        return PresignClient(
            session=self.boto3_session(),
            endpoint_url=self.endpoint_url,
            config=config,
            poll_interval=LOCAL_POLL_INTERVAL,
        )

    def __repr__(self) -> str:
        state = self.endpoint_url if self._server is not None else "stopped"
        return f"LocalSageMaker(region_name={self.region_name!r}, {state})"
