"""The console script's compiled regular expressions, kept from one run to the next.

A cold ``sagemaker-presign`` run compiles about a hundred regular expressions: urllib3's URL
grammar (its IPv6 patterns alone take ~4 ms), botocore's, the standard library's. ``re``
compiles a pattern in Python (a parser, then a code generator) into a list of integers for its
C engine, and caches the result for the life of the process only: every run paid again, about
6% of the whole run, for the same output.

So the console script keeps that output. While it runs, `start` has ``re``'s compiler note
what it hands to the C engine (``_sre.compile``) for each new pattern; `finish` writes the notes
into the cache folder, in a file per interpreter build. The next run hands the notes straight to
``_sre.compile``, which validates the code it is given, and puts the patterns in ``re``'s own
cache, where ``re.compile`` finds them: the very objects ``re`` would have built (equal to them,
code included), only sooner.

It runs only in the console script, which owns its process, on CPython, with ``re`` shaped as
it is from 3.10 to 3.13; otherwise, or on any error, ``re`` is left alone. A missing, damaged or
unwritable file costs nothing but the time saved. ``SAGEMAKER_PRESIGN_NO_REGEX_CACHE=1`` turns
it off.
"""

from __future__ import annotations

import marshal
import os
import re
import sys
from typing import Any, cast

from ._cache_dir import cache_root, is_private

__all__ = ["DISABLE_VARIABLE", "MAX_PATTERNS", "finish", "start"]

DISABLE_VARIABLE = "SAGEMAKER_PRESIGN_NO_REGEX_CACHE"
#: At most this many patterns are kept: ``re``'s own cache holds 512.
MAX_PATTERNS = 300

# One note: (is_bytes, pattern, flags as re._cache keys them, the rest of _sre.compile's
# arguments: final flags, code, groups, groupindex, indexgroup).
_Note = tuple[bool, Any, int, tuple[int, list[int], int, dict[Any, int], tuple[Any, ...]]]


class _Recorder:
    """Stands for ``_sre`` in re's compiler: passes every call through, and keeps the
    arguments of each ``compile`` with the pattern it made."""

    def __init__(self, engine: Any) -> None:
        self.engine = engine
        self.made: dict[int, tuple[object, tuple[Any, ...]]] = {}

    def compile(self, *arguments: Any) -> Any:
        pattern = self.engine.compile(*arguments)
        self.made[id(pattern)] = (pattern, arguments)
        return pattern

    def __getattr__(self, name: str) -> Any:
        return getattr(self.engine, name)


class _Run:
    """What `start` set up, for `finish`."""

    def __init__(
        self, compiler: Any, recorder: _Recorder, path: str, kept: list[_Note], dropped: bool
    ) -> None:
        self.compiler = compiler
        self.recorder = recorder
        self.path = path
        self.kept = kept
        self.dropped = dropped


_current: list[_Run] = []


def start() -> int:
    """Fill ``re``'s cache from the notes of earlier runs, and note what this run compiles.
    Returns how many patterns came from the notes."""
    if _current or os.environ.get(DISABLE_VARIABLE) or sys.implementation.name != "cpython":
        return 0
    compiler = _compiler()
    if compiler is None:
        return 0
    try:
        path = _notes_path(compiler._sre)
    except Exception:  # no home folder, say: nothing to read or write
        return 0
    notes = _read(path)
    kept = _prefill(notes, compiler._sre)
    recorder = _Recorder(compiler._sre)
    compiler._sre = recorder
    _current.append(_Run(compiler, recorder, path, kept, dropped=len(kept) < len(notes)))
    return len(kept)


def finish() -> None:
    """Stop noting; if this run compiled patterns the notes lacked, or found notes that did
    not check out, write the notes again."""
    if not _current:
        return
    run = _current.pop()
    if run.compiler._sre is run.recorder:
        run.compiler._sre = run.recorder.engine
    try:
        new = _notes_of(run.recorder)
        if new or run.dropped:
            renewed = {note[:3] for note in new}
            old = [note for note in run.kept if note[:3] not in renewed]
            _write(run.path, (old + new)[-MAX_PATTERNS:])
    except Exception:  # noqa: S110 - unwritten notes: the next run compiles as usual
        pass


