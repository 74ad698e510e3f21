"""The notebook instance door: CreatePresignedNotebookInstanceUrl, landing paths, lifecycle."""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import quote, urlsplit, urlunsplit

from ._constants import URL_VALIDITY
from ._core import ClientCore, PresignCall, logger
from ._exceptions import (
    ConflictingStatusError,
    InvalidLandingError,
    NotebookInstanceFailedError,
    NotebookInstanceNotInServiceError,
)
from ._lifecycle import Lifecycle, WaitPlan, state_of
from ._responses import described_status
from ._result import PresignedUrl, issued
from ._status import NotebookInstanceStatus, ResourceState
from ._validation import validate_notebook_instance_name, validate_session_duration

_UNSAFE_PATH = r"[\x00-\x1f\x7f-\x9f?#\\]"
_new = object.__new__

NOTEBOOK_LIFECYCLE = Lifecycle(
    status_type=NotebookInstanceStatus,
    ready=frozenset({"InService"}),
    startable=frozenset({"Stopped"}),
    failed=frozenset({"Failed"}),
    going=frozenset({"Deleting"}),
    not_in_service=NotebookInstanceNotInServiceError,
    failed_error=NotebookInstanceFailedError,
    start_hint="start it with start=True (sagemaker-presign --start) "
    "or aws sagemaker start-notebook-instance",
    describe_request="DescribeNotebookInstance",
    start_request="StartNotebookInstance",
)


@dataclass(frozen=True, repr=False, init=False)
class PresignedNotebookUrl(PresignedUrl):
    """A URL that logs its holder into one notebook instance's Jupyter, and its deadline.

    Valid for five minutes (`URL_VALIDITY`) after it was issued.
    """

    notebook_instance_name: str
    """The notebook instance the URL opens."""
    landing_path: str | None
    """The Jupyter path the URL lands on (``/lab``, ...); None for the instance's default."""

    def __init__(
        self,
        url: str,
        notebook_instance_name: str,
        issued_at: datetime,
        session_duration: timedelta | None = None,
        landing_path: str | None = None,
        *,
        valid_for: timedelta = URL_VALIDITY,
    ) -> None:
        if valid_for != URL_VALIDITY:  # accepted for dataclasses.replace, which passes it
            raise ValueError(f"a notebook instance URL is valid for {URL_VALIDITY}, always")
        fields = vars(self)  # as _set_base does, and why
        fields["notebook_instance_name"] = notebook_instance_name
        fields["landing_path"] = landing_path
        self._set_base(url, issued_at, URL_VALIDITY, session_duration)

    def _subject(self) -> str:
        return f"notebook instance {self.notebook_instance_name!r}"

    def _identifiers(self) -> dict[str, object]:
        return {
            "notebook_instance_name": self.notebook_instance_name,
            "landing_path": self.landing_path,
        }


def check_landing_path(path: object) -> str:
    """Return *path* percent-encoded if it is a Jupyter path to land on (``/lab``, ...).

    Raises:
        TypeError: *path* is not a str.
        InvalidLandingError: it does not start with ``/``, holds ``?``, ``#``, a backslash,
            white space or control characters, or a ``.``/``..`` segment.
    """
    if not isinstance(path, str):
        raise TypeError(f"landing_path must be a str, not {type(path).__name__}")
    problem = None
    if not path.startswith("/"):
        problem = "it must start with '/'"
    elif (bad := re.search(_UNSAFE_PATH, path)) is not None:
        problem = f"it must not hold {bad.group()!r} (pass the path alone, unencoded)"
    elif any(segment in (".", "..") for segment in path.split("/")):
        problem = "it must not hold '.' or '..' segments"
    if problem is not None:
        raise InvalidLandingError(f"invalid landing_path {path[:80]!r}: {problem}")
    return quote(path, safe="/")


def with_landing_path(url: str, path: str) -> str:
    """*url* (the service's, as it came) with *path* (checked) before its query."""
    parts = urlsplit(url)
    return urlunsplit(
        (parts.scheme, parts.netloc, parts.path.rstrip("/") + path, parts.query, parts.fragment)
    )


# The checked request per name, for the few names a process presigns again and again (a
# serve, a notebook-automation loop): the warm path skips checking and building it. Only
# names that pass are kept, at most _KEPT (then all go: a process presigning many names
# keeps none long). The requests are shared: nothing changes one (`_replace` copies).
_CALLS: dict[str, PresignCall] = {}
_KEPT = 64


