"""PresignClient: the shared core, with one door per kind of presigned URL SageMaker hands out."""

from __future__ import annotations

from ._discovery import DiscoveryDoor
from ._mlflow import MlflowDoor
from ._notebook import NotebookDoor
from ._partner_app import PartnerAppDoor
from ._studio import StudioDoor

__all__ = ["PresignClient"]


class PresignClient(NotebookDoor, StudioDoor, MlflowDoor, PartnerAppDoor, DiscoveryDoor):
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
