"""Client-side checks of the request's two parameters, so bad input never leaves the machine.

botocore enforces neither the name pattern nor the maximums (see the reference notes), so
these functions are the only thing standing between a typo and a round trip.
"""

from __future__ import annotations

import re
from datetime import timedelta

from ._constants import MAX_NAME_LENGTH, MAX_SESSION_DURATION, MIN_SESSION_DURATION
from ._exceptions import InvalidNotebookInstanceNameError, InvalidSessionDurationError

# The service's pattern, anchored at both ends; [a-zA-Z0-9] rather than \w keeps it ASCII-only.
_NAME_PATTERN = re.compile(r"[a-zA-Z0-9](-*[a-zA-Z0-9])*")
_MIN_SECONDS = int(MIN_SESSION_DURATION.total_seconds())
_MAX_SECONDS = int(MAX_SESSION_DURATION.total_seconds())


def validate_notebook_instance_name(name: str) -> str:
    """Return *name* unchanged if SageMaker would accept it as a notebook instance name.

    Raises:
        TypeError: *name* is not a str.
        InvalidNotebookInstanceNameError: the message names the rule that was broken.
    """
    if not isinstance(name, str):  # pyright: ignore[reportUnnecessaryIsInstance]
        raise TypeError(f"notebook instance name must be a str, not {type(name).__name__}")
    if len(name) <= MAX_NAME_LENGTH and _NAME_PATTERN.fullmatch(name):
        return name  # the common case, in one regex call
    # The pattern decides; the rules only explain. None of them should be left to say nothing.
    rule = _broken_name_rule(name) or f"it must match the pattern {_NAME_PATTERN.pattern}"
    raise InvalidNotebookInstanceNameError(
        f"invalid notebook instance name {name[:80]!r}: {rule}",
        notebook_instance_name=name,
    )


def _broken_name_rule(name: str) -> str | None:
    """Say which rule an invalid *name* breaks, most basic rule first."""
    if not name:
        return "it must not be empty"
    if len(name) > MAX_NAME_LENGTH:
        return f"it must be at most {MAX_NAME_LENGTH} characters long, not {len(name)}"
    bad = next((c for c in name if not (c.isascii() and (c.isalnum() or c == "-"))), None)
    if bad is not None:
        return f"only ASCII letters, digits and hyphens are allowed, not {bad!r}"
    if name.startswith("-") or name.endswith("-"):
        return "it must start and end with a letter or digit, not a hyphen"
    return None


def validate_session_duration(duration: int | timedelta | None) -> int | None:
    """Return the Jupyter session length in whole seconds, or None for the service default (12 h).

    Accepts an int number of seconds or a timedelta of whole seconds, from 1800 (30 min)
    to 43200 (12 h) inclusive.

    Raises:
        TypeError: *duration* is a bool, float, str or any other type.
        InvalidSessionDurationError: out of range, or a timedelta with a fraction of a second.
    """
    if duration is None:
        return None
    # bool is an int subclass: True would silently mean one second.
    if isinstance(duration, bool) or not isinstance(duration, (int, timedelta)):  # pyright: ignore[reportUnnecessaryIsInstance]
        raise TypeError(
            "session duration must be an int number of seconds or a timedelta, "
            f"not {type(duration).__name__}"
        )
    if isinstance(duration, timedelta):
        if duration.microseconds:
            raise InvalidSessionDurationError(
                f"session duration must be whole seconds, not {duration.total_seconds()} s"
            )
        seconds = duration.days * 86400 + duration.seconds
    else:
        seconds = int(duration)
    if not _MIN_SECONDS <= seconds <= _MAX_SECONDS:
        # A number of thousands of digits cannot even be printed (int max str digits).
        shown = f"{seconds} s" if abs(seconds) < 10**15 else "a number that large"
        raise InvalidSessionDurationError(
            f"session duration must be from {_MIN_SECONDS} s (30 min) to {_MAX_SECONDS} s (12 h) "
            f"inclusive, not {shown}"
        )
    return seconds
