"""The ``sagemaker-presign`` command: one presigned URL on stdout, errors as one line on stderr.

Imports stay light (argparse, json): boto3 loads only once a client is really built.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import re
import sys
import time
from collections.abc import Generator, Sequence
from contextlib import contextmanager
from datetime import timedelta
from enum import IntEnum
from typing import TYPE_CHECKING

from ._exceptions import (
    AccessDeniedError,
    ConfigurationError,
    CredentialsError,
    InvalidParameterError,
    NetworkError,
    NotebookInstanceFailedError,
    NotebookInstanceNotFoundError,
    NotebookInstanceNotInServiceError,
    PresignError,
    ServiceError,
    UnexpectedResponseError,
    WaitTimeoutError,
)
from ._lifecycle import DEFAULT_POLL_INTERVAL, DEFAULT_TIMEOUT, wait_seconds
from ._progress import Progress
from ._redact import clean
from ._validation import validate_notebook_instance_name, validate_session_duration

if TYPE_CHECKING:
    from ._client import PresignClient
    from ._notebook import PresignedNotebookUrl

PROG = "sagemaker-presign"
LOCAL_POLL_INTERVAL = timedelta(seconds=0.5)


class ExitCode(IntEnum):
    """The command's exit statuses; each failure class has its own."""

    OK = 0
    #: An error none of the codes below describes.
    FAILURE = 1
    #: Invalid arguments or parameters; nothing was sent.
    USAGE = 2
    #: No notebook instance of that name in this account and region.
    NOT_FOUND = 3
    #: Credentials missing or refused, or access denied.
    AUTH = 4
    #: Throttling, network failure, or the service failed or answered oddly.
    SERVICE = 5
    #: No region, an unknown profile or a bad endpoint URL.
    CONFIGURATION = 6
    #: The instance is Stopped (and --start was not given) or being deleted.
    NOT_IN_SERVICE = 7
    #: The instance is Failed.
    INSTANCE_FAILED = 8
    #: The instance was not InService before --timeout.
    TIMED_OUT = 9
    #: Interrupted (Ctrl-C).
    INTERRUPTED = 130


#: Our exceptions -> exit codes; the raised exception's most specific class listed wins.
_EXIT_CODES: dict[type[PresignError], ExitCode] = {
    InvalidParameterError: ExitCode.USAGE,
    NotebookInstanceNotFoundError: ExitCode.NOT_FOUND,
    CredentialsError: ExitCode.AUTH,
    AccessDeniedError: ExitCode.AUTH,
    ServiceError: ExitCode.SERVICE,
    NetworkError: ExitCode.SERVICE,
    UnexpectedResponseError: ExitCode.SERVICE,
    ConfigurationError: ExitCode.CONFIGURATION,
    NotebookInstanceNotInServiceError: ExitCode.NOT_IN_SERVICE,
    NotebookInstanceFailedError: ExitCode.INSTANCE_FAILED,
    WaitTimeoutError: ExitCode.TIMED_OUT,
}

_DURATION = re.compile(r"(?:(?P<h>\d+)h)?(?:(?P<m>\d+)m)?(?:(?P<s>\d+)s)?")


def parse_duration(text: str) -> int:
    """Parse ``3600``, ``90m``, ``2h``, ``1h30m`` or ``45s`` into whole seconds."""
    text = text.strip().lower()
    if len(text) > 20:  # a number of thousands of digits cannot even be converted
        raise argparse.ArgumentTypeError(f"invalid duration {text[:20]!r}...: far too long")
    if text.isdigit():
        return int(text)
    match = _DURATION.fullmatch(text)
    if not text or match is None:
        raise argparse.ArgumentTypeError(
            f"invalid duration {text!r}: use seconds (3600) or units h/m/s (2h, 90m, 1h30m)"
        )
    hours, minutes, seconds = (int(match.group(unit) or 0) for unit in "hms")
    return hours * 3600 + minutes * 60 + seconds


