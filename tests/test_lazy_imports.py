"""Forwarded functions (`_lazy_modules.forwarding`) and the console script's extra deferrals
(`_lean_import.defer_for_command`), as structural facts: what loads, when, and that everything
works on first use."""

from __future__ import annotations

import importlib
import json
import sys
import textwrap

import pytest

from sagemaker_presign._lazy_modules import COMMAND_DEFERRED, Forwarder, forwarding

from .test_cold_start import loads, python, slow_module

__all__ = ["slow_module"]  # the fixture, shared with test_cold_start


def test_a_forwarded_function_loads_its_module_on_first_call(slow_module: str) -> None:
    with forwarding({slow_module: ("double",)}) as installed:
        assert installed == [slow_module]
        stand_in = sys.modules[slow_module]
        assert isinstance(stand_in, Forwarder)
        double = importlib.import_module(slow_module).double  # what `from m import f` reads
        assert not hasattr(stand_in, "__path__")  # so `from m import f` asks for nothing else
    assert slow_module not in sys.modules  # the stand-in is gone with the block
    assert double.__name__ == "double"
    assert double(21) == 42
    assert loads(slow_module) == 1
    real = sys.modules[slow_module]
    assert not isinstance(real, Forwarder)
    assert double(1) == 2
    assert loads(slow_module) == 1  # loaded once


def test_a_forwarded_function_sees_a_patch_of_the_real_module(
    slow_module: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    with forwarding({slow_module: ("double",)}):
        double = importlib.import_module(slow_module).double
    real = importlib.import_module(slow_module)

    def negate(x: int) -> int:
        return -x

    monkeypatch.setattr(real, "double", negate)
    assert double(5) == -5


def test_any_other_name_loads_the_real_module_at_once(slow_module: str) -> None:
    with forwarding({slow_module: ("double",)}):
        stand_in = sys.modules[slow_module]
        assert stand_in.counter.name == "loads"  # not forwarded: the real module's attribute
        assert loads(slow_module) == 1
        assert not isinstance(sys.modules[slow_module], Forwarder)
    assert not isinstance(sys.modules[slow_module], Forwarder)  # the real one stays


def test_a_submodule_import_in_the_window_fails_and_works_afterwards(slow_module: str) -> None:
    # The stand-in is no package: the caller's import fails (and _lean_import then falls back
    # to the plain import of botocore); after the block, the import works as ever.
    with forwarding({slow_module: ("double",)}), pytest.raises(ImportError):
        importlib.import_module(f"{slow_module}.extra")
    assert importlib.import_module(f"{slow_module}.extra").VALUE == 7


def test_imported_and_missing_modules_are_left_alone(slow_module: str) -> None:
    real = importlib.import_module(slow_module)
    with forwarding({slow_module: ("double",), "no_such_module_anywhere": ("f",)}) as installed:
        assert installed == []
        assert sys.modules[slow_module] is real


def test_the_stand_in_goes_even_when_the_block_fails(slow_module: str) -> None:
    with pytest.raises(RuntimeError), forwarding({slow_module: ("double",)}):
        raise RuntimeError
    assert slow_module not in sys.modules


COMMAND = """
import json, sys
from sagemaker_presign import _lean_import, _lazy_modules
deferred = _lean_import.defer_for_command()
kinds = {name: type(sys.modules[name]).__name__ for name in deferred}
import bz2, configparser, linecache, lzma, mimetypes, shlex, shutil, textwrap, tokenize, traceback
works = {
    "configparser": configparser.RawConfigParser().sections() == [],
    "shlex": shlex.split("a 'b c'") == ["a", "b c"],
    "mimetypes": mimetypes.guess_type("x.json")[0] == "application/json",
    "traceback": "ValueError" in "".join(traceback.format_exception(ValueError("x"))),
    "linecache": linecache.getline(_lazy_modules.__file__, 1).startswith('\"\"\"'),
    "tokenize": tokenize.NAME > 0,
    "textwrap": textwrap.fill("a b", width=1) == "a\\nb",
    "bz2": bz2.decompress(bz2.compress(b"x")) == b"x",
    "lzma": lzma.decompress(lzma.compress(b"x")) == b"x",
    "shutil": shutil._BZ2_SUPPORTED and shutil._LZMA_SUPPORTED,
}
print(json.dumps({"deferred": deferred, "kinds": kinds, "works": works}))
"""


def test_the_console_scripts_deferrals_work_on_first_use() -> None:
    proc = python(COMMAND)
    assert proc.returncode == 0, proc.stderr
    facts = json.loads(proc.stdout)
    assert set(facts["deferred"]) <= set(COMMAND_DEFERRED)
    assert set(facts["deferred"]) >= {"configparser", "shlex", "mimetypes", "traceback"}
    assert set(facts["kinds"].values()) == {"LazyModule"}
    assert all(facts["works"].values()), facts["works"]


def test_the_console_scripts_deferrals_turned_off() -> None:
    proc = python(COMMAND, SAGEMAKER_PRESIGN_NO_DEFERRED_IMPORTS="1")
    assert proc.returncode == 0, proc.stderr
    facts = json.loads(proc.stdout)
    assert facts["deferred"] == []
    assert all(facts["works"].values())


def test_a_module_whose_c_extension_is_missing_is_not_deferred() -> None:
    # A Python built without libbz2 has bz2.py but no _bz2: `import bz2` must fail at once,
    # as shutil expects, not pretend to work until first use.
    code = """
    import importlib.util, sys
    real = importlib.util.find_spec
    importlib.util.find_spec = lambda name, *a: None if name == "_bz2" else real(name, *a)
    from sagemaker_presign import _lean_import
    print(" ".join(_lean_import.defer_for_command()))
    """
    proc = python(textwrap.dedent(code))
    assert proc.returncode == 0, proc.stderr
    deferred = proc.stdout.split()
    assert "bz2" not in deferred
    assert "lzma" in deferred


def test_no_command_deferrals_when_another_thread_runs() -> None:
    code = """
    import threading
    threading.Thread(target=threading.Event().wait, daemon=True).start()
    from sagemaker_presign import _lean_import
    print(_lean_import.defer_for_command())
    """
    proc = python(textwrap.dedent(code))
    assert proc.stdout.strip() == "[]"
