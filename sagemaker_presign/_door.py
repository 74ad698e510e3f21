"""What a door is: one record per kind of presigned URL, read by the client, the async client,
the CLI and the web app alike.

A `Door` says which operation presigns, which parameters it takes and how each is checked,
which field of the answer holds the URL, which result class it makes, how the resource gets
ready (its `Lifecycle`, or none), how it is listed, and how it looks on the command line and
in the web app. The machinery that acts on a record lives elsewhere (``_core``); the records
live in their doors' modules (``_notebook``, ``_studio``, ...) and are listed in ``_doors``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, NamedTuple, Protocol

if TYPE_CHECKING:
    from ._exceptions import PresignError
    from ._lifecycle import Lifecycle
    from ._result import PresignedUrl


class Caller(Protocol):
    """Makes one API call, botocore's records redacted and its errors translated."""

    def __call__(
        self,
        method: str,
        params: Mapping[str, Any],
        *,
        subject: str,
        notebook_instance_name: str | None = None,
    ) -> Any: ...


class Param(NamedTuple):
    """One parameter of a door's presign method."""

    #: The method's keyword (``tracking_server_name``); the result's field of the same name.
    name: str
    #: The API's member it is sent as (``TrackingServerName``); None: used on our side only.
    field: str | None
    #: Returns the value to send (and keep), or raises InvalidParameterError or TypeError.
    check: Callable[[Any], Any]
    #: Whether it may be left out (None).
    optional: bool = False
    #: The botocore release that added it to the operation, if later than the operation.
    since: str | None = None


class Cli(NamedTuple):
    """How a door looks on the command line: ``sagemaker-presign <word> ...``."""

    #: One line for ``--help``'s list of doors.
    help: str
    #: argparse arguments: (flags, keyword arguments), the door's own before the shared ones.
    arguments: tuple[tuple[tuple[str, ...], Mapping[str, Any]], ...]
    #: Checks the parsed arguments before any client is built (raises InvalidParameterError).
    #: None: each Param's check, on the argument of the same name.
    check: Callable[[Any], None] | None = None
    #: The parsed arguments -> the presign method's keywords, with what the command can do
    #: (`Finder`: the client, a picker). None: each Param from the argument of its name.
    values: Callable[[Any, Finder], dict[str, Any]] | None = None
    #: The argument the progress line names the resource by.
    shown: tuple[str, ...] = ()


class Finder(Protocol):
    """What a door's `Cli.values` may ask of the command: the client, and a terminal picker."""

    @property
    def client(self) -> Any: ...

    def pick(self, what: str, choices: list[tuple[str, str]], hint: str) -> str: ...


class Web(NamedTuple):
    """How a door looks in the web app: ``/<word>/<segment>/...``."""

    #: The route's segments, in order, as Param names; the last ones may be left out, down
    #: to *required* (a missing user profile is the person's own, where the app maps them).
    segments: tuple[str, ...]
    required: int
    #: The Param a `Target`'s ``name`` holds (the others keep their names on the Target).
    name: str
    #: How a page names the resource, formatted with the parameters.
    title: str
    #: The ARN whose tags ``owner_tag`` reads: (boto3 client, checked parameters) -> ARN.
    arn_of: Callable[[Any, Mapping[str, Any]], str]
    #: Segment checks other than the Param's own (a Studio domain may be given by name).
    checks: Mapping[str, Callable[[Any], Any]] = {}
    #: Completes the parameters with the client (a Studio domain's name -> its ID).
    resolve: Callable[[Any, dict[str, Any]], dict[str, Any]] | None = None
    #: Query parameters passed on to the presign method (``path`` -> ``landing_path``).
    query: Mapping[str, str] = {}


class Listing(NamedTuple):
    """``sagemaker-presign list <word>``: the door's resources as rows of plain values."""

    #: (client, the parsed arguments: ``status``, ``name_contains`` and the listing's own)
    #: -> rows: kind, name, status, type, created (a datetime or None), and what else
    #: identifies each (domain_id, owner, arn). The command filters by name again.
    rows: Callable[[Any, Any], list[dict[str, Any]]]
    #: Arguments of this listing's own (``--hub``), as `Cli.arguments`; never required by
    #: argparse (``list`` serves every door): `rows` refuses what it lacks.
    arguments: tuple[tuple[tuple[str, ...], Mapping[str, Any]], ...] = ()


class Door(NamedTuple):
    """One kind of presigned URL SageMaker hands out."""

    #: The door's word: the CLI's subcommand, the web app's first route segment.
    name: str
    #: The operation (``CreatePresignedDomainUrl``) and botocore's method for it.
    operation: str
    method: str
    #: The botocore release that added the operation (None: every release we allow has it).
    since: str | None
    #: The presign method's parameters, in order (durations apart).
    params: tuple[Param, ...]
    #: What the call is about, for messages, from the checked parameters.
    subject: Callable[[Mapping[str, Any]], str]
    result: type[PresignedUrl]
    #: The answer's field holding the URL.
    url_field: str = "AuthorizedUrl"
    #: Whether it takes ``expires_in`` (notebook instance URLs last 5 minutes, always).
    expires: bool = True
    #: The checked parameters and the service's URL -> the URL handed out.
    shape_url: Callable[[str, Mapping[str, Any]], str] | None = None
    #: How the resource gets ready (describe, start, what its statuses mean), or None.
    lifecycle: Lifecycle | None = None
    #: How ``sagemaker-presign list <word>`` lists them, or None.
    listing: Listing | None = None
    cli: Cli | None = None
    web: Web | None = None
    #: A Param whose value is an ARN: its region must be the client's.
    arn_param: str | None = None
    #: Called when the service refuses the presign, to raise a clearer error (Studio: a
    #: domain in SSO mode); returning lets the service's own error through.
    on_refusal: Callable[[Caller, Mapping[str, Any], PresignError], None] | None = None
    #: ``--local``: put what the parsed arguments name into a LocalSageMaker (a demo).
    demo: Callable[[Any, Any], None] | None = None
    #: Whether it takes ``session_duration`` (and ``expires_in``, with `expires`).
    durations: bool = True
    #: The checked parameters -> the request, where it is not one member per Param.
    request: Callable[[Mapping[str, Any]], dict[str, Any]] | None = None
    #: For an answer in pages: the member holding each page's entries (NextToken followed),
    #: and what makes the result of them all: (params, [(entries, issued_at, sent)]).
    pages: str | None = None
    collect: Callable[[Mapping[str, Any], list[tuple[list[Any], Any, float]]], Any] | None = None


def arn_cli(what: str) -> Cli:
    """The command line of a door known by its ARN alone."""
    return Cli(
        help=f"{what}, by its ARN",
        arguments=((("arn",), {"metavar": "ARN", "help": f"{what}'s ARN"}),),
        shown=("arn",),
    )


def app_rows(kind: str, method: str) -> Listing:
    """The listing of a door known by ARN: *method* of the client lists `AppSummary` items."""

    def rows(client: Any, args: Any) -> list[dict[str, Any]]:
        return [
            {
                "kind": kind,
                "name": app.name,
                "arn": app.arn,
                "status": app.status,
                "type": app.app_type,
                "created": app.creation_time,
            }
            for app in getattr(client, method)()
            if args.status is None or app.status == args.status
        ]

    return Listing(rows)
