"""The trimmed SageMaker model: complete, identical to botocore's, and never in the way."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import boto3
import botocore
import pytest
from botocore.loaders import create_loader

from sagemaker_presign import NotebookInstanceStatus, PresignClient
from sagemaker_presign._cache_dir import cache_root
from sagemaker_presign._model_cache import DISABLE_VARIABLE, OPERATIONS
from sagemaker_presign.testing import DUMMY_ACCESS_KEY_ID, DUMMY_SECRET_ACCESS_KEY, LocalSageMaker

from .support import NOTEBOOK


@pytest.fixture
def credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", DUMMY_ACCESS_KEY_ID)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", DUMMY_SECRET_ACCESS_KEY)


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    return tmp_path / "sagemaker-presign"


def build(sagemaker: LocalSageMaker) -> PresignClient:
    return PresignClient(region_name="us-east-1", endpoint_url=sagemaker.endpoint_url)


def operation_names(client: PresignClient) -> list[str]:
    """The operations of the client the PresignClient sends its own requests through."""
    sender: Any = client._client  # pyright: ignore[reportPrivateUsage]
    names: list[str] = sender.meta.service_model.operation_names
    return sorted(names)


def available_operations() -> list[str]:
    """The package's operations that the installed botocore has (all of them from 1.42.1)."""
    return [name for name in OPERATIONS if name in full_model()["operations"]]


def all_operations() -> int:
    """How many operations the installed botocore's SageMaker model has (302 in 1.31, 434 in
    1.44): derived, never written down."""
    return len(full_model()["operations"])


def full_model() -> dict[str, Any]:
    model: dict[str, Any] = create_loader().load_service_model("sagemaker", "service-2")
    return model


def refs_of(shape: dict[str, Any]) -> list[str]:
    refs = [shape.get("member"), shape.get("key"), shape.get("value")]
    refs.extend(shape.get("members", {}).values())
    return [ref["shape"] for ref in refs if ref]


@pytest.mark.usefixtures("credentials")
def test_clients_we_build_use_the_trimmed_model(sagemaker: LocalSageMaker, cache: Path) -> None:
    client = build(sagemaker)
    assert operation_names(client) == sorted(available_operations())
    [written] = cache.rglob("service-2.json")
    assert written.parent.parent.parent.name.startswith(f"botocore-{botocore.__version__}-")
    # The whole lifecycle and the presign call work through it.
    sagemaker.add_notebook_instance(NOTEBOOK, status="Stopped")
    client.wait_until_in_service(NOTEBOOK, start=True, sleep=lambda _: None)
    assert client.get_status(NOTEBOOK) is NotebookInstanceStatus.IN_SERVICE
    assert client.create_presigned_url(NOTEBOOK).notebook_instance_name == NOTEBOOK
    assert "sagemaker-presign/" in sagemaker.requests[-1].headers["user-agent"]


@pytest.mark.usefixtures("credentials")
def test_trimmed_model_is_complete_and_equals_botocore(
    sagemaker: LocalSageMaker, cache: Path
) -> None:
    build(sagemaker)
    [written] = cache.rglob("service-2.json")
    trimmed = json.loads(written.read_text())
    full = full_model()

    assert trimmed["metadata"] == full["metadata"]
    assert trimmed["metadata"]["apiVersion"] == written.parent.name
    assert set(trimmed["operations"]) == set(available_operations())
    for name, operation in trimmed["operations"].items():
        assert operation == full["operations"][name]
    for name, shape in trimmed["shapes"].items():
        assert shape == full["shapes"][name], name
    # Closed: every shape an operation or a kept shape refers to is kept.
    roots = [
        ref["shape"]
        for operation in trimmed["operations"].values()
        for ref in [operation.get("input"), operation.get("output"), *operation.get("errors", [])]
        if ref
    ]
    kept = set(trimmed["shapes"])
    assert set(roots) <= kept
    for shape in trimmed["shapes"].values():
        assert set(refs_of(shape)) <= kept
    assert len(kept) < len(full["shapes"]) / 10