def _checked_call(notebook_instance_name: str) -> PresignCall:
    name = validate_notebook_instance_name(notebook_instance_name)
    call = PresignCall(
        "create_presigned_notebook_instance_url",
        "CreatePresignedNotebookInstanceUrl",
        {"NotebookInstanceName": name},
        subject=f"notebook instance {name!r}",
        notebook_instance_name=name,
    )
    if len(_CALLS) >= _KEPT:
        _CALLS.clear()
    _CALLS[name] = call
    return call


def _notebook_url(
    url: str,
    issued_at: datetime,
    name: str,
    seconds: int | None,
    landing: tuple[str, str] | None,
) -> PresignedNotebookUrl:
    """The presign path's result, set as ``PresignedNotebookUrl(...)`` would set it (its
    checks are already done): the service's URL, with the landing path (as given, as
    checked and encoded) on it if asked for."""
    result = _new(PresignedNotebookUrl)
    fields = vars(result)
    fields["notebook_instance_name"] = name
    fields["landing_path"] = None if landing is None else landing[0]
    return issued(
        result,
        url if landing is None else with_landing_path(url, landing[1]),
        issued_at,
        URL_VALIDITY,
        None if seconds is None else timedelta(seconds=seconds),
    )


class NotebookDoor(ClientCore):
    """PresignClient's notebook instance methods."""

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
        name = notebook_instance_name
        # A str only: anything else (unhashable, say) goes to the check, which names it.
        call = _CALLS.get(name) if type(name) is str else None
        if call is None:
            call = _checked_call(name)
        seconds = None if session_duration is None else validate_session_duration(session_duration)
        landing = None if landing_path is None else (landing_path, check_landing_path(landing_path))
        if seconds is not None:
            call = call._replace(
                params={**call.params, "SessionExpirationDurationInSeconds": seconds}
            )
        return self._presign(call, _notebook_url, name, seconds, landing)

    def get_status(self, notebook_instance_name: str) -> NotebookInstanceStatus:
        """Return the instance's status (DescribeNotebookInstance), checked and translated."""
        name = validate_notebook_instance_name(notebook_instance_name)
        status: NotebookInstanceStatus = self._describe_notebook(name)[0]
        return status

    def notebook_instance_state(self, notebook_instance_name: str) -> ResourceState:
        """Where the instance stands (one DescribeNotebookInstance): ready, starting,
        startable (Stopped), failed (with the reason) or gone (Deleting)."""
        name = validate_notebook_instance_name(notebook_instance_name)
        return state_of(NOTEBOOK_LIFECYCLE, *self._describe_notebook(name))

    def start_notebook_instance(self, notebook_instance_name: str) -> None:
        """Ask SageMaker to start the instance (StartNotebookInstance) and return at once; a
        start that lost a race with someone else's is no error. Errors as the service says
        (`ConflictingStatusError` is swallowed only for that race)."""
        self._start_notebook(validate_notebook_instance_name(notebook_instance_name))

    def wait_until_in_service(
        self,
        notebook_instance_name: str,
        *,
        start: bool = False,
        timeout: float | timedelta = 1200,
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
        name = validate_notebook_instance_name(notebook_instance_name)
        status: NotebookInstanceStatus = self._wait(
            self._notebook_plan(name),
            start=start,
            timeout=timeout,
            poll_interval=poll_interval,
            on_status=on_status,
            sleep=sleep,
            clock=clock,
        )
        return status

    def _notebook_plan(self, name: str) -> WaitPlan:
        """What waiting for a notebook instance is: its lifecycle and requests."""
        return WaitPlan(
            f"notebook instance {name!r}",
            NOTEBOOK_LIFECYCLE,
            {
                "describe": lambda: self._describe_notebook(name),
                "start": lambda: self._start_notebook(name),
            },
            notebook_instance_name=name,
        )

    def _describe_notebook(self, name: str) -> tuple[NotebookInstanceStatus, str | None]:
        subject = f"notebook instance {name!r}"
        response = self._call(
            "describe_notebook_instance",
            {"NotebookInstanceName": name},
            subject=subject,
            notebook_instance_name=name,
        )
        return described_status(
            response,
            status_field="NotebookInstanceStatus",
            status_type=NotebookInstanceStatus,
            operation="DescribeNotebookInstance",
            subject=subject,
            notebook_instance_name=name,
        )

    def _start_notebook(self, name: str) -> None:
        try:
            self._call(
                "start_notebook_instance",
                {"NotebookInstanceName": name},
                subject=f"notebook instance {name!r}",
                notebook_instance_name=name,
            )
        except ConflictingStatusError as error:
            # Someone else started it between our describe and our start: the service says
            # it is no longer Stopped. The next describe shows where it is. Any other
            # refusal is raised at once.
            logger.debug("start of %r raced with another actor: %s", name, error)
