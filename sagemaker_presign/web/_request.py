"""What the app checks of a request before anything else: its Host, its body's length, its
route (every name in it checked by the door's own rule) and what may go in a log line."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from sagemaker_presign._exceptions import InvalidParameterError
from sagemaker_presign._mlflow import check_server_name
from sagemaker_presign._studio import check_domain_id, check_profile_or_space
from sagemaker_presign._validation import validate_notebook_instance_name

#: The methods each route answers; a POST starts the resource.
ROUTE_METHODS: Mapping[str, tuple[str, ...]] = {
    "notebook": ("GET", "POST"),
    "mlflow": ("GET", "POST"),
    "studio": ("GET",),
}
_DIGITS = re.compile(r"[0-9]{1,12}")


def host_allowed(environ: Mapping[str, Any], hosts: frozenset[str]) -> bool:
    """Whether the request's ``Host`` (port left out) is one the app answers for."""
    if "*" in hosts:
        return True
    host = str(environ.get("HTTP_HOST") or "").strip().lower()
    if host.startswith("["):  # [::1]:8080
        name = host[1 : host.find("]")] if "]" in host else ""
    else:
        name = host.rpartition(":")[0] if ":" in host else host
    return bool(name) and name in hosts


def body_problem(environ: Mapping[str, Any], limit: int) -> tuple[int, str] | None:
    """``(status, why)`` for a body the app will not read, before a byte of it is read."""
    if environ.get("HTTP_TRANSFER_ENCODING"):
        return 411, "Send the form with a Content-Length."
    length = str(environ.get("CONTENT_LENGTH") or "")
    if not length:
        return None
    if not _DIGITS.fullmatch(length):
        return 400, "The Content-Length is not a number of bytes."
    if int(length) > limit:
        return 413, f"The request body is larger than {limit} bytes."
    return None


def route(path: str) -> tuple[str, list[str]] | None:
    """``(kind, names)`` for a path the app serves, every name valid; None for anything else
    (empty segments, ``//`` included, are not collapsed: a path is either canonical or not)."""
    parts = path.split("/")
    if len(parts) < 3 or parts[0] != "" or "" in parts[1:]:
        return None
    kind, names = parts[1], parts[2:]
    try:
        if kind == "notebook" and len(names) == 1:
            validate_notebook_instance_name(names[0])
        elif kind == "mlflow" and len(names) == 1:
            check_server_name(names[0])
        elif kind == "studio" and len(names) <= 3:
            if names[0].startswith("d-"):
                check_domain_id(names[0])
            else:  # a domain name, looked up later
                check_profile_or_space(names[0], "domain name")
            for name in names[1:]:
                check_profile_or_space(name, "name")
        else:
            return None
    except InvalidParameterError:
        return None
    return kind, names


def printable(text: str) -> str:
    """*text* with every control or non-printable character escaped: one log line stays one
    line, whatever a path or a header held."""
    if text.isprintable():
        return text
    return "".join(c if c.isprintable() else c.encode("unicode_escape").decode() for c in text)
