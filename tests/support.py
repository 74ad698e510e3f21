"""Constants and helpers shared by the tests."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import boto3
from botocore.config import Config

from sagemaker_presign.testing import LocalSageMaker

if TYPE_CHECKING:
    from mypy_boto3_sagemaker import SageMakerClient

NOTEBOOK = "demo-nb"

# Short timeouts and few attempts keep failure tests fast; standard mode retries throttling
# and 5xx the way most users' clients will.
FAST_CONFIG = Config(
    retries={"mode": "standard", "total_max_attempts": 3},
    connect_timeout=2,
    read_timeout=5,
)


def new_client(session: boto3.Session, **kwargs: Any) -> SageMakerClient:
    """``session.client("sagemaker", ...)``, typed for the type checkers."""
    return session.client("sagemaker", **kwargs)  # pyright: ignore[reportUnknownMemberType]


def raw_client(sagemaker: LocalSageMaker, config: Config | None = None) -> SageMakerClient:
    """A plain boto3 client for *sagemaker*, typed with boto3-stubs for the type checkers."""
    return sagemaker.boto3_client(config=config)


def user_agent_extra(config: Config) -> str | None:
    """Config.user_agent_extra, which botocore-stubs does not declare."""
    value: str | None = getattr(config, "user_agent_extra", None)
    return value
