"""Constants and helpers shared by the tests."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import boto3
import botocore
import pytest
from botocore.config import Config
from botocore.loaders import create_loader

from sagemaker_presign import PresignClient
from sagemaker_presign.testing import DUMMY_ACCESS_KEY_ID, DUMMY_SECRET_ACCESS_KEY, LocalSageMaker

if TYPE_CHECKING:
    from pathlib import Path

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


def client_of_an_older_botocore(
    sagemaker: LocalSageMaker,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    operations: tuple[str, ...],
    members: tuple[tuple[str, str], ...] = (),
) -> PresignClient:
    """A client whose SageMaker model lacks *operations* and (shape, member) *members*, as an
    older botocore's does (the model is written to a folder botocore reads first)."""
    loader = create_loader()
    version = loader.determine_latest_version("sagemaker", "service-2")
    model = loader.load_service_model("sagemaker", "service-2", version)
    for operation in operations:
        model["operations"].pop(operation, None)
    for shape, member in members:
        model["shapes"][shape]["members"].pop(member, None)
    folder = tmp_path / "data" / "sagemaker" / version
    folder.mkdir(parents=True)
    (folder / "service-2.json").write_text(json.dumps(model))
    monkeypatch.setenv("AWS_DATA_PATH", str(tmp_path / "data"))
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", DUMMY_ACCESS_KEY_ID)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", DUMMY_SECRET_ACCESS_KEY)
    return PresignClient(region_name="us-east-1", endpoint_url=sagemaker.endpoint_url)


def needs(*operations: str) -> pytest.MarkDecorator:
    """Skip where the installed botocore lacks one of *operations* (the lowest we allow
    predates some doors); the package itself says so with UnsupportedOperationError."""
    known = create_loader().load_service_model("sagemaker", "service-2")["operations"]
    missing = [operation for operation in operations if operation not in known]
    return pytest.mark.skipif(
        bool(missing), reason=f"botocore {botocore.__version__} lacks {', '.join(missing)}"
    )
