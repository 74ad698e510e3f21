"""Keep secrets out of the log records botocore and urllib3 emit during our calls.

At DEBUG, botocore logs the signed request (``Authorization: ... Signature=...``,
``X-Amz-Security-Token``), its canonical request and signature, and the raw response body,
the presigned URL and its token included. During one of our calls, a filter on those loggers
renders each record and scrubs it (`scrub`) before any handler sees it. Records emitted
outside our calls, by the application's own use of botocore, are left exactly as they are.
A record is ours when `call_redacted` is on the stack of the thread that creates it: our
calls run botocore in the calling thread (or in the worker thread the async client or a
wait hands them to, `call_redacted` included), and botocore logs in the thread it runs in.
The check costs a walk up the stack per record and nothing per call; a flag set and reset
around each call (a context variable, as before) cost every call ~2 us of a warm presign's
~750 us on loopback, most of it cold caches right after botocore's own work.

A logger filter only sees records created at its own logger, not those propagated from its
children, so the filter goes on every botocore/urllib3 logger there is, and on new ones as
they appear (a logger created lazily is caught on the next call; the ones that log secrets
are created up front below).
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from ._redact import scrub

if TYPE_CHECKING:
    from types import FrameType

T = TypeVar("T")
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
        if _inside_call_redacted():
            redact_record(record)
        return True


def _inside_call_redacted() -> bool:
    frame: FrameType | None = sys._getframe(1)  # pyright: ignore[reportPrivateUsage]
    while frame is not None:
        if frame.f_code is _CALL_REDACTED:
            return True
        frame = frame.f_back
    return False


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


def call_redacted(method: Callable[..., T], params: Mapping[str, Any]) -> T:
    """``method(**params)``, the log records botocore creates in this thread meanwhile cleaned
    of secrets (those of other threads are not ours)."""
    if len(logging.Logger.manager.loggerDict) != _attached_at:  # a logger appeared since
        _spread()
    return method(**params)


_CALL_REDACTED = call_redacted.__code__
