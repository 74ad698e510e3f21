"""Shared fixtures: an isolated AWS environment and a running LocalSageMaker."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from sagemaker_presign import PresignClient
from sagemaker_presign.testing import LocalSageMaker

from .support import FAST_CONFIG, NOTEBOOK
from .web_support import Site

pytest_plugins = ["pytester"]

_AWS_VARIABLES = (
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
    "AWS_PROFILE",
    "AWS_DEFAULT_PROFILE",
    "AWS_REGION",
    "AWS_DEFAULT_REGION",
    "AWS_ENDPOINT_URL",
    "AWS_ENDPOINT_URL_SAGEMAKER",
    "AWS_MAX_ATTEMPTS",
    "AWS_RETRY_MODE",
    "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
    "AWS_CONTAINER_CREDENTIALS_FULL_URI",
    "AWS_WEB_IDENTITY_TOKEN_FILE",
    "AWS_ROLE_ARN",
)


@pytest.fixture(autouse=True)
def isolated_aws(monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory) -> None:
    """No test sees the developer's AWS set-up, and none may reach instance metadata."""
    for name in _AWS_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    empty = tmp_path_factory.mktemp("aws") / "empty"
    empty.write_text("")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(empty))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(empty))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    # The trimmed-model cache goes to a folder of this test run, never the user's ~/.cache.
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path_factory.getbasetemp() / "xdg-cache"))


@pytest.fixture
def sagemaker() -> Iterator[LocalSageMaker]:
    """A running LocalSageMaker holding NOTEBOOK in service."""
    with LocalSageMaker() as local:
        local.add_notebook_instance(NOTEBOOK)
        yield local


@pytest.fixture
def client(sagemaker: LocalSageMaker) -> Iterator[PresignClient]:
    """A PresignClient wired to the LocalSageMaker, with short timeouts."""
    with sagemaker.client(config=FAST_CONFIG) as presign_client:
        yield presign_client


@pytest.fixture
def site(sagemaker: LocalSageMaker, client: PresignClient) -> Iterator[Site]:
    sagemaker.add_notebook_instance("stopped-nb", status="Stopped")
    running = Site(sagemaker, client)
    yield running
    running.close()