class _VersionAction(argparse.Action):
    """--version, reading the package metadata only when asked (it costs start-up time)."""

    def __call__(self, parser: argparse.ArgumentParser, *args: object, **kwargs: object) -> None:
        from ._version import version

        sys.stdout.write(f"{parser.prog} {version()}\n")
        parser.exit()


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=PROG,
        description=(
            "Print a presigned URL that opens a SageMaker notebook instance's Jupyter. "
            "The URL is a credential and works for 5 minutes."
        ),
        epilog=(
            "exit codes: 0 ok, 1 other failure (stdout closed or full, say), "
            "2 invalid arguments (nothing sent), "
            "3 notebook instance not found, 4 credentials or access denied, "
            "5 throttling/network/service failure, 6 configuration (region, profile, endpoint), "
            "7 instance not in service, 8 instance failed, 9 timed out waiting, 130 interrupted"
        ),
    )
    parser.add_argument("name", metavar="NAME", nargs="?", help="the notebook instance's name")
    parser.add_argument(
        "--version", action=_VersionAction, nargs=0, help="print the version and exit"
    )
    parser.add_argument(
        "-v",
        "--verbose",
        action="count",
        default=0,
        help="log what happens on stderr, secrets redacted: -v this package, -vv botocore too",
    )
    parser.add_argument(
        "--duration",
        type=parse_duration,
        metavar="D",
        help="Jupyter session length, 30m to 12h: 3600, 90m, 2h (default: the service's, 12h)",
    )
    parser.add_argument("--region", help="AWS region (default: AWS_REGION or the profile's)")
    parser.add_argument(
        "--profile", help="AWS profile from the shared config (default: AWS_PROFILE)"
    )
    parser.add_argument("--endpoint-url", metavar="URL", help="send requests to this endpoint")
    parser.add_argument(
        "--json",
        action="store_true",
        help="print one JSON object: url, notebook_instance_name, issued_at, expires_at, "
        "session_duration_seconds",
    )
    parser.add_argument(
        "--wait", action="store_true", help="wait until the instance is InService before presigning"
    )
    parser.add_argument(
        "--start", action="store_true", help="start the instance if it is Stopped (implies --wait)"
    )
    parser.add_argument(
        "--timeout",
        type=parse_duration,
        metavar="D",
        help="give up waiting after D: 15m, 1h, 900 (default: 20m)",
    )
    parser.add_argument(
        "--poll-interval",
        type=parse_duration,
        metavar="D",
        help="how often to check the status while waiting (default: 10s)",
    )
    parser.add_argument(
        "--open", action="store_true", help="open the URL in the default web browser"
    )
    parser.add_argument(
        "-q",
        "--quiet",
        action="store_true",
        help="print neither the URL nor progress (errors still go to stderr)",
    )
    parser.add_argument(
        "--local",
        action="store_true",
        help="run offline against a LocalSageMaker on 127.0.0.1 holding NAME (a demo)",
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command; return its exit status. Never lets a traceback reach the terminal."""
    try:
        return _main(argv)
    except KeyboardInterrupt:
        return _fail("interrupted", ExitCode.INTERRUPTED, None)
    except Exception as exc:  # a bug of ours or an environment we never met: one line anyway
        return _fail(f"unexpected {type(exc).__name__}: {exc}", ExitCode.FAILURE, None)


def _main(argv: Sequence[str] | None) -> int:
    parser = build_parser()
    args = _parse(parser, argv)
    _check_combinations(parser, args)
    _log_to_stderr(args.verbose)
    progress = None
    if not (args.json or args.quiet) and sys.stderr is not None:
        progress = Progress(sys.stderr, args.name, tty=sys.stderr.isatty())
    try:
        result = _run(args, progress)
    except PresignError as exc:
        return _fail(str(exc), _exit_code(exc), progress)
    except KeyboardInterrupt:
        return _fail("interrupted", ExitCode.INTERRUPTED, progress)
    if progress is not None:
        progress.close()
    if not args.quiet:
        problem = _write_result(result, as_json=args.json)
        if problem is not None:
            return _fail(f"cannot write the URL to stdout: {problem}", ExitCode.FAILURE, None)
    if args.open:
        _open_in_browser(result)
    return ExitCode.OK


def _parse(parser: argparse.ArgumentParser, argv: Sequence[str] | None) -> argparse.Namespace:
    """Parse, letting a NAME that starts with "-" reach the name rule instead of argparse's
    "unrecognized arguments" (names never start with a hyphen, and the rule says why)."""
    args, extras = parser.parse_known_args(argv)
    if extras:
        if args.name is None and len(extras) == 1 and extras[0].startswith("-"):
            try:
                validate_notebook_instance_name(extras[0])
            except InvalidParameterError as exc:
                parser.error(str(exc))
        parser.error(f"unrecognized arguments: {' '.join(extras)}")
    if args.name is None:
        parser.error("the following arguments are required: NAME")
    return args


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
    args.wait = args.wait or args.start
    if not args.wait:
        for flag, value in (("--timeout", args.timeout), ("--poll-interval", args.poll_interval)):
            if value is not None:
                parser.error(f"{flag} only applies with --wait or --start")
    for flag, value in (("--timeout", args.timeout), ("--poll-interval", args.poll_interval)):
        if value is not None:
            try:
                wait_seconds(value, flag)
            except InvalidParameterError as exc:
                parser.error(str(exc))
    if args.quiet and args.json:
        parser.error("--quiet and --json contradict each other")
    if args.local:
        clashing = [
            flag
            for flag, value in (("--profile", args.profile), ("--endpoint-url", args.endpoint_url))
            if value
        ]
        if clashing:
            parser.error(f"--local cannot be combined with {' or '.join(clashing)}")


def _run(args: argparse.Namespace, progress: Progress | None) -> PresignedNotebookUrl:
    name = validate_notebook_instance_name(args.name)
    seconds = validate_session_duration(args.duration)
    with _client_for(args, name) as (client, default_poll_interval):
        if args.wait:
            client.wait_until_in_service(
                name,
                start=args.start,
                timeout=DEFAULT_TIMEOUT if args.timeout is None else args.timeout,
                poll_interval=default_poll_interval
                if args.poll_interval is None
                else args.poll_interval,
                on_status=None if progress is None else progress.on_status,
                sleep=time.sleep if progress is None else progress.sleep,
            )
        return client.create_presigned_url(name, session_duration=seconds)


@contextmanager
def _client_for(
    args: argparse.Namespace, name: str
) -> Generator[tuple[PresignClient, timedelta], None, None]:
    """The client to use, and the poll interval that suits it."""
    if not args.local:
        from ._client import PresignClient

        with PresignClient(
            region_name=args.region, profile_name=args.profile, endpoint_url=args.endpoint_url
        ) as client:
            yield client, DEFAULT_POLL_INTERVAL
        return
    from .testing import LocalSageMaker

    # Quick transitions and polls, so the demo shows Stopped -> Pending -> InService in seconds.
    with LocalSageMaker(region_name=args.region or "us-east-1", transition_polls=3) as sagemaker:
        sagemaker.add_notebook_instance(name, status="Stopped" if args.start else "InService")
        with sagemaker.client() as client:
            yield client, LOCAL_POLL_INTERVAL


def _open_in_browser(result: PresignedNotebookUrl) -> None:
    """Open the URL; the browser's own chatter (Chrome writes to stdout) goes to /dev/null,
    so stdout carries the URL alone."""
    import os
    import webbrowser

    saved = None
    if sys.stdout is not None:
        saved = os.dup(1)
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, 1)
        os.close(devnull)
    try:
        opened = webbrowser.open(result.url)
    finally:
        if saved is not None:
            os.dup2(saved, 1)
            os.close(saved)
    if not opened and sys.stderr is not None:
        sys.stderr.write(f"{PROG}: warning: no web browser could be opened\n")


def _write_result(result: PresignedNotebookUrl, *, as_json: bool) -> str | None:
    """Print the result on stdout; say what went wrong if it cannot be written."""
    out = sys.stdout
    if out is None:
        return "stdout is closed"
    if as_json:
        duration = result.session_duration
        document = {
            "url": result.url,
            "notebook_instance_name": result.notebook_instance_name,
            "issued_at": result.issued_at.isoformat(),
            "expires_at": result.expires_at.isoformat(),
            "session_duration_seconds": None if duration is None else int(duration.total_seconds()),
        }
        text = json.dumps(document) + "\n"
    else:
        text = result.url + "\n"
    try:
        out.write(text)
        out.flush()
    except (OSError, ValueError) as exc:
        # The reader went away (``| head``), the disk is full, fd 1 was closed. Point stdout
        # at /dev/null so that Python's own flush at exit has nothing left to complain about.
        import os

        with contextlib.suppress(OSError, ValueError):
            os.dup2(os.open(os.devnull, os.O_WRONLY), out.fileno())
        if isinstance(exc, BrokenPipeError):
            return "the reader closed the pipe"
        return exc.strerror or str(exc) if isinstance(exc, OSError) else str(exc)
    return None


def _exit_code(exc: PresignError) -> ExitCode:
    return next(
        (_EXIT_CODES[klass] for klass in type(exc).__mro__ if klass in _EXIT_CODES),
        ExitCode.FAILURE,
    )


def _fail(message: str, code: ExitCode, progress: Progress | None) -> int:
    with contextlib.suppress(OSError, ValueError):
        if progress is not None:
            progress.close()
        if sys.stderr is not None:
            # One line, whatever the message held, and nothing secret or raw in it.
            sys.stderr.write(f"{PROG}: error: {' '.join(clean(message).split())}\n")
            sys.stderr.flush()
    return code
