"""The ``sagemaker-presign`` command: one presigned URL on stdout, errors as one line on stderr.

One subcommand per door, generated from its record (``_parser``); this module reads the
records too, so it never branches on the door. ``--local`` demos come from ``_local``.

Imports stay light (argparse, json): boto3 loads only once a client is really built.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable, Generator, Sequence
from contextlib import contextmanager
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from sagemaker_presign._exceptions import (
    InvalidParameterError,
    PresignError,
)
from sagemaker_presign._lifecycle import DEFAULT_POLL_INTERVAL, wait_seconds
from sagemaker_presign._progress import Progress
from sagemaker_presign._validation import validate_expires_in, validate_session_duration

from ._discovery import interactive, pick, print_rows, rows_for
from ._exit import ExitCode, exit_code, fail, interrupted
from ._flags import PROG, parse_duration
from ._output import copy_to_clipboard, open_in_browser, write_result
from ._parser import build_parser, normalize

if TYPE_CHECKING:
    from sagemaker_presign._client import PresignClient
    from sagemaker_presign._door import Door
    from sagemaker_presign._result import PresignedUrl

__all__ = ["ExitCode", "build_parser", "main", "parse_duration"]
LOCAL_POLL_INTERVAL = timedelta(seconds=0.5)


def main(
    argv: Sequence[str] | None = None, *, long_lived: Callable[[], object] = lambda: None
) -> int:
    """Run the command; return its exit status. Never lets a traceback reach the terminal.

    *long_lived* is called when the run turns out to live long (``serve``, a wait): the
    console script turns its garbage collector back on there.
    """
    try:
        return _main(argv, long_lived)
    except KeyboardInterrupt:
        return interrupted(None)
    except Exception as exc:  # a bug of ours or an environment we never met: one line anyway
        return fail(f"unexpected {type(exc).__name__}: {exc}", ExitCode.FAILURE, None)


def _main(argv: Sequence[str] | None, long_lived: Callable[[], object]) -> int:
    from sagemaker_presign._doors import DOORS

    parser = build_parser()
    args = _parse(parser, sys.argv[1:] if argv is None else argv)
    _check_combinations(parser, args)
    _log_to_stderr(args.verbose)
    if args.door not in DOORS:  # list, serve, hub: commands of their own
        return _command(parser, args, long_lived)
    door = DOORS[args.door]
    try:
        _check_door_arguments(door, args)  # bad input is an error before any client is built
    except InvalidParameterError as exc:
        return fail(str(exc), ExitCode.USAGE, None)
    progress = None
    if not (args.json or args.quiet) and sys.stderr is not None:
        progress = Progress(sys.stderr, _shown(door, args), tty=sys.stderr.isatty())
    try:
        result = _run(door, args, progress, long_lived)
    except PresignError as exc:
        return fail(str(exc), exit_code(exc), progress)
    except KeyboardInterrupt:
        return interrupted(progress)
    if progress is not None:
        progress.close()
    if not args.quiet:
        problem = write_result(result, as_json=args.json)
        if problem is not None:
            return fail(f"cannot write the URL to stdout: {problem}", ExitCode.FAILURE, None)
    if args.copy:
        problem = copy_to_clipboard(result.url)
        if problem is not None and sys.stderr is not None:
            sys.stderr.write(f"{PROG}: warning: {problem}\n")
    if args.open:
        open_in_browser(result)
    return ExitCode.OK


def _command(
    parser: argparse.ArgumentParser, args: argparse.Namespace, long_lived: Callable[[], object]
) -> int:
    """``list``, ``hub`` (downloads) and ``serve`` (a server)."""
    if args.door == "list":
        return _list(args)
    if args.door == "hub":
        from ._hub import run as run_hub

        try:
            return run_hub(args, _client_for, long_lived)
        except KeyboardInterrupt:
            return interrupted(None)
    from ._serve import run_server

    long_lived()  # a server lives long: its garbage must be collected
    return run_server(parser, args, _client_for)


def _parse(parser: argparse.ArgumentParser, argv: Sequence[str]) -> argparse.Namespace:
    """Parse, letting a notebook NAME that starts with "-" reach the name rule instead of
    argparse's "unrecognized arguments" (names never start with a hyphen; the rule says why)."""
    args, extras = parser.parse_known_args(normalize(argv, parser))
    if extras:
        # A NAME that starts with "-": the door's rule says why it cannot.
        if len(extras) == 1 and extras[0].startswith("-") and _missing_positional(args):
            name, check = _missing_positional(args)[0]
            try:
                check(extras[0])
            except InvalidParameterError as exc:
                parser.error(str(exc))
        parser.error(f"unrecognized arguments: {' '.join(extras)}")
    missing = _missing_positional(args)
    if missing and not interactive():
        name = missing[0][0]
        parser.error(f"the following arguments are required: {name} (on a terminal: pick one)")
    return args


def _missing_positional(args: argparse.Namespace) -> list[tuple[str, Callable[[Any], Any]]]:
    """The door's positional arguments left out (a picker fills them on a terminal), with
    the check of the parameter each stands for."""
    from sagemaker_presign._doors import DOORS

    door = DOORS.get(args.door)
    if door is None or door.cli is None:
        return []
    checks = {param.name: param.check for param in door.params}
    found: list[tuple[str, Callable[[Any], Any]]] = []
    for flags, options in door.cli.arguments:
        if not flags[0].startswith("-") and getattr(args, flags[0], None) is None:
            param = str(options.get("param", flags[0]))
            found.append((str(options.get("metavar", flags[0])), checks.get(param, _any)))
    return found


