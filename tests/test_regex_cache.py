"""The console script's regex notes (`_regex_cache`), as structural facts: patterns rebuilt from
the notes equal those ``re`` compiles (code included), a run that finds them all writes nothing,
and a damaged, foreign or unwritable notes file, or an unknown ``re``, only costs the time saved.
Each case runs in a fresh interpreter, as the console script does."""

from __future__ import annotations

import glob
import json
import marshal
import os
import re
import subprocess
import sys
import textwrap
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TypedDict, cast

import pytest

from sagemaker_presign import _regex_cache
from sagemaker_presign.testing import LocalSageMaker

from .support import NOTEBOOK

# Patterns of every kind the notes must carry: str and bytes, flags given and inline, named and
# numbered groups, lookarounds, non-ASCII text, LOCALE (bytes only), a verbose one.
PATTERNS: list[tuple[str | bytes, int]] = [
    (r"(?P<year>\d{4})-(?P<month>\d\d)", 0),
    (r"^\s*(?:[a-z]+|\d+)\s*$", int(re.IGNORECASE | re.MULTILINE)),
    (rb"(?<=k)ey=(\w+)(?!x)", 0),
    (rb"\w+", int(re.LOCALE)),
    ("(?i)stra\u00dfe|\u00e9t\u00e9", 0),
    ("(?x) a  b # comment\n c", 0),
    (r"(a)|(b)|(?P<c>c)\3?", int(re.DOTALL)),
]

DRIVER = """
import json, re, sys
from sagemaker_presign import _regex_cache
loaded = _regex_cache.start()
compiler = sys.modules.get("re._compiler") or sys.modules["sre_compile"]
recorder = compiler._sre
patterns = [(p.encode("latin-1") if b else p, f) for p, b, f in json.loads(sys.argv[1])]
compiled = [re.compile(p, f) for p, f in patterns]
fresh = [compiler.compile(p, f) for p, f in patterns]  # re's compiler itself, past its cache
newly = len(getattr(recorder, "made", patterns)) - len(patterns)  # fresh ones are noted too
facts = {
    "loaded": loaded,
    "compiled_anew": newly,
    "equal": [c == f and c.groupindex == f.groupindex and c.groups == f.groups
              for c, f in zip(compiled, fresh)],
    "same_class": all(type(c) is type(f) for c, f in zip(compiled, fresh)),
}
_regex_cache.finish()
facts["engine_restored"] = compiler._sre is not recorder
print(json.dumps(facts))
"""


class Facts(TypedDict):
    loaded: int
    compiled_anew: int
    equal: list[bool]
    same_class: bool
    engine_restored: bool


def drive(
    cache: Path,
    patterns: Sequence[tuple[str | bytes, int]] = PATTERNS,
    env: Mapping[str, str] | None = None,
) -> Facts:
    encoded = [
        (p.decode("latin-1") if isinstance(p, bytes) else p, isinstance(p, bytes), f)
        for p, f in patterns
    ]
    proc = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(DRIVER), json.dumps(encoded)],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "XDG_CACHE_HOME": str(cache), **(env or {})},
        check=True,
    )
    return cast("Facts", json.loads(proc.stdout))


def notes_file(cache: Path) -> Path:
    found = glob.glob(str(cache / "sagemaker-presign" / "regex-*.marshal"))
    assert len(found) == 1, found
    return Path(found[0])


def test_the_notes_rebuild_the_patterns_re_would_compile(tmp_path: Path) -> None:
    first = drive(tmp_path)
    assert first["loaded"] == 0
    assert first["compiled_anew"] == len(PATTERNS)
    assert all(first["equal"])
    written = notes_file(tmp_path).read_bytes()

    second = drive(tmp_path)
    assert second["loaded"] >= len(PATTERNS)  # the driver's own imports' patterns come too
    assert second["compiled_anew"] == 0  # every pattern came from the notes...
    assert all(second["equal"])  # ...equal to re's own compile: flags, groups, code
    assert second["same_class"]
    assert second["engine_restored"]
    assert notes_file(tmp_path).read_bytes() == written  # nothing new: nothing written


def test_a_run_with_new_patterns_adds_to_the_notes(tmp_path: Path) -> None:
    drive(tmp_path, PATTERNS[:3])
    facts = drive(tmp_path, PATTERNS)
    assert facts["compiled_anew"] == len(PATTERNS) - 3
    assert drive(tmp_path, PATTERNS)["compiled_anew"] == 0
    assert drive(tmp_path, PATTERNS[:3])["compiled_anew"] == 0  # the old ones were kept


def test_flags_of_an_int_subclass_are_noted_as_ints(tmp_path: Path) -> None:
    # Python 3.13 keys re's cache with re._ZeroSentinel when no flags are given: an int
    # subclass, which marshal refuses. The notes hold the int; the lookup finds it all the same.
    code = """
    import re, sys
    from sagemaker_presign import _regex_cache
    class Flags(int):
        pass
    loaded = _regex_cache.start()
    compiler = sys.modules.get("re._compiler") or sys.modules["sre_compile"]
    recorder = compiler._sre
    pattern = re.compile("int-subclass-flags+", Flags(re.IGNORECASE))
    print(loaded, len(recorder.made), pattern.flags & re.IGNORECASE == re.IGNORECASE)
    _regex_cache.finish()
    """
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path)}

    def run() -> list[str]:
        command = [sys.executable, "-c", textwrap.dedent(code)]
        proc = subprocess.run(command, capture_output=True, text=True, env=env, check=True)
        return proc.stdout.split()

    first = run()
    assert first[1:] == ["1", "True"]  # compiled (and noted) on the first run
    second = run()
    assert int(second[0]) >= 1
    assert second[1:] == ["0", "True"]  # found in the notes on the second


