"""The Studio door: CreatePresignedDomainUrl, landing URIs, and waiting for a new user profile."""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast

from ._constants import DEFAULT_EXPIRES_IN
from ._core import ClientCore, PresignCall
from ._exceptions import (
    InvalidLandingError,
    PresignError,
    ResourceFailedError,
    ResourceNotInServiceError,
    ServiceError,
)
from ._lifecycle import Lifecycle, WaitPlan, state_of
from ._responses import described_status
from ._result import PresignedUrl
from ._status import ResourceState, StudioStatus
from ._validation import check_identifier, duration_fields

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
)


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


def studio_subject(domain_id: str, user_profile_name: str, space_name: str | None) -> str:
    space = f", space {space_name!r}" if space_name else ""
    return f"Studio user profile {user_profile_name!r} (domain {domain_id!r}{space})"


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
        return studio_subject(self.domain_id, self.user_profile_name, self.space_name)

    def _identifiers(self) -> dict[str, object]:
        return {
            "domain_id": self.domain_id,
            "user_profile_name": self.user_profile_name,
            "space_name": self.space_name,
            "landing_uri": self.landing_uri,
        }


class StudioDoor(ClientCore):
    """PresignClient's Studio methods."""

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
        domain, profile, space = studio_names(domain_id, user_profile_name, space_name)
        landing = None if landing_uri is None else check_landing_uri(landing_uri)
        durations, session, valid_for = duration_fields(session_duration, expires_in)
        params: dict[str, Any] = {"DomainId": domain, "UserProfileName": profile, **durations}
        if space is not None:
            params["SpaceName"] = space
        if landing is not None:
            params["LandingUri"] = landing
        call = PresignCall(
            "create_presigned_domain_url",
            "CreatePresignedDomainUrl",
            params,
            subject=studio_subject(domain, profile, space),
            parameters_since={"LandingUri": "1.33.3"},
        )

        def make(url: str, issued_at: datetime) -> PresignedDomainUrl:
            return PresignedDomainUrl(
                url,
                domain,
                profile,
                issued_at,
                session_duration=session,
                valid_for=valid_for,
                space_name=space,
                landing_uri=landing,
            )

        try:
            return self._presign(call, make)
        except ServiceError as error:
            if error.code not in ("ValidationException", "ValidationError"):
                raise
            self._raise_if_sso(domain, call.subject, error)
            raise

    def _raise_if_sso(self, domain: str, subject: str, error: ServiceError) -> None:
        """The service's wording for "this domain uses IAM Identity Center" is not documented:
        on a validation error, ask the domain itself (DescribeDomain, on this path only)."""
        try:
            described = self._call("describe_domain", {"DomainId": domain}, subject=subject)
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

    def studio_state(
        self, domain_id: str, user_profile_name: str, space_name: str | None = None
    ) -> ResourceState:
        """Where the user profile (and, with *space_name*, the space) stands: ready,
        starting, failed or gone (Studio profiles are never "startable")."""
        domain, profile, space = studio_names(domain_id, user_profile_name, space_name)
        describe = self._studio_plan(domain, profile, space).requests["describe"]
        return state_of(STUDIO_LIFECYCLE, *describe())

    def wait_until_studio_ready(
        self,
        domain_id: str,
        user_profile_name: str,
        *,
        space_name: str | None = None,
        timeout: float | timedelta = 600,
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
        domain, profile, space = studio_names(domain_id, user_profile_name, space_name)
        status: StudioStatus = self._wait(
            self._studio_plan(domain, profile, space),
            start=False,
            timeout=timeout,
            poll_interval=poll_interval,
            on_status=on_status,
            sleep=sleep,
            clock=clock,
        )
        return status

    def _studio_plan(self, domain: str, profile: str, space: str | None) -> WaitPlan:
        """A wait's one request: DescribeUserProfile, then, once the profile is InService,
        DescribeSpace (with *space*): the status reported is the first not yet InService."""

        def describe_one(
            method: str, operation: str, params: dict[str, str], subject: str
        ) -> tuple[StudioStatus, str | None]:
            response = self._call(method, params, subject=subject)
            return described_status(
                response,
                status_field="Status",
                status_type=StudioStatus,
                operation=operation,
                subject=subject,
            )

        def describe() -> tuple[StudioStatus, str | None]:
            described = describe_one(
                "describe_user_profile",
                "DescribeUserProfile",
                {"DomainId": domain, "UserProfileName": profile},
                f"Studio user profile {profile!r} (domain {domain!r})",
            )
            if space is None or described[0] is not StudioStatus.IN_SERVICE:
                return described
            return describe_one(
                "describe_space",
                "DescribeSpace",
                {"DomainId": domain, "SpaceName": space},
                f"Studio space {space!r} (domain {domain!r})",
            )

        return WaitPlan(
            studio_subject(domain, profile, space), STUDIO_LIFECYCLE, {"describe": describe}
        )


def studio_names(
    domain_id: object, user_profile_name: object, space_name: object
) -> tuple[str, str, str | None]:
    domain = check_domain_id(domain_id)
    profile = check_profile_or_space(user_profile_name, "user profile name")
    space = None if space_name is None else check_profile_or_space(space_name, "space name")
    return domain, profile, space
