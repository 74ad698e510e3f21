"""The command's exit statuses, which exception gets which, and the one-line error."""

from __future__ import annotations

import contextlib
import sys
from enum import IntEnum

from sagemaker_presign._exceptions import (
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
from sagemaker_presign._progress import Progress
from sagemaker_presign._redact import clean

from ._flags import PROG


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
EXIT_CODES: dict[type[PresignError], ExitCode] = {
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


def exit_code(exc: PresignError) -> ExitCode:
    return next(
        (EXIT_CODES[klass] for klass in type(exc).__mro__ if klass in EXIT_CODES),
        ExitCode.FAILURE,
    )


def interrupted(progress: Progress | None) -> int:
    """Ctrl-C: one clean line. The terminal echoed ``^C`` where the cursor stood, so a line
    of our own starts after it (a redrawn progress line is ended first)."""
    with contextlib.suppress(OSError, ValueError, AttributeError):
        if progress is not None:
            progress.close()
        elif sys.stderr is not None and sys.stderr.isatty():
            sys.stderr.write("\n")
    return fail("interrupted", ExitCode.INTERRUPTED, None)


def fail(message: str, code: ExitCode, progress: Progress | None) -> int:
    with contextlib.suppress(OSError, ValueError):
        if progress is not None:
            progress.close()
        if sys.stderr is not None:
            # One line, whatever the message held, and nothing secret or raw in it.
            sys.stderr.write(f"{PROG}: error: {' '.join(clean(message).split())}\n")
            sys.stderr.flush()
    return code
