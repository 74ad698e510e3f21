"""The ``sagemaker-presign`` command: one presigned URL on stdout, errors as one line on stderr.

One subcommand per door (``_cli_parser``); ``--local`` demos come from ``_cli_local``.

Imports stay light (argparse, json): boto3 loads only once a client is really built.
"""

from __future__ import annotations

import argparse
import contextlib
import sys
import time
from collections.abc import Generator, Sequence
from contextlib import contextmanager
from datetime import timedelta
from enum import IntEnum
from typing import TYPE_CHECKING

from ._cli_discovery import (
    interactive,
    pick_notebook,
    pick_profile,
    pick_space,
    print_rows,
    rows_for,
)
from ._cli_entry import turn_long_lived
from ._cli_output import copy_to_clipboard, open_in_browser, write_result
from ._cli_parser import PICK, PROG, STUDIO_APPS, build_parser, normalize, parse_duration
from ._exceptions import (
    AccessDeniedError,
    ConfigurationError,
    CredentialsError,
    InvalidParameterError,
    NetworkError,
    PresignError,
    ResourceFailedError,
    ResourceNotFoundError,
    ResourceNotInServiceError,
    ServiceError,
    UnexpectedResponseError,
    WaitTimeoutError,
)
from ._lifecycle import DEFAULT_POLL_INTERVAL, wait_seconds
from ._progress import Progress
from ._redact import clean
from ._validation import validate_notebook_instance_name, validate_session_duration

if TYPE_CHECKING:
    from ._client import PresignClient
    from ._result import PresignedUrl

__all__ = ["ExitCode", "build_parser", "main", "parse_duration"]
LOCAL_POLL_INTERVAL = timedelta(seconds=0.5)


class ExitCode(IntEnum):
    """The command's exit statuses; each failure class has its own."""

    OK = 0
    #: An error none of the codes below describes.
    FAILURE = 1
    #: Invalid arguments or parameters; nothing was sent.
    USAGE = 2
    #: What was named (notebook instance, user profile, tracking server...) does not exist.
    NOT_FOUND = 3
    #: Credentials missing or refused, or access denied.
    AUTH = 4
    #: Throttling, network failure, or the service failed or answered oddly.
    SERVICE = 5
    #: No region, an unknown profile or a bad endpoint URL.
    CONFIGURATION = 6
    #: Stopped (and --start was not given) or being deleted.
    NOT_IN_SERVICE = 7
    #: Failed (the reason is in the message).
    INSTANCE_FAILED = 8
    #: Not ready before --timeout.
    TIMED_OUT = 9
    #: Interrupted (Ctrl-C).
    INTERRUPTED = 130


#: Our exceptions -> exit codes; the raised exception's most specific class listed wins.
_EXIT_CODES: dict[type[PresignError], ExitCode] = {
    InvalidParameterError: ExitCode.USAGE,
    ResourceNotFoundError: ExitCode.NOT_FOUND,
    CredentialsError: ExitCode.AUTH,
    AccessDeniedError: ExitCode.AUTH,
    ServiceError: ExitCode.SERVICE,
    NetworkError: ExitCode.SERVICE,
    UnexpectedResponseError: ExitCode.SERVICE,
    ConfigurationError: ExitCode.CONFIGURATION,
    ResourceNotInServiceError: ExitCode.NOT_IN_SERVICE,
    ResourceFailedError: ExitCode.INSTANCE_FAILED,
    WaitTimeoutError: ExitCode.TIMED_OUT,
}


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
    args = _parse(parser, sys.argv[1:] if argv is None else argv)
    _check_combinations(parser, args)
    _log_to_stderr(args.verbose)
    if args.door == "list":
        return _list(args)
    if args.door == "serve":
        from ._cli_serve import run_server

        turn_long_lived()  # a server lives long: its garbage must be collected
        return run_server(parser, args, _client_for)
    progress = None
    if not (args.json or args.quiet) and sys.stderr is not None:
        progress = Progress(sys.stderr, _target(args), tty=sys.stderr.isatty())
    try:
        result = _run(args, progress)
    except PresignError as exc:
        return _fail(str(exc), _exit_code(exc), progress)
    except KeyboardInterrupt:
        return _fail("interrupted", ExitCode.INTERRUPTED, progress)
    if progress is not None:
        progress.close()
    if not args.quiet:
        problem = write_result(result, as_json=args.json)
        if problem is not None:
            return _fail(f"cannot write the URL to stdout: {problem}", ExitCode.FAILURE, None)
    if args.copy:
        problem = copy_to_clipboard(result.url)
        if problem is not None and sys.stderr is not None:
            sys.stderr.write(f"{PROG}: warning: {problem}\n")
    if args.open:
        open_in_browser(result)
    return ExitCode.OK


def _parse(parser: argparse.ArgumentParser, argv: Sequence[str]) -> argparse.Namespace:
    """Parse, letting a notebook NAME that starts with "-" reach the name rule instead of
    argparse's "unrecognized arguments" (names never start with a hyphen; the rule says why)."""
    args, extras = parser.parse_known_args(normalize(argv))
    if extras:
        if (
            args.door == "notebook"
            and args.name is None
            and len(extras) == 1
            and extras[0].startswith("-")
        ):
            try:
                validate_notebook_instance_name(extras[0])
            except InvalidParameterError as exc:
                parser.error(str(exc))
        parser.error(f"unrecognized arguments: {' '.join(extras)}")
    if args.door == "notebook" and args.name is None and not interactive():
        parser.error("the following arguments are required: NAME (on a terminal: pick one)")
    return args