def test_the_notes_are_bounded(tmp_path: Path) -> None:
    many = [(f"x{n}y+", 0) for n in range(_regex_cache.MAX_PATTERNS + 40)]
    drive(tmp_path, many)
    _, notes = marshal.loads(notes_file(tmp_path).read_bytes())
    assert len(notes) == _regex_cache.MAX_PATTERNS


@pytest.mark.parametrize(
    "damage",
    ["garbage", "truncated", "other interpreter", "not a list", "wrong types", "invalid code"],
)
def test_damaged_notes_are_ignored_and_rewritten(tmp_path: Path, damage: str) -> None:
    drive(tmp_path)
    path = notes_file(tmp_path)
    interpreter, notes = marshal.loads(path.read_bytes())
    first = notes[0]
    damaged = {
        "garbage": b"\x00not marshal at all\xff" * 10,
        "truncated": path.read_bytes()[:1000],
        "other interpreter": marshal.dumps(("Python 0.1", notes)),
        "not a list": marshal.dumps((interpreter, {"a": 1})),
        "wrong types": marshal.dumps((interpreter, [(False, 42, "flags", ())])),
        # _sre validates the code it is given: code for no pattern at all is refused.
        "invalid code": marshal.dumps(
            (interpreter, [(*first[:3], (first[3][0], [999_999, 1, 2], *first[3][2:]))])
        ),
    }[damage]
    path.write_bytes(damaged)
    facts = drive(tmp_path)
    assert facts["loaded"] == 0
    assert all(facts["equal"])  # compiled as usual
    assert drive(tmp_path)["compiled_anew"] == 0  # and the notes were written again, whole


def test_notes_others_could_write_are_not_read(tmp_path: Path) -> None:
    # Patterns decide what is redacted and which answers are refused.
    drive(tmp_path)
    notes_file(tmp_path).chmod(0o664)
    facts = drive(tmp_path)
    assert facts["loaded"] == 0
    assert all(facts["equal"])
    assert notes_file(tmp_path).stat().st_mode & 0o077 == 0  # written again, private
    assert drive(tmp_path)["compiled_anew"] == 0


def test_turned_off_by_the_environment(tmp_path: Path) -> None:
    facts = drive(tmp_path, env={_regex_cache.DISABLE_VARIABLE: "1"})
    assert facts["loaded"] == 0
    assert all(facts["equal"])
    assert not (tmp_path / "sagemaker-presign").exists()


def test_an_unwritable_cache_folder_costs_nothing_but_time(tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    facts = drive(blocker)
    assert facts["loaded"] == 0
    assert all(facts["equal"])


def test_an_unknown_re_is_left_alone(monkeypatch: pytest.MonkeyPatch) -> None:
    compiler = sys.modules.get("re._compiler") or sys.modules["sre_compile"]
    engine = compiler._sre
    monkeypatch.setattr(re, "_cache", None, raising=False)  # say, a future re with no dict
    assert _regex_cache.start() == 0
    assert compiler._sre is engine
    monkeypatch.undo()

    class Engine:  # an _sre without the attributes we know
        compile = engine.compile

    monkeypatch.setattr(compiler, "_sre", Engine())
    assert _regex_cache.start() == 0
    assert isinstance(compiler._sre, Engine)


def test_the_console_script_keeps_its_notes(tmp_path: Path) -> None:
    env = {
        **os.environ,
        "XDG_CACHE_HOME": str(tmp_path),
        "AWS_ACCESS_KEY_ID": "x",
        "AWS_SECRET_ACCESS_KEY": "x",
        "AWS_DEFAULT_REGION": "us-east-1",
    }
    with LocalSageMaker() as local:
        local.add_notebook_instance(NOTEBOOK)
        command = [
            sys.executable,
            "-m",
            "sagemaker_presign",
            "--endpoint-url",
            local.endpoint_url,
            NOTEBOOK,
        ]
        runs = [subprocess.run(command, env=env, capture_output=True, timeout=60, check=False)]
        written = notes_file(tmp_path).read_bytes()
        runs.append(subprocess.run(command, env=env, capture_output=True, timeout=60, check=False))
    assert [run.returncode for run in runs] == [0, 0]
    assert all(run.stdout.startswith(b"https://") for run in runs)
    assert notes_file(tmp_path).read_bytes() == written  # the second run found every pattern


def test_long_lived_modes_stop_noting(tmp_path: Path) -> None:
    code = """
    import sys
    from sagemaker_presign import _cli_entry, _regex_cache
    compiler = sys.modules.get("re._compiler") or sys.modules["sre_compile"]
    _regex_cache.start()
    noting = type(compiler._sre).__name__
    _cli_entry.turn_long_lived()
    print(noting, type(compiler._sre).__name__)
    """
    proc = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "XDG_CACHE_HOME": str(tmp_path)},
        check=True,
    )
    assert proc.stdout.split() == ["_Recorder", "module"]
