"""The partner app door: CreatePartnerAppPresignedUrl (its answer's field is ``Url``)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ._door import Door, Param, app_rows, arn_cli
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


def _demo(sagemaker: Any, args: Any) -> None:
    sagemaker.add_partner_app(arn=args.arn)


def _subject(params: Mapping[str, Any]) -> str:
    return f"partner app {params['arn']!r}"


PARTNER_APP = Door(
    name="partner-app",
    operation="CreatePartnerAppPresignedUrl",
    method="create_partner_app_presigned_url",
    since="1.35.75",
    params=(Param("arn", "Arn", check_partner_app_arn),),
    subject=_subject,
    result=PresignedPartnerAppUrl,
    url_field="Url",
    arn_param="arn",
    listing=app_rows("partner-app", "list_partner_apps"),
    cli=arn_cli("a partner app"),
    demo=_demo,
)