def _compiler() -> Any:
    """re's compiler module (``re._compiler`` from 3.11, ``sre_compile`` before), if it, and
    ``re``'s cache, are shaped as known."""
    compiler = sys.modules.get("re._compiler") or sys.modules.get("sre_compile")
    engine = getattr(compiler, "_sre", None)
    if (
        not isinstance(getattr(re, "_cache", None), dict)
        or isinstance(engine, _Recorder)
        or not callable(getattr(engine, "compile", None))
        or not isinstance(getattr(engine, "MAGIC", None), int)
    ):
        return None
    return compiler


def _notes_path(engine: Any) -> str:
    """One file per interpreter build and engine version; `_read` also checks sys.version."""
    build = f"{sys.implementation.cache_tag}-{sys.hexversion:x}-{engine.MAGIC}"
    return os.path.join(cache_root(), f"regex-{build}.marshal")


def _read(path: str) -> list[_Note]:
    try:
        with open(path, "rb") as stream:
            # Patterns decide what gets redacted and which answers are refused: only notes
            # that are the user's own, and that no one else could have written, are read.
            if not is_private(os.fstat(stream.fileno())):
                return []
            interpreter, notes = marshal.load(stream)  # noqa: S302
    except (OSError, ValueError, EOFError, TypeError):
        return []
    if interpreter != sys.version or not isinstance(notes, list):
        return []
    return cast("list[_Note]", notes)


def _prefill(notes: list[_Note], engine: Any) -> list[_Note]:
    """Put the patterns of *notes* in ``re``'s cache; return the notes that check out (a note
    that does not, ``_sre``'s own validation of its code included, is dropped)."""
    cache: dict[tuple[type, Any, int], Any] = vars(re)["_cache"]
    kept: list[_Note] = []
    for note in notes:
        try:
            is_bytes, pattern, flags, arguments = note
            kind = bytes if is_bytes else str
            if type(pattern) is not kind or type(flags) is not int:
                continue
            key = (kind, pattern, flags)
            if key not in cache:
                cache[key] = engine.compile(pattern, *arguments)
            kept.append(note)
        except Exception:  # noqa: S112 - a damaged note: that pattern is compiled as usual
            continue
    return kept


def _notes_of(recorder: _Recorder) -> list[_Note]:
    """Notes for the patterns this run compiled that ``re`` still caches, oldest first."""
    cache: dict[tuple[type, Any, int], Any] = vars(re)["_cache"]
    notes: list[_Note] = []
    for (kind, pattern, flags), compiled in list(cache.items()):
        made = recorder.made.get(id(compiled))
        if made is None or made[0] is not compiled or kind not in (str, bytes):
            continue
        final_flags, code, groups, groupindex, indexgroup = made[1][1:]
        # The compiler's opcodes are int subclasses, which marshal refuses; _sre reads ints.
        arguments = (
            int(final_flags),
            [int(word) for word in code],
            int(groups),
            dict(groupindex),
            tuple(indexgroup),
        )
        # int(): the key's flags may be an int subclass (3.13's re._ZeroSentinel for "none
        # given"); it hashes and compares as the int, so a plain int finds the same entry.
        notes.append((kind is bytes, pattern, int(flags), arguments))
    return notes


def _write(path: str, notes: list[_Note]) -> None:
    temporary = f"{path}.{os.getpid()}.tmp"
    try:
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "wb") as stream:
            marshal.dump((sys.version, notes), stream)
        os.replace(temporary, path)  # atomic: a concurrent run reads the old file or this one
    finally:
        if os.path.exists(temporary):
            os.unlink(temporary)
