"""The notebook instance door: CreatePresignedNotebookInstanceUrl, landing paths, lifecycle."""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import quote, urlsplit, urlunsplit

from ._constants import URL_VALIDITY
from ._door import Caller, Cli, Door, Finder, Listing, Param, Web
from ._exceptions import (
    ConflictingStatusError,
    InvalidLandingError,
    NotebookInstanceFailedError,
    NotebookInstanceNotInServiceError,
)
from ._lifecycle import Lifecycle
from ._responses import described_status
from ._result import PresignedUrl
from ._status import NotebookInstanceStatus
from ._validation import validate_notebook_instance_name

logger = logging.getLogger("sagemaker_presign")
_UNSAFE_PATH = r"[\x00-\x1f\x7f-\x9f?#\\]"


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


def _describe(call: Caller, params: Mapping[str, Any]) -> tuple[NotebookInstanceStatus, str | None]:
    name = params["notebook_instance_name"]
    subject = f"notebook instance {name!r}"
    response = call(
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


def _start(call: Caller, params: Mapping[str, Any]) -> None:
    name = params["notebook_instance_name"]
    try:
        call(
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
    describe=_describe,
    start=_start,
    default_timeout=1200,
)


def _landing(url: str, params: Mapping[str, Any]) -> str:
    path = params.get("landing_path")
    return url if path is None else with_landing_path(url, quote(path, safe="/"))


def _checked_landing_path(path: object) -> str:
    check_landing_path(path)
    return str(path)


def _check_cli(args: Any) -> None:
    if args.name is not None:
        validate_notebook_instance_name(args.name)
    if args.path is not None:
        check_landing_path(args.path)


def _from_cli(args: Any, find: Finder) -> dict[str, Any]:
    name = args.name
    if name is None:  # on a terminal: pick one
        instances = list(find.client.list_notebook_instances())
        name = find.pick(
            "notebook instance",
            [(nb.name, f"{nb.name}  ({nb.status}, {nb.instance_type or '-'})") for nb in instances],
            "pass the notebook instance's name: sagemaker-presign NAME",
        )
    return {"notebook_instance_name": name, "landing_path": args.path}


def _demo(sagemaker: Any, args: Any) -> None:
    sagemaker.add_notebook_instance(args.name, status="Stopped" if args.start else "InService")


def _arn(sagemaker: Any, params: Mapping[str, Any]) -> str:
    answer = sagemaker.describe_notebook_instance(
        NotebookInstanceName=params["notebook_instance_name"]
    )
    return str(answer["NotebookInstanceArn"])


def _subject(params: Mapping[str, Any]) -> str:
    return f"notebook instance {params['notebook_instance_name']!r}"


def _rows(client: Any, args: Any) -> list[dict[str, Any]]:
    return [
        {
            "kind": "notebook-instance",
            "name": nb.name,
            "status": str(nb.status),
            "type": nb.instance_type,
            "created": nb.creation_time,
        }
        for nb in client.list_notebook_instances(
            name_contains=args.name_contains, status=args.status
        )
    ]


NOTEBOOK = Door(
    name="notebook",
    operation="CreatePresignedNotebookInstanceUrl",
    method="create_presigned_notebook_instance_url",
    since=None,
    params=(
        Param("notebook_instance_name", "NotebookInstanceName", validate_notebook_instance_name),
        Param("landing_path", None, _checked_landing_path, optional=True),
    ),
    subject=_subject,
    result=PresignedNotebookUrl,
    expires=False,
    shape_url=_landing,
    lifecycle=NOTEBOOK_LIFECYCLE,
    listing=Listing(_rows),
    demo=_demo,
    cli=Cli(
        help="a notebook instance's Jupyter (the default)",
        arguments=(
            (
                ("name",),
                {
                    "metavar": "NAME",
                    "param": "notebook_instance_name",
                    "nargs": "?",
                    "help": "the notebook instance's name (left out on a terminal: pick one "
                    "from a list)",
                },
            ),
            (
                ("--path",),
                {
                    "metavar": "PATH",
                    "help": "land on this Jupyter path: /lab, /tree, /lab/tree/dir/analysis.ipynb",
                },
            ),
        ),
        check=_check_cli,
        values=_from_cli,
        shown=("name",),
    ),
    web=Web(
        segments=("notebook_instance_name",),
        required=1,
        name="notebook_instance_name",
        title="Notebook instance {notebook_instance_name}",
        arn_of=_arn,
        query={"path": "landing_path"},
    ),
)