def _list(args: argparse.Namespace) -> int:
    """``sagemaker-presign list [notebook|studio|mlflow]``: exit 0 with an empty table too."""
    try:
        with _client_for(args) as (client, _):
            rows = rows_for(client, args.what, args.status, args.name_contains)
    except PresignError as exc:
        return _fail(str(exc), _exit_code(exc), None)
    try:
        print_rows(rows, as_json=args.json)
    except (OSError, ValueError) as exc:
        return _fail(f"cannot write the list to stdout: {exc}", ExitCode.FAILURE, None)
    return ExitCode.OK


def _target(args: argparse.Namespace) -> str:
    """What the command is about, for the progress line."""
    if args.door == "studio":
        return str(args.space or args.user_profile or args.domain)
    return str(getattr(args, "name", None) or getattr(args, "arn", ""))


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
    if args.door == "studio" and args.path is not None and args.app is None:
        parser.error("--path goes with --app (or write the whole --landing-uri)")
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


def _run(args: argparse.Namespace, progress: Progress | None) -> PresignedUrl:
    """Check the arguments, get the client, wait if asked, presign."""
    from ._studio import LandingUri

    seconds = validate_session_duration(args.duration)
    _check_identifiers(args)  # bad input is an error before any client is built
    with _client_for(args) as (client, default_poll_interval):
        wait: dict[str, object] = {}
        if getattr(args, "wait", False):
            turn_long_lived()  # a wait may poll for half an hour
            wait = {
                "timeout": args.timeout or _DEFAULT_TIMEOUTS[args.door],
                "poll_interval": args.poll_interval or default_poll_interval,
                "on_status": None if progress is None else progress.on_status,
                "sleep": time.sleep if progress is None else progress.sleep,
            }
        if args.door == "notebook":
            name = pick_notebook(client) if args.name is None else args.name
            if wait:
                client.wait_until_in_service(name, start=args.start, **wait)  # type: ignore[arg-type]
            return client.create_presigned_url(
                name, session_duration=seconds, landing_path=args.path
            )
        if args.door == "studio":
            domain = client.resolve_domain_id(args.domain)
            profile = args.user_profile or pick_profile(client, domain)
            space = pick_space(client, domain, profile) if args.space == PICK else args.space
            landing = args.landing_uri
            if args.app is not None:
                landing = LandingUri.app(STUDIO_APPS[args.app], args.path or "")
            if wait:
                client.wait_until_studio_ready(
                    domain,
                    profile,
                    space_name=space,
                    **wait,  # type: ignore[arg-type]
                )
            return client.create_presigned_domain_url(
                domain,
                profile,
                space_name=space,
                landing_uri=landing,
                session_duration=seconds,
                expires_in=args.expires_in,
            )
        if args.door == "mlflow":
            if wait:
                client.wait_until_mlflow_tracking_server_ready(args.name, start=args.start, **wait)  # type: ignore[arg-type]
            return client.create_presigned_mlflow_tracking_server_url(
                args.name, session_duration=seconds, expires_in=args.expires_in
            )
        presign = (
            client.create_presigned_mlflow_app_url
            if args.door == "mlflow-app"
            else client.create_partner_app_presigned_url
        )
        return presign(args.arn, session_duration=seconds, expires_in=args.expires_in)


def _check_identifiers(args: argparse.Namespace) -> None:
    from ._mlflow import check_mlflow_app_arn, check_server_name
    from ._partner_app import check_partner_app_arn
    from ._studio import check_domain_id, check_landing_uri, check_profile_or_space

    if args.door == "notebook":
        if args.name is not None:
            validate_notebook_instance_name(args.name)
    elif args.door == "studio":
        if args.domain.startswith("d-"):  # an ID; anything else is a domain's name
            check_domain_id(args.domain)
        if args.user_profile is not None:
            check_profile_or_space(args.user_profile, "user profile name")
        if args.space not in (None, PICK):
            check_profile_or_space(args.space, "space name")
        if args.landing_uri is not None:
            check_landing_uri(args.landing_uri)
    elif args.door == "mlflow":
        check_server_name(args.name)
    elif args.door == "mlflow-app":
        check_mlflow_app_arn(args.arn)
    elif args.door == "partner-app":
        check_partner_app_arn(args.arn)


#: How long --wait waits by default, per door.
_DEFAULT_TIMEOUTS = {"notebook": 1200, "studio": 600, "mlflow": 1800}


@contextmanager
def _client_for(
    args: argparse.Namespace,
) -> Generator[tuple[PresignClient, timedelta], None, None]:
    """The client to use, and the poll interval that suits it."""
    if not args.local:
        from ._client import PresignClient

        with PresignClient(
            region_name=args.region, profile_name=args.profile, endpoint_url=args.endpoint_url
        ) as client:
            yield client, DEFAULT_POLL_INTERVAL
        return
    from ._cli_local import local_sagemaker

    with local_sagemaker(args) as sagemaker, sagemaker.client() as client:
        yield client, LOCAL_POLL_INTERVAL


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
