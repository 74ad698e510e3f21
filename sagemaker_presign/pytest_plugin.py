"""pytest fixtures for code that uses sagemaker-presign, registered through ``pytest11``.

Installing the package is enough: a downstream test suite gets ``local_sagemaker`` (a running
LocalSageMaker) and ``presign_client`` (a PresignClient wired to it) with no configuration.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from sagemaker_presign._client import PresignClient
from sagemaker_presign.testing import LocalSageMaker


@pytest.fixture
def local_sagemaker() -> Iterator[LocalSageMaker]:
    """A LocalSageMaker on 127.0.0.1, running for the test; add notebook instances to it."""
    with LocalSageMaker() as sagemaker:
        yield sagemaker


@pytest.fixture
def presign_client(local_sagemaker: LocalSageMaker) -> Iterator[PresignClient]:
    """A PresignClient talking to ``local_sagemaker`` with dummy credentials."""
    with local_sagemaker.client() as client:
        yield client
