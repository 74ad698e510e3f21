"""A trimmed SageMaker model, so clients we build do not parse 434 operations to use four.

botocore's SageMaker model is 400 KB of gzip (3,260 shapes); parsing it is most of the cost of
creating a client. For the clients this package builds itself (never one, or a session, that
a caller passed in) we derive a copy holding only the operations we call and the shapes they
reach, from the installed botocore's own model, so it can never disagree with it. The copy is
cached per botocore version under the platform's cache folder, written atomically, used only
when it checks out, and skipped without a word when it cannot be written.
``SAGEMAKER_PRESIGN_NO_MODEL_CACHE=1`` turns it off.
"""

from __future__ import annotations

import json
import logging
import os
import sys
import tempfile
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

if TYPE_CHECKING:
    import botocore.session

logger = logging.getLogger("sagemaker_presign")

SERVICE = "sagemaker"
OPERATIONS = (
    "CreatePresignedNotebookInstanceUrl",
    "DescribeNotebookInstance",
    "StartNotebookInstance",
    "StopNotebookInstance",
)
DISABLE_VARIABLE = "SAGEMAKER_PRESIGN_NO_MODEL_CACHE"
_MODEL_FILE = "service-2.json"


def cache_root() -> Path:
    """Where the platform keeps caches: XDG on Linux, ~/Library/Caches, %LOCALAPPDATA%."""
    if sys.platform == "win32":
        base = os.environ.get("LOCALAPPDATA") or str(Path.home() / "AppData" / "Local")
    elif sys.platform == "darwin":
        base = str(Path.home() / "Library" / "Caches")
    else:
        base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "sagemaker-presign"


def reachable_shapes(model: Mapping[str, Any], operations: Iterable[str]) -> set[str]:
    """Every shape the operations' input, output and errors reach, transitively."""
    shapes: Mapping[str, Any] = model["shapes"]
    pending: list[str] = []
    for name in operations:
        operation = model["operations"][name]
        refs = [operation.get("input"), operation.get("output"), *operation.get("errors", [])]
        pending.extend(ref["shape"] for ref in refs if ref)
    seen: set[str] = set()
    while pending:
        name = pending.pop()
        if name in seen:
            continue
        seen.add(name)
        shape = shapes[name]
        refs = [shape.get("member"), shape.get("key"), shape.get("value")]
        refs.extend(shape.get("members", {}).values())
        pending.extend(ref["shape"] for ref in refs if ref)
    return seen


def trim(model: Mapping[str, Any]) -> dict[str, Any]:
    """The model with only OPERATIONS and the shapes they reach, each exactly as botocore has it."""
    keep = reachable_shapes(model, OPERATIONS)
    trimmed = {key: value for key, value in model.items() if key not in ("operations", "shapes")}
    trimmed["operations"] = {name: model["operations"][name] for name in OPERATIONS}
    trimmed["shapes"] = {name: model["shapes"][name] for name in sorted(keep)}
    return trimmed


def _is_valid(model: object, api_version: str) -> bool:
    if not isinstance(model, dict):
        return False
    fields = cast("dict[str, object]", model)
    metadata, operations = fields.get("metadata"), fields.get("operations")
    return (
        isinstance(metadata, dict)
        and cast("dict[str, object]", metadata).get("apiVersion") == api_version
        and isinstance(operations, dict)
        and all(name in operations for name in OPERATIONS)
        and isinstance(fields.get("shapes"), dict)
    )


def _botocore_folder(root: Path) -> Path:
    import botocore

    return root / f"botocore-{botocore.__version__}" / SERVICE


def _write_atomically(path: Path, data: Mapping[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=".json")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            json.dump(data, stream, separators=(",", ":"))
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def load_trimmed_model(root: Path | None = None) -> tuple[str, dict[str, Any]] | None:
    """Return (api_version, trimmed model) from the cache, building it first if needed.

    None when the cache is off, cannot be read or written, or does not check out: the caller
    then uses botocore's full model as usual.
    """
    if os.environ.get(DISABLE_VARIABLE):
        return None
    folder = _botocore_folder(root or cache_root())
    try:
        versions = [entry.name for entry in folder.iterdir() if entry.is_dir()]
        if len(versions) == 1:
            api_version = versions[0]
            model = json.loads((folder / api_version / _MODEL_FILE).read_text(encoding="utf-8"))
            if _is_valid(model, api_version):
                return api_version, model
    except (OSError, ValueError):
        pass  # absent, unreadable or corrupt: rebuild below
    return _build(folder)


def _build(folder: Path) -> tuple[str, dict[str, Any]] | None:
    from botocore.loaders import create_loader

    loader = create_loader()
    api_version: str = loader.determine_latest_version(SERVICE, "service-2")
    model = trim(loader.load_service_model(SERVICE, "service-2", api_version))
    try:
        _write_atomically(folder / api_version / _MODEL_FILE, model)
    except OSError as error:
        logger.debug("trimmed SageMaker model not cached (%s); using the full model", error)
        return None
    return api_version, model


def use_trimmed_model(session: botocore.session.Session) -> bool:
    """Give a session this package built a loader that serves the trimmed SageMaker model.

    Returns False (and leaves the session alone) when the cache is off or unusable, or when
    the session's data paths hold a SageMaker model of their own: a user's override wins.
    """
    from botocore.loaders import Loader

    data_path = session.get_config_variable("data_path")
    extra_paths = [p for p in (data_path or "").split(os.pathsep) if p]
    overrides = [*extra_paths, Loader.CUSTOMER_DATA_PATH]
    if any(os.path.isdir(os.path.join(path, SERVICE)) for path in overrides):
        return False
    try:
        found = load_trimmed_model()
    except Exception as error:
        logger.debug("trimmed SageMaker model unavailable (%s); using the full model", error)
        return False
    if found is None:
        return False
    api_version, model = found
    session.register_component("data_loader", _make_loader(extra_paths, api_version, model))
    return True


def _make_loader(extra_paths: list[str], trimmed_version: str, model: dict[str, Any]) -> Any:
    from botocore.loaders import Loader

    class TrimmedSageMakerLoader(Loader):
        """botocore's loader, except that SageMaker's service model is the trimmed one.

        It also skips listing every service folder on disk (twice) just to learn that
        SageMaker exists and which API version it has: we know both.
        """

        def load_service_model(
            self, service_name: str, type_name: str, api_version: str | None = None
        ) -> Any:
            if service_name != SERVICE or api_version not in (None, trimmed_version):
                return super().load_service_model(service_name, type_name, api_version)
            if type_name == "service-2":
                return model
            return self.load_data(os.path.join(SERVICE, trimmed_version, type_name))

    return TrimmedSageMakerLoader(extra_search_paths=list(extra_paths))
