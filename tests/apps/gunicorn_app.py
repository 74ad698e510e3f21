"""The web app as a gunicorn deployment builds it: settings from the environment, one
PresignClient per worker. Each answer names its worker, so a test can see which one served it."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from typing import Any

from sagemaker_presign import PresignClient
from sagemaker_presign.web import allow_users, create_app, trusted_header

identity = trusted_header("X-Forwarded-User")
_app = create_app(
    PresignClient(endpoint_url=os.environ["TEST_SAGEMAKER_ENDPOINT"], region_name="us-east-1"),
    authorize=allow_users(identity),
    identity=identity,
    secret=os.environ["SAGEMAKER_PRESIGN_WEB_SECRET"],
)


def app(
    environ: dict[str, Any], start_response: Callable[[str, list[tuple[str, str]]], Any]
) -> Iterable[bytes]:
    def with_worker(status: str, headers: list[tuple[str, str]]) -> Any:
        return start_response(status, [*headers, ("X-Worker-Pid", str(os.getpid()))])

    return _app(environ, with_worker)
