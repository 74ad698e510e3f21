"""What the service's successful answers must hold, checked before anyone relies on them."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, cast
from urllib.parse import urlsplit

from ._exceptions import UnexpectedResponseError
from ._status import NotebookInstanceStatus


def _fields(response: Any) -> Mapping[str, object]:
    return cast("Mapping[str, object]", response) if isinstance(response, Mapping) else {}


# What every real answer looks like; anything else gets the slow, precise diagnosis below.
_PLAIN_HTTPS_URL = re.compile(r"https://(?:[A-Za-z0-9-]+\.)*[A-Za-z0-9-]+(?::[0-9]+)?(?:[/?#]|$)")


def authorized_url(response: Any, name: str) -> str:
    """Return the response's AuthorizedUrl, or raise if it is not a usable https URL."""
    url = _fields(response).get("AuthorizedUrl")
    if isinstance(url, str) and _PLAIN_HTTPS_URL.match(url):
        return url
    problem = None
    if url is None:
        problem = "has no AuthorizedUrl"
    elif not isinstance(url, str):
        problem = f"has an AuthorizedUrl that is a {type(url).__name__}, not a string"
    elif not url.strip():
        problem = "has an empty AuthorizedUrl"
    else:
        try:
            parts = urlsplit(url)
            host = parts.hostname
        except ValueError:
            parts, host = None, None
        if parts is None:
            problem = "has an AuthorizedUrl that is not a URL"
        elif parts.scheme != "https":
            problem = f"has an AuthorizedUrl whose scheme is {parts.scheme!r}, not 'https'"
        elif not host:
            problem = "has an AuthorizedUrl without a host"
    if problem is not None:
        raise UnexpectedResponseError(
            f"SageMaker's answer to CreatePresignedNotebookInstanceUrl for notebook instance "
            f"{name!r} {problem}",
            notebook_instance_name=name,
        )
    assert isinstance(url, str)
    return url


def described_status(response: Any, name: str) -> tuple[NotebookInstanceStatus, str | None]:
    """Return DescribeNotebookInstance's status and FailureReason."""
    fields = _fields(response)
    status = fields.get("NotebookInstanceStatus")
    if not isinstance(status, str) or not status:
        raise UnexpectedResponseError(
            f"SageMaker's answer to DescribeNotebookInstance for notebook instance {name!r} "
            "has no NotebookInstanceStatus",
            notebook_instance_name=name,
        )
    reason = fields.get("FailureReason")
    return NotebookInstanceStatus(status), reason if isinstance(reason, str) and reason else None
