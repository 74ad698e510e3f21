"""Trimmed botocore data, so clients we build do not parse 434 operations to use four.

botocore's SageMaker model is 400 KB of gzip (3,260 shapes) and its endpoints.json describes
every service in every partition; parsing the two is most of the time and memory it takes to
create a client. For the clients this package builds itself (never one, or a session, that a
caller passed in) we derive copies holding only what a SageMaker client of ours reads: the
operations we call and the shapes they reach, and SageMaker's entries in the endpoint data.
They are derived from the installed botocore's own files, so they can never disagree with them;
cached per botocore version under the platform's cache folder (`_secure_cache`: every folder and
file checked to be the user's own, written atomically), used only when they check out, and
built in memory whenever the cache is missing, stale or in doubt.
``SAGEMAKER_PRESIGN_NO_MODEL_CACHE=1`` turns the cache off (botocore's own files are used).
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from ._cache_dir import cache_root
from ._secure_cache import SecureCache, UntrustedCacheError

if TYPE_CHECKING:
    import botocore.session

logger = logging.getLogger("sagemaker_presign")

SERVICE = "sagemaker"
#: Exactly the operations the package calls; those the installed botocore lacks are left out.
OPERATIONS = (
    "CreatePresignedNotebookInstanceUrl",
    "DescribeNotebookInstance",
    "StartNotebookInstance",
    "CreatePresignedDomainUrl",
    "DescribeUserProfile",
    "DescribeSpace",
    "DescribeDomain",
    "CreatePresignedMlflowTrackingServerUrl",
    "DescribeMlflowTrackingServer",
    "StartMlflowTrackingServer",
    "CreatePresignedMlflowAppUrl",
    "CreatePartnerAppPresignedUrl",
    "ListNotebookInstances",
    "ListDomains",
    "ListUserProfiles",
    "ListSpaces",
    "ListMlflowTrackingServers",
    "ListMlflowApps",
    "ListPartnerApps",
    "CreateHubContentPresignedUrls",
    "ListHubContents",
)
# In every botocore we allow: a cache without them is not ours.
_ALWAYS_THERE = OPERATIONS[:3]
DISABLE_VARIABLE = "SAGEMAKER_PRESIGN_NO_MODEL_CACHE"
_MODEL_FILE = "service-2.json"
_ENDPOINTS_FILE = "endpoints.json"


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
    """The model with only OPERATIONS (those it has) and the shapes they reach, each exactly
    as botocore has it."""
    operations = [name for name in OPERATIONS if name in model["operations"]]
    keep = reachable_shapes(model, operations)
    trimmed = {key: value for key, value in model.items() if key not in ("operations", "shapes")}
    trimmed["operations"] = {name: model["operations"][name] for name in operations}
    trimmed["shapes"] = {name: model["shapes"][name] for name in sorted(keep)}
    return trimmed


def trim_endpoints(endpoints: Mapping[str, Any], endpoint_prefix: str) -> dict[str, Any]:
    """endpoints.json with, in every partition, only the service under *endpoint_prefix*."""
    partitions: list[dict[str, Any]] = []
    for partition in endpoints["partitions"]:
        kept = {key: value for key, value in partition.items() if key != "services"}
        services = partition.get("services", {})
        kept["services"] = (
            {endpoint_prefix: services[endpoint_prefix]} if endpoint_prefix in services else {}
        )
        partitions.append(kept)
    return {**endpoints, "partitions": partitions}


def _is_valid(model: object, api_version: str) -> bool:
    if not isinstance(model, dict):
        return False
    fields = cast("dict[str, object]", model)
    metadata, operations = fields.get("metadata"), fields.get("operations")
    return (
        isinstance(metadata, dict)
        and cast("dict[str, object]", metadata).get("apiVersion") == api_version
        and isinstance(operations, dict)
        and all(name in operations for name in _ALWAYS_THERE)
        and isinstance(fields.get("shapes"), dict)
    )


def folder_name() -> str:
    """Per botocore release, and per list of operations: a cache an older version of this
    package wrote, with fewer operations, is never read."""
    import hashlib

    import botocore

    digest = hashlib.sha256(",".join(OPERATIONS).encode()).hexdigest()[:8]
    return f"botocore-{botocore.__version__}-{digest}"


class TrimmedData:
    """The trimmed SageMaker model, its API version, and the trimmed endpoint data."""

    def __init__(self, api_version: str, model: dict[str, Any], endpoints: dict[str, Any]):
        self.api_version = api_version
        self.model = model
        self.endpoints = endpoints


def load_trimmed_data(root: Path | None = None) -> TrimmedData | None:
    """The trimmed data: from the cache when it is there and trustworthy, else built from
    botocore's files (and written to the cache when the cache is merely missing or stale).

    None only when the cache is turned off: the caller then uses botocore's files as usual.
    Whatever in the folder is not the user's own, is writable by others or is a symlink, the
    data is built in memory and nothing is written (`_secure_cache`).
    """
    if os.environ.get(DISABLE_VARIABLE):
        return None
    cache = SecureCache(root or cache_root(), folder_name())
    try:
        found = _read(cache)
        if found is not None:
            return found
        data = _build()
        # The endpoints first: a model file is what marks the folder as complete.
        cache.write([_ENDPOINTS_FILE], _dumps(data.endpoints))
        cache.write([SERVICE, data.api_version, _MODEL_FILE], _dumps(data.model))
    except UntrustedCacheError as doubt:
        logger.debug("the cache folder is in doubt (%s): trimming in memory", doubt)
        return _build()
    except OSError as error:
        logger.debug("trimmed SageMaker data not cached (%s)", error)
        return _build()
    return data


def _read(cache: SecureCache) -> TrimmedData | None:
    """The cached data, if complete and valid; None when it must be (re)built."""
    versions = cache.subfolders([SERVICE])
    if versions is None or len(versions) != 1:
        return None
    model_text = cache.read([SERVICE, versions[0], _MODEL_FILE])
    endpoints_text = cache.read([_ENDPOINTS_FILE])
    if model_text is None or endpoints_text is None:
        return None
    try:
        model, endpoints = json.loads(model_text), json.loads(endpoints_text)
    except ValueError:
        return None  # corrupt
    if not (_is_valid(model, versions[0]) and isinstance(endpoints, dict)):
        return None
    return TrimmedData(
        versions[0], cast("dict[str, Any]", model), cast("dict[str, Any]", endpoints)
    )


def _dumps(data: Mapping[str, Any]) -> bytes:
    return json.dumps(data, separators=(",", ":")).encode()


def _build() -> TrimmedData:
    from botocore.loaders import create_loader

    loader = create_loader()
    api_version: str = loader.determine_latest_version(SERVICE, "service-2")
    model = trim(loader.load_service_model(SERVICE, "service-2", api_version))
    prefix: str = model["metadata"]["endpointPrefix"]
    return TrimmedData(api_version, model, trim_endpoints(loader.load_data("endpoints"), prefix))


def use_trimmed_data(session: botocore.session.Session) -> Any:
    """Give a session this package built a loader that serves the trimmed data; return it.

    Returns None (and leaves the session alone) when the cache is off or unusable, or when
    the session's data paths hold a SageMaker model or endpoint data of their own: a user's
    override wins.
    """
    from botocore.loaders import Loader

    data_path = session.get_config_variable("data_path")
    extra_paths = [p for p in (data_path or "").split(os.pathsep) if p]
    for path in [*extra_paths, Loader.CUSTOMER_DATA_PATH]:
        if os.path.isdir(os.path.join(path, SERVICE)) or os.path.isfile(
            os.path.join(path, _ENDPOINTS_FILE)
        ):
            return None
    try:
        data = load_trimmed_data()
    except Exception as error:
        logger.debug("trimmed SageMaker data unavailable (%s); using botocore's", error)
        return None
    if data is None:
        return None
    loader = _make_loader(extra_paths, data)
    session.register_component("data_loader", loader)
    return loader


# Stands for the trimmed endpoint data where botocore asks for the file it came from.
_ENDPOINTS_PATH = "<sagemaker-presign: botocore's endpoints.json, trimmed>"


def _make_loader(extra_paths: list[str], data: TrimmedData) -> Any:
    from botocore.loaders import Loader

    class TrimmedSageMakerLoader(Loader):
        """botocore's loader, serving the trimmed SageMaker model and endpoint data.

        It also skips listing every service folder on disk (twice) just to learn that
        SageMaker exists and which API version it has: we know both.
        """

        def load_service_model(
            self, service_name: str, type_name: str, api_version: str | None = None
        ) -> Any:
            if service_name != SERVICE or api_version not in (None, data.api_version):
                return super().load_service_model(service_name, type_name, api_version)
            if type_name == "service-2":
                return data.model
            return self.load_data(os.path.join(SERVICE, data.api_version, type_name))

        def load_data_with_path(self, name: str) -> Any:
            if name == "endpoints":
                return data.endpoints, _ENDPOINTS_PATH
            return super().load_data_with_path(name)

        def is_builtin_path(self, path: str) -> bool:
            # Derived from the builtin file alone, so botocore must treat it as builtin: a
            # custom endpoints.json would change how it resolves endpoints.
            return path == _ENDPOINTS_PATH or bool(super().is_builtin_path(path))

    return TrimmedSageMakerLoader(extra_search_paths=list(extra_paths))