def _any(value: object) -> object:
    return value


def _list(args: argparse.Namespace) -> int:
    """``sagemaker-presign list [notebook|studio|mlflow]``: exit 0 with an empty table too."""
    try:
        with _client_for(args) as (client, _):
            rows = rows_for(client, args)
    except PresignError as exc:
        return fail(str(exc), exit_code(exc), None)
    try:
        print_rows(rows, as_json=args.json)
    except (OSError, ValueError) as exc:
        return fail(f"cannot write the list to stdout: {exc}", ExitCode.FAILURE, None)
    return ExitCode.OK


def _shown(door: Door, args: argparse.Namespace) -> str:
    """What the command is about, for the progress line: the first argument given of those
    the door names it by (a picked name replaces it once known)."""
    assert door.cli is not None
    shown = (getattr(args, name, None) for name in door.cli.shown)
    return str(next((value for value in shown if value not in (None, "?")), ""))


def _log_to_stderr(verbosity: int) -> None:
    if not verbosity or sys.stderr is None:
        return
    import logging

    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(name)s: %(levelname)s: %(message)s"))
    for name in ("sagemaker_presign", *(("botocore", "urllib3") if verbosity > 1 else ())):
        logger = logging.getLogger(name)
        logger.setLevel(logging.DEBUG)
        logger.addHandler(handler)


def _check_combinations(parser: argparse.ArgumentParser, args: argparse.Namespace) -> None:
    """Refuse flags that contradict each other, before anything happens (exit code 2)."""
    waits = hasattr(args, "wait")
    if waits:
        args.wait = args.wait or getattr(args, "start", False)
        if not args.wait:
            for flag, value in (
                ("--timeout", args.timeout),
                ("--poll-interval", args.poll_interval),
            ):
                if value is not None:
                    parser.error(f"{flag} only applies with --wait or --start")
        for flag, value in (("--timeout", args.timeout), ("--poll-interval", args.poll_interval)):
            if value is not None:
                try:
                    wait_seconds(value, flag)
                except InvalidParameterError as exc:
                    parser.error(str(exc))
    if getattr(args, "quiet", False) and getattr(args, "json", False):
        parser.error("--quiet and --json contradict each other")
    if args.local:
        clashing = [
            flag
            for flag, value in (("--profile", args.profile), ("--endpoint-url", args.endpoint_url))
            if value
        ]
        if clashing:
            parser.error(f"--local cannot be combined with {' or '.join(clashing)}")


def _check_door_arguments(door: Door, args: argparse.Namespace) -> None:
    """Every argument by the door's own rules, durations included, before any client."""
    assert door.cli is not None
    validate_session_duration(args.duration)
    if door.expires:
        validate_expires_in(args.expires_in)
    if door.cli.check is not None:
        door.cli.check(args)
        return
    for param in door.params:
        value = getattr(args, param.name, None)
        if value is not None:
            param.check(value)


class _Finder:
    """What a door's `Cli.values` may use: the client, and the terminal picker."""

    def __init__(self, client: PresignClient) -> None:
        self.client = client

    def pick(self, what: str, choices: list[tuple[str, str]], hint: str) -> str:
        return pick(what, choices, hint)


def _run(
    door: Door,
    args: argparse.Namespace,
    progress: Progress | None,
    long_lived: Callable[[], object],
) -> PresignedUrl:
    """Get the client, find what is named (a lookup, a pick), wait or start if asked (or
    if a pick found it stopped), presign."""
    assert door.cli is not None
    picked = bool(_missing_positional(args))
    with _client_for(args) as (client, default_poll_interval):
        if door.cli.values is not None:
            values = door.cli.values(args, _Finder(client))
        else:
            values = {param.name: getattr(args, param.name, None) for param in door.params}
        if progress is not None:
            progress.rename(_named(door, values))
        # A pick that found it stopped, failed or going never gets a URL that cannot open it:
        # the wait starts it under --start, else says why (exit 7 or 8).
        wait = bool(getattr(args, "wait", False))
        if picked and not wait and door.lifecycle is not None:
            wait = client.status(door.name, **values).condition in ("startable", "failed", "gone")
        if wait and door.lifecycle is not None:
            long_lived()  # a wait may poll for half an hour
            waiting: dict[str, Any] = {
                **values,
                "start": getattr(args, "start", False),
                "timeout": args.timeout,
                "poll_interval": args.poll_interval or default_poll_interval,
                "on_status": None if progress is None else progress.on_status,
                "sleep": time.sleep if progress is None else progress.sleep,
            }
            client.wait(door.name, **waiting)
        presigning: dict[str, Any] = {
            **values,
            "session_duration": args.duration,
            "expires_in": getattr(args, "expires_in", None),
        }
        return client.presign(door.name, **presigning)


def _named(door: Door, values: dict[str, Any]) -> str:
    web = door.web
    if web is not None and values.get(web.name):
        return str(values[web.name])
    return str(next((v for v in values.values() if isinstance(v, str)), ""))


@contextmanager
def _client_for(
    args: argparse.Namespace,
) -> Generator[tuple[PresignClient, timedelta], None, None]:
    """The client to use, and the poll interval that suits it."""
    if not args.local:
        from sagemaker_presign._client import PresignClient

        with PresignClient(
            region_name=args.region, profile_name=args.profile, endpoint_url=args.endpoint_url
        ) as client:
            yield client, DEFAULT_POLL_INTERVAL
        return
    from ._local import local_sagemaker

    with local_sagemaker(args) as sagemaker, sagemaker.client() as client:
        yield client, LOCAL_POLL_INTERVAL
