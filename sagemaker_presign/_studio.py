"""The Studio door: CreatePresignedDomainUrl, landing URIs, and waiting for a new user profile."""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast

from ._constants import DEFAULT_EXPIRES_IN
from ._door import Caller, Cli, Door, Finder, Listing, Param, Web
from ._exceptions import (
    InvalidLandingError,
    InvalidParameterError,
    PresignError,
    ResourceFailedError,
    ResourceNotInServiceError,
    ServiceError,
)
from ._lifecycle import Lifecycle
from ._responses import described_status
from ._result import PresignedUrl
from ._status import StudioStatus
from ._validation import check_identifier

_DOMAIN_ID = r"d-(-*[a-z0-9]){1,61}"
_PROFILE_OR_SPACE = r"[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}"
# No C0 or C1 control characters, nor line or paragraph separators (terminal escapes, forged lines).
_LANDING_URI = (
    r"studio::[^\x00-\x1f\x7f-\x9f\u2028\u2029]*"
    r"|app:[A-Za-z][A-Za-z0-9]*:[^\x00-\x1f\x7f-\x9f\u2028\u2029]*"
)
MAX_LANDING_URI = 1023
#: The app types SageMaker names today; `LandingUri.app` takes others too (new ones appear).
KNOWN_APP_TYPES = ("JupyterServer", "JupyterLab", "RStudioServerPro", "CodeEditor", "Canvas")


class LandingUri(str):
    """Where a Studio URL lands: ``studio::<path>`` or ``app:<AppType>:<path>``.

    A plain ``str`` works as well; these build the two forms SageMaker documents.
    """

    __slots__ = ()

    @classmethod
    def studio(cls, path: str = "") -> LandingUri:
        """The Studio UI, at *path* (``studio::<path>``)."""
        return cls(f"studio::{path}")

    @classmethod
    def app(cls, app_type: str, path: str = "") -> LandingUri:
        """An app, e.g. ``LandingUri.app("JupyterLab", "lab/tree/a.ipynb")``.

        *app_type* is SageMaker's name (`KNOWN_APP_TYPES`, or a newer one).
        """
        return cls(f"app:{app_type}:{path}")


def check_landing_uri(uri: object) -> str:
    """Return *uri* if it is a Studio landing URI of at most 1023 characters."""
    if not isinstance(uri, str):
        raise TypeError(f"landing_uri must be a str or LandingUri, not {type(uri).__name__}")
    if len(uri) > MAX_LANDING_URI:
        problem = f"it must be at most {MAX_LANDING_URI} characters long, not {len(uri)}"
    elif not re.fullmatch(_LANDING_URI, uri):
        problem = (
            "it must be studio::<path> or app:<AppType>:<path> (AppType one of "
            f"{', '.join(KNOWN_APP_TYPES)}, or a newer one), without control characters"
        )
    else:
        return str(uri)
    raise InvalidLandingError(f"invalid landing_uri {uri[:80]!r}: {problem}")


def check_domain_id(domain_id: object) -> str:
    return check_identifier(
        domain_id,
        "domain ID",
        _DOMAIN_ID,
        max_length=63,
        rule="it must be d- then lower-case letters and digits (hyphens only between them), "
        "like d-abc123def456; pass the ID, not the domain's name",
    )


def check_profile_or_space(value: object, what: str) -> str:
    return check_identifier(
        value,
        what,
        _PROFILE_OR_SPACE,
        max_length=63,
        rule="only ASCII letters, digits and hyphens, starting and ending with a letter or digit",
    )


def studio_subject(params: Mapping[str, Any]) -> str:
    """What a Studio call is about, for messages: the profile, its domain, and the space."""
    space_name = params.get("space_name")
    space = f", space {space_name!r}" if space_name else ""
    profile, domain = params["user_profile_name"], params["domain_id"]
    return f"Studio user profile {profile!r} (domain {domain!r}{space})"


