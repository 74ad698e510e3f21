"""The trimmed SageMaker model: complete, identical to botocore's, and never in the way."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path
from typing import Any

import boto3
import botocore
import pytest
from botocore.loaders import create_loader

from sagemaker_presign import NotebookInstanceStatus, PresignClient
from sagemaker_presign._cache_dir import cache_root
from sagemaker_presign._model_cache import DISABLE_VARIABLE, OPERATIONS, folder_name
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


def cache_folder_name() -> str:
    return folder_name()


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


def trimmed_in_memory(client: PresignClient) -> bool:
    """Whether *client* runs on the trimmed model (not botocore's full one)."""
    return operation_names(client) == sorted(available_operations())


def files_under(folder: Path) -> dict[str, bytes]:
    return {
        str(path.relative_to(folder)): path.read_bytes()
        for path in folder.rglob("*")
        if path.is_file() and not path.is_symlink()
    }


@pytest.mark.usefixtures("credentials")
def test_a_cache_that_cannot_be_written_is_trimmed_in_memory(
    sagemaker: LocalSageMaker, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the cache folder should be")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocker))
    client = build(sagemaker)
    assert trimmed_in_memory(client)
    assert client.create_presigned_url(NOTEBOOK).notebook_instance_name == NOTEBOOK


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes to read-only folders anyway")
@pytest.mark.usefixtures("credentials")
def test_a_read_only_cache_folder_is_trimmed_in_memory(
    sagemaker: LocalSageMaker, cache: Path
) -> None:
    cache.mkdir(mode=0o500)
    assert trimmed_in_memory(build(sagemaker))
    assert list(cache.iterdir()) == []


@pytest.mark.usefixtures("credentials")
def test_folders_are_created_private_and_files_0600(sagemaker: LocalSageMaker, cache: Path) -> None:
    build(sagemaker)
    folders = [cache, *(p for p in cache.rglob("*") if p.is_dir())]
    files = [p for p in cache.rglob("*") if p.is_file()]
    assert len(files) == 2
    assert {stat.S_IMODE(p.stat().st_mode) for p in folders} == {0o700}
    assert {stat.S_IMODE(p.stat().st_mode) for p in files} == {0o600}
    assert not list(cache.rglob(".tmp-*"))


PLANTED = {
    "metadata": {"apiVersion": "2017-07-24"},
    "operations": {name: {"name": "planted"} for name in OPERATIONS[:3]},
    "shapes": {},
}


def plant(place: Path) -> None:
    """Someone else's files in *place*: a model the package must never use."""
    sagemaker_folder = place / "sagemaker" / "2017-07-24"
    sagemaker_folder.mkdir(parents=True)
    (sagemaker_folder / "service-2.json").write_text(json.dumps(PLANTED))
    (place / "endpoints.json").write_text('{"partitions": [], "planted": true}')


def doubt_is_handled(sagemaker: LocalSageMaker, cache: Path, planted: Path) -> None:
    """The client works on the trimmed model built in memory, nothing of the planted files
    was read, and nothing was written through the doubtful place."""
    before = files_under(planted)
    client = build(sagemaker)
    assert trimmed_in_memory(client)
    assert client.create_presigned_url(NOTEBOOK).notebook_instance_name == NOTEBOOK
    assert files_under(planted) == before


@pytest.mark.usefixtures("credentials")
def test_a_symlinked_root_is_not_followed(
    sagemaker: LocalSageMaker, cache: Path, tmp_path: Path
) -> None:
    elsewhere = tmp_path / "elsewhere"
    plant(elsewhere / cache_folder_name())
    cache.symlink_to(elsewhere, target_is_directory=True)
    doubt_is_handled(sagemaker, cache, elsewhere)


@pytest.mark.usefixtures("credentials")
@pytest.mark.parametrize("level", ["version folder", "sagemaker", "api version"])
def test_a_symlinked_subfolder_is_not_followed(
    sagemaker: LocalSageMaker, cache: Path, tmp_path: Path, level: str
) -> None:
    elsewhere = tmp_path / "elsewhere"
    plant(elsewhere)
    folder = cache / cache_folder_name()
    if level == "version folder":
        cache.mkdir(mode=0o700)
        folder.symlink_to(elsewhere, target_is_directory=True)
    elif level == "sagemaker":
        folder.mkdir(parents=True, mode=0o700)
        (folder / "endpoints.json").write_text("{}")
        (folder / "sagemaker").symlink_to(elsewhere / "sagemaker", target_is_directory=True)
    else:
        (folder / "sagemaker").mkdir(parents=True, mode=0o700)
        (folder / "sagemaker" / "2017-07-24").symlink_to(
            elsewhere / "sagemaker" / "2017-07-24", target_is_directory=True
        )
    doubt_is_handled(sagemaker, cache, elsewhere)


@pytest.mark.usefixtures("credentials")
@pytest.mark.parametrize("shared", ["root", "version folder", "service-2.json", "endpoints.json"])
def test_what_others_could_write_is_not_read(
    sagemaker: LocalSageMaker, cache: Path, shared: str
) -> None:
    # The endpoint data decides where requests go: a file or folder the group could have
    # rewritten is not trusted, and the data is trimmed in memory instead.
    build(sagemaker)
    place = {
        "root": cache,
        "version folder": cache / cache_folder_name(),
    }.get(shared) or next(cache.rglob(shared))
    [model] = cache.rglob("service-2.json")
    model.write_text(json.dumps(PLANTED))  # what another member of the group could have written
    place.chmod(0o775 if place.is_dir() else 0o664)
    doubt_is_handled(sagemaker, cache, cache)


@pytest.mark.skipif(os.geteuid() != 0, reason="only root can give a file to another user")
@pytest.mark.usefixtures("credentials")
@pytest.mark.parametrize("owned", ["version folder", "service-2.json"])
def test_what_another_user_owns_is_not_read(
    sagemaker: LocalSageMaker, cache: Path, owned: str
) -> None:
    build(sagemaker)
    [model] = cache.rglob("service-2.json")
    model.write_text(json.dumps(PLANTED))
    place = cache / cache_folder_name() if owned == "version folder" else model
    os.chown(place, 65534, 65534)  # nobody
    doubt_is_handled(sagemaker, cache, cache)


@pytest.mark.usefixtures("credentials")
def test_a_file_swapped_after_the_folders_were_checked_is_not_read(
    sagemaker: LocalSageMaker, cache: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    build(sagemaker)
    [model] = cache.rglob("service-2.json")
    planted = tmp_path / "planted.json"
    planted.write_text(json.dumps(PLANTED))
    real_open = os.open

    def swap_then_open(path: Any, flags: int, *args: Any, **kwargs: Any) -> int:
        if path == "service-2.json":  # the folders are checked: now the race is lost
            model.unlink()
            model.symlink_to(planted)
        return real_open(path, flags, *args, **kwargs)

    monkeypatch.setattr(os, "open", swap_then_open)
    client = build(sagemaker)
    monkeypatch.undo()
    assert trimmed_in_memory(client)
    assert json.loads(planted.read_text()) == PLANTED


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
