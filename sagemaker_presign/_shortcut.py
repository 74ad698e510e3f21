"""``create_presigned_url()``: one call for one-off scripts, sharing clients between calls."""

from __future__ import annotations

import hashlib
import os
import threading
from collections import OrderedDict
from datetime import timedelta
from typing import TYPE_CHECKING

from ._client import PresignClient
from ._notebook import PresignedNotebookUrl
from ._validation import validate_notebook_instance_name, validate_session_duration

if TYPE_CHECKING:
    from botocore.client import BaseClient

#: How many shared clients are kept; the least recently used one is closed past that.
MAX_SHARED_CLIENTS = 8
_shared_clients: OrderedDict[tuple[object, ...], PresignClient] = OrderedDict()
_shared_lock = threading.Lock()
# Hashes the settings with a key of this process, so the cache holds no secret in clear.
_KEY_SALT = os.urandom(16)


def _settings_fingerprint() -> bytes:
    """What decides the client besides the arguments: every AWS_* variable (credentials,
    profile, region, endpoint, retries...) and the state of the shared config files."""
    environment = sorted((k, v) for k, v in os.environ.items() if k.startswith("AWS_"))
    files: list[tuple[int, int, int] | None] = []
    for variable, default in (
        ("AWS_CONFIG_FILE", "~/.aws/config"),
        ("AWS_SHARED_CREDENTIALS_FILE", "~/.aws/credentials"),
    ):
        try:
            info = os.stat(os.path.expanduser(os.environ.get(variable, default)))
        except (OSError, ValueError):
            files.append(None)
        else:
            files.append((info.st_mtime_ns, info.st_size, info.st_ino))
    text = repr((environment, files)).encode("utf-8", "surrogatepass")
    return hashlib.blake2b(text, key=_KEY_SALT, digest_size=20).digest()


def _shared_client(
    region_name: str | None, profile_name: str | None, endpoint_url: str | None
) -> PresignClient:
    key = (region_name, profile_name, endpoint_url, _settings_fingerprint())
    with _shared_lock:
        client = _shared_clients.get(key)
        if client is not None:
            _shared_clients.move_to_end(key)
            return client
        client = PresignClient(
            region_name=region_name, profile_name=profile_name, endpoint_url=endpoint_url
        )
        _shared_clients[key] = client
        evicted: list[PresignClient] = []
        while len(_shared_clients) > MAX_SHARED_CLIENTS:
            evicted.append(_shared_clients.popitem(last=False)[1])
    for old in evicted:
        old.close()
    return client


def create_presigned_url(
    notebook_instance_name: str,
    *,
    session_duration: int | timedelta | None = None,
    client: PresignClient | BaseClient | None = None,
    region_name: str | None = None,
    profile_name: str | None = None,
    endpoint_url: str | None = None,
) -> PresignedNotebookUrl:
    """One call for one-off scripts: validate, presign, return the result.

    Calls with the same settings share one boto3 client. *client* may be a PresignClient or
    a boto3 SageMaker client; it cannot be combined with the other settings.
    """
    name = validate_notebook_instance_name(notebook_instance_name)
    seconds = validate_session_duration(session_duration)
    if client is not None:
        given = [
            label
            for label, value in (
                ("region_name", region_name),
                ("profile_name", profile_name),
                ("endpoint_url", endpoint_url),
            )
            if value is not None
        ]
        if given:
            raise TypeError(f"client cannot be combined with {', '.join(given)}")
        presigner = client if isinstance(client, PresignClient) else PresignClient(client)
    else:
        presigner = _shared_client(region_name, profile_name, endpoint_url)
    return presigner.create_presigned_url(name, session_duration=seconds)
