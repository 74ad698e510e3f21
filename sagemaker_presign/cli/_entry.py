"""The console script's entry point: the command's short life without the interpreter's
clean-up costs.

A one-URL run allocates a few hundred thousand objects while importing botocore and building a
client, and the cyclic garbage collector walks them again and again for nothing: the process
ends a moment later. At exit, tearing down ~300 modules costs about as much as the call itself.
So the command runs with the cyclic GC off and, once its output is flushed, ends with
``os._exit``, keeping its exit status. Long-lived modes (``serve``, waits) turn the GC back on
(`turn_long_lived`). Nothing else: the command touches no module it does not own.
``main()`` itself, as called from Python, is untouched by any of this.
"""

from __future__ import annotations

import gc
import os
import sys
from collections.abc import Callable
from typing import NoReturn

__all__ = ["run", "turn_long_lived"]

#: The exit status when stdout or stderr cannot be flushed at the end (ExitCode.FAILURE).
_FLUSH_FAILED = 1
#: "paused": whether `run` turned the GC off (and `turn_long_lived` has not turned it back on).
gc_state = {"paused": False}


def run() -> NoReturn:
    """``sagemaker-presign``: run the command, flush, and leave without the teardown."""
    if gc.isenabled():
        gc.disable()
        gc_state["paused"] = True
    os._exit(_flushed(_status_of(_main)))


def turn_long_lived() -> None:
    """End the one-shot shortcut for a mode that lives long (``serve``, waits): turn the
    cyclic GC back on, with what is alive so far frozen out of its reach (start-up objects live
    until the end anyway). Touches the GC only if `run` paused it: ``main()`` called from an
    application leaves the application's GC alone."""
    if gc_state["paused"]:
        gc_state["paused"] = False
        gc.freeze()
        gc.enable()


def _main() -> int:
    from ._main import main

    return main(long_lived=turn_long_lived)


def _status_of(command: Callable[[], int]) -> int:
    """The exit status *command* ends with, SystemExit (argparse's usage errors, --help)
    included, as the interpreter would compute it."""
    try:
        return int(command())
    except SystemExit as exc:
        if exc.code is None:
            return 0
        if isinstance(exc.code, int):
            return exc.code
        _write_stderr(f"{exc.code}\n")  # what sys.exit("message") prints
        return 1


def _flushed(code: int) -> int:
    """Flush stdout and stderr (os._exit skips it); a stdout that cannot take the output turns
    success into failure with one line on stderr, never a traceback."""
    try:
        if sys.stdout is not None:
            sys.stdout.flush()
    except (OSError, ValueError) as exc:
        _write_stderr(f"sagemaker-presign: error: cannot write to stdout: {exc}\n")
        code = code or _FLUSH_FAILED
    _write_stderr("")
    return code


def _write_stderr(text: str) -> None:
    try:
        if sys.stderr is not None:
            sys.stderr.write(text)
            sys.stderr.flush()
    except (OSError, ValueError):
        pass  # nowhere left to say anything
