"""``SageMakerClient``: boto3-stubs' type of a SageMaker client where it is installed.

Users with ``boto3-stubs[sagemaker]`` (``mypy_boto3_sagemaker``) get the fully typed client
back from `PresignClient.sagemaker_client` and `LocalSageMaker.boto3_client`, with no cast;
users without it get botocore's ``BaseClient``, as before. Only type checkers read this.
"""

# pyright: reportUnnecessaryTypeIgnoreComment=false

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    try:
        from mypy_boto3_sagemaker import SageMakerClient
    except ImportError:
        # mypy sees a second definition here, pyright does not: hence the file comment.
        from botocore.client import BaseClient as SageMakerClient  # type: ignore[assignment]

__all__ = ["SageMakerClient"]
