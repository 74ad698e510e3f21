"""The partner app door: CreatePartnerAppPresignedUrl (its answer's field is ``Url``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from ._core import ClientCore, PresignCall
from ._result import PresignedArnUrl
from ._validation import check_identifier

_ARN = r"arn:aws[a-z\-]*:sagemaker:[a-z0-9][a-z0-9\-]*:[0-9]{12}:partner-app/app-[A-Z0-9]{12}"


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
class PresignedPartnerAppUrl(PresignedArnUrl):
    """A URL that opens one SageMaker partner app (Comet, Deepchecks, Fiddler, Lakera...)."""

    _kind = "partner app"


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
        self._check_arn_region(checked, "partner app ARN")
        call = PresignCall(
            "create_partner_app_presigned_url",
            "CreatePartnerAppPresignedUrl",
            {"Arn": checked},
            subject=f"partner app {checked!r}",
            url_field="Url",
            since="1.35.75",
        )
        return self._presign_expiring(
            call, session_duration, expires_in, PresignedPartnerAppUrl, checked
        )
