"""The ``sagemaker-presign`` command: one presigned URL on stdout, errors as one line on stderr.

Imports stay light (argparse, json): boto3 loads only once a client is really built.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from collections.abc import Generator, Sequence
from contextlib import contextmanager
from datetime import timedelta
from enum import IntEnum
from typing import TYPE_CHECKING, TextIO

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
from ._lifecycle import DEFAULT_POLL_INTERVAL, DEFAULT_TIMEOUT
from ._progress import Progress
from ._validation import validate_notebook_instance_name, validate_session_duration

if TYPE_CHECKING:
    from ._client import PresignClient
    from ._result import PresignedNotebookUrl

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
    if text.isdigit():
        return int(text)
    match = _DURATION.fullmatch(text)
    if not text or match is None:
        raise argparse.ArgumentTypeError(
            f"invalid duration {text!r}: use seconds (3600) or units h/m/s (2h, 90m, 1h30m)"
        )
    hours, minutes, seconds = (int(match.group(unit) or 0) for unit in "hms")
    return hours * 3600 + minutes * 60 + seconds


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=PROG,
        description=(
            "Print a presigned URL that opens a SageMaker notebook instance's Jupyter. "
            "The URL is a credential and works for 5 minutes."
        ),
        epilog=(
            "exit codes: 0 ok, 1 other failure, 2 invalid arguments (nothing sent), "
            "3 notebook instance not found, 4 credentials or access denied, "
            "5 throttling/network/service failure, 6 configuration (region, profile, endpoint), "
            "7 instance not in service, 8 instance failed, 9 timed out waiting, 130 interrupted"
        ),
    )
    parser.add_argument("name", metavar="NAME", help="the notebook instance's name")
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
    parser = build_parser()
    args = parser.parse_args(argv)
    _check_combinations(parser, args)
    progress = None
    if not (args.json or args.quiet):
        progress = Progress(sys.stderr, args.name, tty=sys.stderr.isatty())
    try:
        result = _run(args, progress)
    except PresignError as exc:
        return _fail(str(exc), _exit_code(exc), progress)
    except KeyboardInterrupt:
        return _fail("interrupted", ExitCode.INTERRUPTED, progress)
    if progress is not None:
        progress.close()
    try:
        if not args.quiet:
            _print_result(result, as_json=args.json, out=sys.stdout)
    except BrokenPipeError:
        # The reader went away (``| head``). Point stdout at /dev/null so that Python's own
        # flush at exit does not print a traceback about it (the recipe from Python's docs).
        import os

        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return ExitCode.FAILURE
    if args.open:
        _open_in_browser(result)
    return ExitCode.OK


def _check_combinations(parser: argparse.ArgumentParser, args: argparse.Namespace) -> None:
    """Refuse flags that contradict each other, before anything happens (exit code 2)."""
    args.wait = args.wait or args.start
    if not args.wait:
        for flag, value in (("--timeout", args.timeout), ("--poll-interval", args.poll_interval)):
            if value is not None:
                parser.error(f"{flag} only applies with --wait or --start")
    for flag, value in (("--timeout", args.timeout), ("--poll-interval", args.poll_interval)):
        if value == 0:
            parser.error(f"{flag} must be longer than 0 seconds")
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
            poll_interval = default_poll_interval
            if args.poll_interval is not None:
                poll_interval = timedelta(seconds=args.poll_interval)
            client.wait_until_in_service(
                name,
                start=args.start,
                timeout=DEFAULT_TIMEOUT
                if args.timeout is None
                else timedelta(seconds=args.timeout),
                poll_interval=poll_interval,
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
    import webbrowser

    if not webbrowser.open(result.url):
        sys.stderr.write(f"{PROG}: warning: no web browser could be opened\n")


def _print_result(result: PresignedNotebookUrl, *, as_json: bool, out: TextIO) -> None:
    if as_json:
        duration = result.session_duration
        document = {
            "url": result.url,
            "notebook_instance_name": result.notebook_instance_name,
            "issued_at": result.issued_at.isoformat(),
            "expires_at": result.expires_at.isoformat(),
            "session_duration_seconds": None if duration is None else int(duration.total_seconds()),
        }
        out.write(json.dumps(document) + "\n")
    else:
        out.write(result.url + "\n")
    out.flush()


def _exit_code(exc: PresignError) -> ExitCode:
    return next(
        (_EXIT_CODES[klass] for klass in type(exc).__mro__ if klass in _EXIT_CODES),
        ExitCode.FAILURE,
    )


def _fail(message: str, code: ExitCode, progress: Progress | None) -> int:
    if progress is not None:
        progress.close()
    # One line, whatever the message held.
    sys.stderr.write(f"{PROG}: error: {' '.join(message.split())}\n")
    return code
