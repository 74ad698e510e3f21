"""The ``sagemaker-presign`` command: one presigned URL on stdout, errors as one line on stderr.

Imports stay light (argparse, json): boto3 loads only once a client is really built.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Sequence
from enum import IntEnum
from typing import TYPE_CHECKING, TextIO

from ._exceptions import (
    AccessDeniedError,
    ConfigurationError,
    CredentialsError,
    InvalidParameterError,
    NetworkError,
    NotebookInstanceNotFoundError,
    PresignError,
    ServiceError,
    UnexpectedResponseError,
)
from ._validation import validate_notebook_instance_name, validate_session_duration

if TYPE_CHECKING:
    from ._client import PresignClient
    from ._result import PresignedNotebookUrl

PROG = "sagemaker-presign"


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
            "130 interrupted"
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
        "--local",
        action="store_true",
        help="run offline against a LocalSageMaker on 127.0.0.1 holding NAME (a demo)",
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        result = _run(parser, args)
        _print_result(result, as_json=args.json, out=sys.stdout)
    except PresignError as exc:
        return _fail(str(exc), _exit_code(exc))
    except KeyboardInterrupt:
        return _fail("interrupted", ExitCode.INTERRUPTED)
    except BrokenPipeError:
        # The reader went away (``| head``); nothing left to say to it.
        sys.stderr.close()
        return ExitCode.FAILURE
    return ExitCode.OK


def _run(parser: argparse.ArgumentParser, args: argparse.Namespace) -> PresignedNotebookUrl:
    name = validate_notebook_instance_name(args.name)
    seconds = validate_session_duration(args.duration)
    if args.local:
        clashing = [
            flag
            for flag, value in (("--profile", args.profile), ("--endpoint-url", args.endpoint_url))
            if value
        ]
        if clashing:
            parser.error(f"--local cannot be combined with {' or '.join(clashing)}")
        return _run_local(name, seconds, args.region or "us-east-1")
    client = _make_client(args)
    return client.create_presigned_url(name, session_duration=seconds)


def _make_client(args: argparse.Namespace) -> PresignClient:
    from ._client import PresignClient

    return PresignClient(
        region_name=args.region, profile_name=args.profile, endpoint_url=args.endpoint_url
    )


def _run_local(name: str, seconds: int | None, region: str) -> PresignedNotebookUrl:
    from .testing import LocalSageMaker

    with LocalSageMaker(region_name=region) as sagemaker:
        sagemaker.add_notebook_instance(name)
        with sagemaker.client() as client:
            return client.create_presigned_url(name, session_duration=seconds)


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


def _fail(message: str, code: ExitCode) -> int:
    # One line, whatever the message held.
    sys.stderr.write(f"{PROG}: error: {' '.join(message.split())}\n")
    return code