@dataclass(frozen=True, repr=False, init=False)
class PresignedDomainUrl(PresignedUrl):
    """A URL that signs its holder into SageMaker Studio as one user profile.

    Valid for ``expires_in`` (default 300 s) after it was issued.
    """

    domain_id: str
    """The Studio domain."""
    user_profile_name: str
    """The user profile the URL signs in as."""
    space_name: str | None
    """The space the URL opens, if one was asked for."""
    landing_uri: str | None
    """Where the URL lands (``studio::...``, ``app:JupyterLab:...``), if asked for."""

    def __init__(
        self,
        url: str,
        domain_id: str,
        user_profile_name: str,
        issued_at: datetime,
        *,
        session_duration: timedelta | None = None,
        valid_for: timedelta = DEFAULT_EXPIRES_IN,
        space_name: str | None = None,
        landing_uri: str | None = None,
    ) -> None:
        fields = vars(self)  # as _set_base does, and why
        fields["domain_id"] = domain_id
        fields["user_profile_name"] = user_profile_name
        fields["space_name"] = space_name
        fields["landing_uri"] = landing_uri
        self._set_base(url, issued_at, valid_for, session_duration)

    def _subject(self) -> str:
        return studio_subject(vars(self))

    def _identifiers(self) -> dict[str, object]:
        return {
            "domain_id": self.domain_id,
            "user_profile_name": self.user_profile_name,
            "space_name": self.space_name,
            "landing_uri": self.landing_uri,
        }


def _raise_if_sso(call: Caller, params: Mapping[str, Any], error: PresignError) -> None:
    """The service's wording for "this domain uses IAM Identity Center" is not documented:
    on a validation error, ask the domain itself (DescribeDomain, on this path only)."""
    if not isinstance(error, ServiceError) or error.code not in (
        "ValidationException",
        "ValidationError",
    ):
        return
    domain, subject = params["domain_id"], studio_subject(params)
    try:
        described = call("describe_domain", {"DomainId": domain}, subject=subject)
    except PresignError:
        return  # no better answer than the service's own
    fields = cast("dict[str, object]", described) if isinstance(described, dict) else {}
    if fields.get("AuthMode") == "SSO":
        raise ServiceError(
            f"{subject}: domain {domain!r} uses IAM Identity Center (SSO), and only domains "
            "in IAM auth mode can be presigned; sign in through the AWS access portal "
            f"instead (the service said: {error.message})",
            code=error.code,
            request_id=error.request_id,
            http_status=error.http_status,
        ) from error


def _describe_one(
    call: Caller, method: str, operation: str, params: dict[str, str], subject: str
) -> tuple[StudioStatus, str | None]:
    response = call(method, params, subject=subject)
    return described_status(
        response,
        status_field="Status",
        status_type=StudioStatus,
        operation=operation,
        subject=subject,
    )


def _describe(call: Caller, params: Mapping[str, Any]) -> tuple[StudioStatus, str | None]:
    """DescribeUserProfile, then, once the profile is InService, DescribeSpace (with a
    space): the status reported is the first not yet InService."""
    domain, profile, space = (
        params["domain_id"],
        params["user_profile_name"],
        params.get("space_name"),
    )
    described = _describe_one(
        call,
        "describe_user_profile",
        "DescribeUserProfile",
        {"DomainId": domain, "UserProfileName": profile},
        f"Studio user profile {profile!r} (domain {domain!r})",
    )
    if space is None or described[0] is not StudioStatus.IN_SERVICE:
        return described
    return _describe_one(
        call,
        "describe_space",
        "DescribeSpace",
        {"DomainId": domain, "SpaceName": space},
        f"Studio space {space!r} (domain {domain!r})",
    )


STUDIO_LIFECYCLE = Lifecycle(
    status_type=StudioStatus,
    ready=frozenset({"InService"}),
    startable=frozenset(),
    failed=frozenset({"Failed", "Update_Failed", "Delete_Failed"}),
    going=frozenset({"Deleting"}),
    not_in_service=ResourceNotInServiceError,
    failed_error=ResourceFailedError,
    start_hint="",
    describe_request="DescribeUserProfile or DescribeSpace",
    start_request="",
    describe=_describe,
    start=None,
    default_timeout=600,
)


