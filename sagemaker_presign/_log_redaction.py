"""Keep secrets out of the log records botocore and urllib3 emit during our calls.

At DEBUG, botocore logs the signed request (``Authorization: ... Signature=...``,
``X-Amz-Security-Token``), its canonical request and signature, and the raw response body,
the presigned URL and its token included. During one of our calls, a filter on those loggers
renders each record and scrubs it (`scrub`) before any handler sees it. Records emitted
outside our calls, by the application's own use of botocore, are left exactly as they are:
a context variable tells the two apart, and it follows our calls into worker threads.

A logger filter only sees records created at its own logger, not those propagated from its
children, so the filter goes on every botocore/urllib3 logger there is, and on new ones as
they appear (a logger created lazily is caught on the next call; the ones that log secrets
are created up front below).
"""

from __future__ import annotations

import logging
from contextvars import ContextVar, Token

from ._redact import scrub

_ACTIVE: ContextVar[bool] = ContextVar("sagemaker_presign_redacting", default=False)
_FAMILIES = ("botocore", "boto3", "urllib3", "sagemaker_presign")
# The loggers that write secrets today; made now so that their first record is filtered.
_KNOWN = (
    "botocore.auth",
    "botocore.endpoint",
    "botocore.parsers",
    "botocore.hooks",
    "botocore.httpsession",
    "botocore.retryhandler",
    "botocore.retries.standard",
    "urllib3.connectionpool",
)


class RedactingFilter(logging.Filter):
    """Cleans each record emitted while one of our calls runs; passes every record on."""

    def filter(self, record: logging.LogRecord) -> bool:
        if _ACTIVE.get():
            redact_record(record)
        return True


def redact_record(record: logging.LogRecord) -> None:
    """Replace the record's message, exception text and stack with cleaned renderings."""
    try:
        message = record.getMessage()
    except Exception:  # a malformed record: keep none of its arguments
        message = str(record.msg)
    record.msg, record.args = scrub(message), None
    if record.exc_info:
        record.exc_text = scrub(logging.Formatter().formatException(record.exc_info))
        record.exc_info = None
    elif record.exc_text:
        record.exc_text = scrub(record.exc_text)
    if record.stack_info:
        record.stack_info = scrub(record.stack_info)


_FILTER = RedactingFilter()
_attached_at = -1  # how many loggers existed when the filter was last spread


def _spread() -> None:
    global _attached_at  # noqa: PLW0603 - one process-wide set of loggers
    manager = logging.Logger.manager
    for name in _KNOWN:
        logging.getLogger(name)
    for name, logger in list(manager.loggerDict.items()):
        if (
            isinstance(logger, logging.Logger)
            and name.partition(".")[0] in _FAMILIES
            and _FILTER not in logger.filters
        ):
            logger.addFilter(_FILTER)
    _attached_at = len(manager.loggerDict)


def start_redacting() -> Token[bool]:
    """From now until `stop_redacting`, botocore's log records are cleaned of secrets (in
    this context: other threads' and tasks' calls are not ours). A pair of calls rather than
    a context manager: this is on every call's path."""
    if len(logging.Logger.manager.loggerDict) != _attached_at:  # a logger appeared since
        _spread()
    return _ACTIVE.set(True)


def stop_redacting(token: Token[bool]) -> None:
    _ACTIVE.reset(token)
