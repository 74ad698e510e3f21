"""The partner app door: CreatePartnerAppPresignedUrl (its answer's field is ``Url``)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from ._constants import DEFAULT_EXPIRES_IN
from ._core import ClientCore, Clock, PresignCall
from ._result import PresignedUrl
from ._validation import check_identifier, duration_fields

_ARN = re.compile(r"arn:aws[a-z\-]*:sagemaker:[a-z0-9\-]*:[0-9]{12}:partner-app/app-[A-Z0-9]{12}")


def check_partner_app_arn(arn: object) -> str:
    return check_identifier(
        arn,
        "partner app ARN",
        _ARN,
        max_length=128,
        rule="it must look like arn:aws:sagemaker:<region>:<12-digit account>:"
        "partner-app/app-<12 upper-case letters or digits>",
    )


@dataclass(frozen=True, repr=False, init=False)
class PresignedPartnerAppUrl(PresignedUrl):
    """A URL that opens one SageMaker partner app (Comet, Deepchecks, Fiddler, Lakera...)."""

    arn: str
    """The partner app's ARN."""

    def __init__(
        self,
        url: str,
        arn: str,
        issued_at: datetime,
        *,
        session_duration: timedelta | None = None,
        valid_for: timedelta = DEFAULT_EXPIRES_IN,
    ) -> None:
        object.__setattr__(self, "arn", arn)
        self._set_base(url, issued_at, valid_for, session_duration)

    def _subject(self) -> str:
        return f"partner app {self.arn!r}"

    def _identifiers(self) -> dict[str, object]:
        return {"arn": self.arn}


class PartnerAppDoor(ClientCore):
    """PresignClient's partner app method."""

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
        checked = check_partner_app_arn(arn)
        params, session, valid_for = duration_fields(session_duration, expires_in)
        call = PresignCall(
            "create_partner_app_presigned_url",
            "CreatePartnerAppPresignedUrl",
            {"Arn": checked, **params},
            subject=f"partner app {checked!r}",
            url_field="Url",
            since="1.35.75",
        )

        def make(url: str, clock: Clock) -> PresignedPartnerAppUrl:
            return PresignedPartnerAppUrl(
                url, checked, clock[0], session_duration=session, valid_for=valid_for
            )

        return self._presign(call, make)