def check_domain_name_or_id(value: object) -> str:
    """A domain ID, or a name `resolve_domain_id` can look up: either could exist."""
    if isinstance(value, str) and re.fullmatch(_DOMAIN_ID, value):
        return value
    return check_identifier(
        value,
        "Studio domain name or ID",
        _PROFILE_OR_SPACE,
        max_length=63,
        rule="a domain ID is d- then lower-case letters and digits; a name has only ASCII "
        "letters, digits and hyphens, starting and ending with a letter or digit",
    )


def _landing_from_cli(args: Any) -> str | None:
    if args.app is not None:
        return LandingUri.app(STUDIO_APPS[args.app], args.path or "")
    landing: str | None = args.landing_uri
    return landing


def _check_cli(args: Any) -> None:
    """--domain (an ID or a name), --user-profile, --space, --app with --path or
    --landing-uri: checked before any client is built."""
    if args.path is not None and args.app is None:
        raise InvalidParameterError("--path goes with --app (or write the whole --landing-uri)")
    check_domain_name_or_id(args.domain)
    for value, what in ((args.user_profile, "user profile name"), (args.space, "space name")):
        if value not in (None, PICK):
            check_profile_or_space(value, what)
    landing = _landing_from_cli(args)
    if landing is not None:
        check_landing_uri(landing)


def _from_cli(args: Any, find: Finder) -> dict[str, Any]:
    """The domain's name looked up, the profile and space picked where asked."""
    client = find.client
    domain = client.resolve_domain_id(args.domain)
    profile = args.user_profile
    if profile is None:
        profiles = list(client.list_user_profiles(domain))
        profile = find.pick(
            "user profile",
            [(p.name, f"{p.name}  ({p.status})") for p in profiles],
            "pass --user-profile",
        )
    space = args.space
    if space == PICK:
        spaces = [s for s in client.list_spaces(domain) if s.owner in (None, profile)]
        space = find.pick(
            "space",
            [
                (
                    s.name,
                    f"{s.name}  ({s.app_type or '-'}, "
                    f"{'shared' if s.owner is None else 'private'})",
                )
                for s in spaces
            ],
            "pass --space NAME",
        )
    return {
        "domain_id": domain,
        "user_profile_name": profile,
        "space_name": space,
        "landing_uri": _landing_from_cli(args),
    }


#: ``--space`` given without a value: pick one from the list.
PICK = "?"
#: --app choices -> SageMaker's app types for the landing URI.
STUDIO_APPS = {
    "jupyterlab": "JupyterLab",
    "codeeditor": "CodeEditor",
    "jupyterserver": "JupyterServer",
    "rstudio": "RStudioServerPro",
    "canvas": "Canvas",
}


def _demo(sagemaker: Any, args: Any) -> None:
    is_id = args.domain.startswith("d-")
    domain = sagemaker.add_domain(
        args.domain if is_id else None, name="studio" if is_id else args.domain
    ).domain_id
    # Left out, the profile (or a --space alone) is picked: give a choice.
    profiles = [args.user_profile] if args.user_profile else ["alice", "bob"]
    for profile in profiles:
        sagemaker.add_user_profile(
            domain, profile, status="Pending" if args.wait else "InService"
        ).upcoming = ["Pending", "Pending", "InService"]
    if args.space == PICK:
        sagemaker.add_space(domain, "team-space")
        sagemaker.add_space(domain, "scratch", owner=profiles[0]).app_type = "CodeEditor"
    elif args.space:
        sagemaker.add_space(domain, args.space)


def _arn(sagemaker: Any, params: Mapping[str, Any]) -> str:
    answer = sagemaker.describe_user_profile(
        DomainId=params["domain_id"], UserProfileName=params["user_profile_name"]
    )
    return str(answer["UserProfileArn"])


