"""What the app checks of a request before anything else: its Host, its body's length, its
route (every name in it checked by the door's own rule) and what may go in a log line."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from sagemaker_presign._door import Door
from sagemaker_presign._doors import DOORS
from sagemaker_presign._exceptions import InvalidParameterError

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


def methods(door: Door) -> tuple[str, ...]:
    """The methods a door's route answers: a POST starts the resource, where it can start."""
    lifecycle = door.lifecycle
    return ("GET", "POST") if lifecycle is not None and lifecycle.start is not None else ("GET",)


def route(path: str) -> tuple[Door, dict[str, str]] | None:
    """The door and its parameters (every one checked by the door's rule, by name) for a path
    the app serves; None for anything else (empty segments, ``//`` included, are not
    collapsed: a path is either canonical or not)."""
    parts = path.split("/")
    if len(parts) < 3 or parts[0] != "" or "" in parts[1:]:
        return None
    door = DOORS.get(parts[1])
    web = None if door is None else door.web
    if door is None or web is None:
        return None
    names = parts[2:]
    if not web.required <= len(names) <= len(web.segments):
        return None
    checks = {param.name: param.check for param in door.params}
    params: dict[str, str] = {}
    try:
        for segment, value in zip(web.segments, names, strict=False):
            params[segment] = web.checks.get(segment, checks[segment])(value)
    except (InvalidParameterError, TypeError):
        return None
    return door, params


def printable(text: str) -> str:
    """*text* with every control or non-printable character escaped: one log line stays one
    line, whatever a path or a header held."""
    if text.isprintable():
        return text
    return "".join(c if c.isprintable() else c.encode("unicode_escape").decode() for c in text)
