"""``create_presigned_url()``: one call for one-off scripts, sharing clients between calls."""

from __future__ import annotations

import os
import threading
from datetime import timedelta
from typing import TYPE_CHECKING

from ._client import PresignClient
from ._result import PresignedNotebookUrl
from ._validation import validate_notebook_instance_name, validate_session_duration

if TYPE_CHECKING:
    from botocore.client import BaseClient

_shared_clients: dict[tuple[str | None, ...], PresignClient] = {}
_shared_lock = threading.Lock()
# Settings that change which client gets built, besides the arguments themselves.
_ENVIRONMENT_KEYS = ("AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_REGION", "AWS_DEFAULT_REGION")


def _shared_client(
    region_name: str | None, profile_name: str | None, endpoint_url: str | None
) -> PresignClient:
    key = (region_name, profile_name, endpoint_url, *(os.environ.get(k) for k in _ENVIRONMENT_KEYS))
    with _shared_lock:
        client = _shared_clients.get(key)
        if client is None:
            client = PresignClient(
                region_name=region_name, profile_name=profile_name, endpoint_url=endpoint_url
            )
            _shared_clients[key] = client
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