@pytest.mark.usefixtures("credentials")
def test_a_cache_that_cannot_be_written_falls_back(
    sagemaker: LocalSageMaker, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the cache folder should be")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocker))
    client = build(sagemaker)
    assert len(operation_names(client)) == all_operations(), "the full model"
    assert client.create_presigned_url(NOTEBOOK).notebook_instance_name == NOTEBOOK


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes to read-only folders anyway")
@pytest.mark.usefixtures("credentials")
def test_a_read_only_cache_folder_falls_back(sagemaker: LocalSageMaker, cache: Path) -> None:
    cache.mkdir(mode=0o500)
    client = build(sagemaker)
    assert len(operation_names(client)) == all_operations()
    assert list(cache.iterdir()) == []


@pytest.mark.usefixtures("credentials")
@pytest.mark.parametrize("shared", ["service-2.json", "endpoints.json"])
def test_cache_files_others_could_write_are_not_read(
    sagemaker: LocalSageMaker, cache: Path, shared: str
) -> None:
    # The endpoint data decides where requests go: a file the group could have rewritten
    # is not trusted, and botocore's own files are used instead.
    build(sagemaker)
    [written] = cache.rglob(shared)
    written.chmod(0o664)
    client = build(sagemaker)
    assert operation_names(client) == sorted(full_model()["operations"])
    assert client.create_presigned_url(NOTEBOOK).url.startswith("https://")


@pytest.mark.usefixtures("credentials")
def test_a_corrupt_cache_is_rebuilt(sagemaker: LocalSageMaker, cache: Path) -> None:
    build(sagemaker)
    [written] = cache.rglob("service-2.json")
    written.write_text('{"metadata": {"apiVersion": "nonsense"}')
    client = build(sagemaker)
    assert operation_names(client) == sorted(available_operations())
    assert json.loads(written.read_text())["metadata"]["apiVersion"] == written.parent.name


@pytest.mark.usefixtures("credentials", "cache")
def test_the_environment_variable_turns_it_off(
    sagemaker: LocalSageMaker, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(DISABLE_VARIABLE, "1")
    assert len(operation_names(build(sagemaker))) == all_operations()
    assert not cache_root().exists()


@pytest.mark.usefixtures("credentials", "cache")
def test_a_users_own_sagemaker_model_wins(
    sagemaker: LocalSageMaker, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    models = tmp_path / "models"
    (models / "sagemaker").mkdir(parents=True)
    monkeypatch.setenv("AWS_DATA_PATH", str(models))
    assert len(operation_names(build(sagemaker))) == all_operations()


@pytest.mark.usefixtures("cache")
def test_a_passed_session_or_client_is_never_touched(sagemaker: LocalSageMaker) -> None:
    session = sagemaker.boto3_session()
    loader_before = session._session.get_component("data_loader")
    client = PresignClient(session=session, endpoint_url=sagemaker.endpoint_url)
    assert len(operation_names(client)) == all_operations()
    assert session._session.get_component("data_loader") is loader_before
    raw = boto3.Session(region_name="us-east-1").client("sagemaker")  # pyright: ignore[reportUnknownMemberType]
    operations = PresignClient(raw).sagemaker_client.meta.service_model.operation_names
    assert len(operations) == all_operations()
    assert not cache_root().exists()


def request_url(client: Any) -> str:
    """The URL the client would send CreatePresignedNotebookInstanceUrl to (nothing is sent)."""
    from botocore.awsrequest import AWSResponse, HTTPHeaders

    seen: list[str] = []

    def capture(params: dict[str, Any], **_: Any) -> tuple[AWSResponse, dict[str, Any]]:
        seen.append(params["url"])
        response = AWSResponse(params["url"], 200, HTTPHeaders(), None)
        return response, {"AuthorizedUrl": "https://x.y"}

    client.meta.events.register("before-call.sagemaker.*", capture)
    client.create_presigned_notebook_instance_url(NotebookInstanceName=NOTEBOOK)
    return seen[0]


@pytest.mark.parametrize(
    "region", ["us-east-1", "eu-west-1", "ap-southeast-2", "cn-north-1", "us-gov-west-1"]
)
@pytest.mark.parametrize(
    "options", [{}, {"use_fips_endpoint": True}, {"use_dualstack_endpoint": True}]
)
@pytest.mark.usefixtures("credentials", "cache")
def test_trimmed_endpoint_data_resolves_like_botocores(
    region: str, options: dict[str, Any]
) -> None:
    from botocore.config import Config
    from botocore.exceptions import BotoCoreError

    def resolve(client_factory: Any) -> str:
        try:
            return request_url(client_factory())
        except BotoCoreError as error:  # some partitions have no FIPS or dual-stack endpoint
            return f"error: {type(error).__name__}"

    def trimmed_client() -> Any:
        client = PresignClient(region_name=region, config=Config(**options))
        assert operation_names(client) == sorted(available_operations()), (
            "the trimmed data is in use"
        )
        return client._client  # pyright: ignore[reportPrivateUsage]

    ours = resolve(trimmed_client)
    theirs = resolve(
        lambda: boto3.Session(region_name=region).client(  # pyright: ignore[reportUnknownMemberType]
            "sagemaker", config=Config(**options)
        )
    )
    assert ours == theirs
    if not options:
        assert ours.startswith("https://api.sagemaker.")


@pytest.mark.usefixtures("credentials")
def test_trimmed_endpoint_data_equals_botocores(sagemaker: LocalSageMaker, cache: Path) -> None:
    build(sagemaker)
    trimmed = json.loads(
        next(cache.glob(f"botocore-{botocore.__version__}-*/endpoints.json")).read_text()
    )
    full: dict[str, Any] = create_loader().load_data("endpoints")
    prefix = full_model()["metadata"]["endpointPrefix"]
    assert [p["partition"] for p in trimmed["partitions"]] == [
        p["partition"] for p in full["partitions"]
    ]
    for ours, theirs in zip(trimmed["partitions"], full["partitions"], strict=True):
        assert {k: v for k, v in ours.items() if k != "services"} == {
            k: v for k, v in theirs.items() if k != "services"
        }
        assert ours["services"] == (
            {prefix: theirs["services"][prefix]} if prefix in theirs["services"] else {}
        )


@pytest.mark.usefixtures("credentials")
def test_the_client_handed_out_is_full_and_built_only_when_asked(
    sagemaker: LocalSageMaker, cache: Path
) -> None:
    from botocore.stub import Stubber

    client = build(sagemaker)
    client.create_presigned_url(NOTEBOOK)
    assert client._built is not None  # pyright: ignore[reportPrivateUsage]
    assert client._built._full is None, "the cold path never builds it"  # pyright: ignore[reportPrivateUsage]
    full = client.sagemaker_client
    assert full is client.sagemaker_client, "built once"
    assert len(full.meta.service_model.operation_names) == all_operations()
    assert full.can_paginate("list_notebook_instances")
    assert full.meta.region_name == "us-east-1"
    assert full.meta.endpoint_url == sagemaker.endpoint_url
    # Same session: the very credentials object, so refreshes are shared too.
    sender: Any = client._client  # pyright: ignore[reportPrivateUsage]
    full_any: Any = full
    assert full_any._request_signer._credentials is sender._request_signer._credentials
    assert "sagemaker-presign/" in full.meta.config.user_agent_extra  # type: ignore[attr-defined]
    with Stubber(full) as stubber:
        stubber.add_response("list_notebook_instances", {"NotebookInstances": []})
        assert full.list_notebook_instances()["NotebookInstances"] == []
    # Our own calls still go through the trimmed client.
    assert operation_names(client) == sorted(available_operations())
    client.close()
