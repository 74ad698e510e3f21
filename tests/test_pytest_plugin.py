"""The pytest11 plugin, used the way a downstream project uses it: by installing the package."""

from __future__ import annotations

import pytest

DOWNSTREAM_TESTS = """
import pytest

from sagemaker_presign import NotebookInstanceNotFoundError, PresignClient
from sagemaker_presign.testing import LocalSageMaker


def test_presign(local_sagemaker, presign_client):
    assert isinstance(local_sagemaker, LocalSageMaker)
    assert isinstance(presign_client, PresignClient)
    local_sagemaker.add_notebook_instance("nb")
    assert presign_client.create_presigned_url("nb").notebook_instance_name == "nb"
    assert [r.operation for r in local_sagemaker.requests] == [
        "CreatePresignedNotebookInstanceUrl"
    ]


def test_each_test_gets_a_fresh_endpoint(local_sagemaker, presign_client):
    assert local_sagemaker.requests == []
    with pytest.raises(NotebookInstanceNotFoundError):
        presign_client.create_presigned_url("nb")
"""


def test_fixtures_reach_a_downstream_project(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_downstream=DOWNSTREAM_TESTS)
    # A subprocess, so the plugin arrives through the installed entry point, not our conftest.
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    result.assert_outcomes(passed=2)


def test_fixtures_are_listed_with_their_docs(pytester: pytest.Pytester) -> None:
    result = pytester.runpytest_subprocess("--fixtures", "-p", "no:cacheprovider")
    output = result.stdout.str()
    assert "local_sagemaker" in output
    assert "A LocalSageMaker on 127.0.0.1" in output
    assert "presign_client" in output
