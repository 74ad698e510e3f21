"""``sagemaker-presign list`` and the picker: what there is to open, as a table, JSON lines,
or a numbered list to choose from on a terminal (standard library only: ``input()``)."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable, Sequence
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

from sagemaker_presign._exceptions import InvalidParameterError, ResourceNotFoundError

if TYPE_CHECKING:
    from sagemaker_presign._client import PresignClient

Row = dict[str, Any]


def interactive() -> bool:
    """A person is there to answer: stdin and stderr (where the list goes) are terminals."""
    return bool(
        sys.stdin is not None
        and sys.stderr is not None
        and sys.stdin.isatty()
        and sys.stderr.isatty()
    )


def pick(what: str, choices: Sequence[tuple[str, str]], hint: str) -> str:
    """The one of *choices* (value, description) a person picks; the only one without asking.

    Raises:
        ResourceNotFoundError: there is nothing to pick.
        InvalidParameterError: several, and no terminal to ask on (*hint* says what to pass).
    """
    if not choices:
        raise ResourceNotFoundError(f"there is no {what} to open here")
    if len(choices) == 1:
        return choices[0][0]
    if not interactive():
        raise InvalidParameterError(
            f"{len(choices)} {what}s to choose from and no terminal to ask on: {hint}"
        )
    for number, (_, description) in enumerate(choices, 1):
        sys.stderr.write(f"{number:>3}) {description}\n")
    while True:
        sys.stderr.write(f"Which {what}? [1-{len(choices)}] ")
        sys.stderr.flush()
        answer = input().strip()
        if answer.isascii() and answer.isdigit() and 1 <= int(answer) <= len(choices):
            return choices[int(answer) - 1][0]
        named = [value for value, _ in choices if value == answer]
        if named:
            return named[0]
        sys.stderr.write(f"  type a number from 1 to {len(choices)}, or a name from the list\n")


def age(when: datetime | None, now: datetime | None = None) -> str:
    """``3d``, ``5h``, ``12m``, ``40s``: how long ago, for a table."""
    if when is None:
        return "-"
    seconds = int(((now or datetime.now(timezone.utc)) - when).total_seconds())
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds >= size:
            return f"{seconds // size}{unit}"
    return f"{max(seconds, 0)}s"


def rows_for(client: PresignClient, args: Any) -> list[Row]:
    """The rows of ``list WHAT`` (the door's own listing), each a dict of plain values."""
    from sagemaker_presign._doors import DOORS

    listing = DOORS[args.what].listing
    rows = [] if listing is None else listing.rows(client, args)
    contains = args.name_contains
    return [row for row in rows if contains is None or contains in row["name"]]


def print_rows(rows: Iterable[Row], *, as_json: bool) -> None:
    """One JSON object per line, or a table (name, status, type, age)."""
    out = sys.stdout
    if out is None:
        return
    rows = list(rows)
    if as_json:
        for row in rows:
            created = row.get("created")
            document = {**row, "created": created.isoformat() if created else None}
            out.write(json.dumps(document) + "\n")
        out.flush()
        return
    table = [("NAME", "STATUS", "TYPE", "AGE")]
    for row in rows:
        indent = {"user-profile": "  ", "space": "    "}.get(row["kind"], "")
        table.append((indent + row["name"], row["status"], row["type"] or "-", age(row["created"])))
    widths = [max(len(line[column]) for line in table) for column in range(3)]
    for line in table:
        out.write(
            "  ".join(cell.ljust(width) for cell, width in zip(line, widths, strict=False)) + "  "
        )
        out.write(line[3] + "\n")
    if not rows:
        out.write("(nothing here)\n")
    out.flush()