def _resolve(client: Any, params: dict[str, Any]) -> dict[str, Any]:
    """A domain's name in a route, looked up: its ID."""
    return {**params, "domain_id": client.resolve_domain_id(params["domain_id"])}


def _rows(client: Any, args: Any) -> list[dict[str, Any]]:
    """Each domain, then its user profiles and spaces (a table indents them)."""
    rows: list[dict[str, Any]] = []
    for domain in client.list_domains():
        common = {"domain_id": domain.domain_id}
        rows.append(
            {
                "kind": "domain",
                "name": domain.name,
                **common,
                "status": str(domain.status),
                "type": domain.domain_id,
                "created": domain.creation_time,
            }
        )
        rows.extend(
            {
                "kind": "user-profile",
                "name": profile.name,
                **common,
                "status": str(profile.status),
                "type": None,
                "created": profile.creation_time,
            }
            for profile in client.list_user_profiles(domain.domain_id)
        )
        rows.extend(
            {
                "kind": "space",
                "name": space.name,
                **common,
                "owner": space.owner,
                "status": str(space.status),
                "type": space.app_type,
                "created": space.creation_time,
            }
            for space in client.list_spaces(domain.domain_id)
        )
    return [row for row in rows if args.status is None or row["status"] == args.status]


STUDIO = Door(
    name="studio",
    operation="CreatePresignedDomainUrl",
    method="create_presigned_domain_url",
    since=None,
    params=(
        Param("domain_id", "DomainId", check_domain_id),
        Param(
            "user_profile_name",
            "UserProfileName",
            functools.partial(check_profile_or_space, what="user profile name"),
        ),
        Param(
            "space_name",
            "SpaceName",
            functools.partial(check_profile_or_space, what="space name"),
            optional=True,
        ),
        Param("landing_uri", "LandingUri", check_landing_uri, optional=True, since="1.33.3"),
    ),
    subject=studio_subject,
    result=PresignedDomainUrl,
    lifecycle=STUDIO_LIFECYCLE,
    listing=Listing(_rows),
    demo=_demo,
    on_refusal=_raise_if_sso,
    cli=Cli(
        help="SageMaker Studio, as a user profile",
        arguments=(
            (
                ("--domain",),
                {"required": True, "metavar": "D", "help": "the domain's ID (d-...) or its name"},
            ),
            (
                ("--user-profile",),
                {
                    "metavar": "U",
                    "help": "the user profile (left out: the domain's only one, or pick one on a "
                    "terminal)",
                },
            ),
            (
                ("--space",),
                {
                    "metavar": "S",
                    "nargs": "?",
                    "const": PICK,
                    "help": "open this space (--space alone: pick one of the profile's on a "
                    "terminal)",
                },
            ),
            (
                ("--app",),
                {
                    "choices": sorted(STUDIO_APPS),
                    "group": "landing",
                    "help": "land in this app (with --path inside it)",
                },
            ),
            (
                ("--landing-uri",),
                {
                    "metavar": "URI",
                    "group": "landing",
                    "help": "land here: studio::<path> or app:<AppType>:<path>",
                },
            ),
            (("--path",), {"metavar": "P", "help": "with --app: the path inside the app"}),
        ),
        check=_check_cli,
        values=_from_cli,
        shown=("space", "user_profile", "domain"),
    ),
    web=Web(
        segments=("domain_id", "user_profile_name", "space_name"),
        required=1,
        name="user_profile_name",
        title="Studio user profile {user_profile_name}",
        arn_of=_arn,
        checks={"domain_id": check_domain_name_or_id},
        resolve=_resolve,
    ),
)


def studio_names(
    domain_id: object, user_profile_name: object, space_name: object
) -> tuple[str, str, str | None]:
    domain = check_domain_id(domain_id)
    profile = check_profile_or_space(user_profile_name, "user profile name")
    space = None if space_name is None else check_profile_or_space(space_name, "space name")
    return domain, profile, space
