"""The cold-start shortcuts, as structural facts (never timings): the console script runs with
the cyclic GC off and leaves with ``os._exit`` after flushing, keeping every exit status; clients
we build import botocore without ``botocore.docs`` and fall back to the plain import whenever
botocore is not shaped as expected."""

from __future__ import annotations

import gc
import importlib
import json
import os
import subprocess
import sys
import textwrap
import threading
from collections.abc import Callable
from importlib.machinery import ModuleSpec
from pathlib import Path

import pytest

from sagemaker_presign import _cli_entry, _lean_import
from sagemaker_presign._cli import ExitCode
from sagemaker_presign.testing import DUMMY_ACCESS_KEY_ID, DUMMY_SECRET_ACCESS_KEY, LocalSageMaker

from .support import NOTEBOOK

SIGNED = {
    "AWS_ACCESS_KEY_ID": DUMMY_ACCESS_KEY_ID,
    "AWS_SECRET_ACCESS_KEY": DUMMY_SECRET_ACCESS_KEY,
    "AWS_MAX_ATTEMPTS": "1",
    "AWS_DEFAULT_REGION": "us-east-1",
}


def python(code: str, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code), *args],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, **SIGNED, **env},
        check=False,
    )


# -- the console script's entry: GC off, flush, os._exit with the right status ----------------


class Exited(Exception):
    def __init__(self, code: int) -> None:
        super().__init__(code)
        self.code = code


@pytest.fixture
def no_exit(monkeypatch: pytest.MonkeyPatch) -> None:
    def fake_exit(code: int) -> None:
        raise Exited(code)

    monkeypatch.setattr(os, "_exit", fake_exit)
    monkeypatch.setitem(_cli_entry.gc_state, "paused", False)


def run_entry(monkeypatch: pytest.MonkeyPatch, command: Callable[[], int]) -> int:
    """The status `run` leaves with when the command is *command* (os._exit faked)."""
    monkeypatch.setattr(_cli_entry, "_main", command)
    try:
        with pytest.raises(Exited) as exited:
            _cli_entry.run()
    finally:
        gc.enable()
    return exited.value.code


def test_the_entry_runs_the_command_with_the_gc_off_and_exits_with_its_status(
    monkeypatch: pytest.MonkeyPatch, no_exit: None
) -> None:
    seen: list[bool] = []

    def command() -> int:
        seen.append(gc.isenabled())
        return ExitCode.NOT_FOUND

    assert run_entry(monkeypatch, command) == ExitCode.NOT_FOUND
    assert seen == [False]


@pytest.mark.parametrize(
    "case", [(SystemExit(2), 2, ""), (SystemExit(None), 0, ""), (SystemExit("bye"), 1, "bye\n")]
)
def test_system_exit_becomes_the_status_the_interpreter_would_give(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    no_exit: None,
    case: tuple[SystemExit, int, str],
) -> None:
    raised, status, stderr = case

    def command() -> int:
        raise raised

    assert run_entry(monkeypatch, command) == status
    assert capsys.readouterr().err == stderr


def test_turn_long_lived_only_undoes_what_run_did(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(_cli_entry.gc_state, "paused", False)
    gc.disable()
    try:
        _cli_entry.turn_long_lived()  # main() called from an application: its GC is its own
        assert not gc.isenabled()
    finally:
        gc.enable()


@pytest.mark.parametrize(
    "argv",
    [["--local", "demo-nb", "--quiet"], ["--local", "demo-nb", "--start", "--quiet"]],
    ids=["presign", "wait"],
)
def test_a_wait_turns_the_gc_back_on_a_plain_presign_does_not(
    monkeypatch: pytest.MonkeyPatch, argv: list[str]
) -> None:
    from sagemaker_presign._cli import main

    monkeypatch.setitem(_cli_entry.gc_state, "paused", True)  # as run() leaves it
    gc.disable()
    try:
        assert main(argv) == ExitCode.OK
        assert gc.isenabled() == ("--start" in argv)
    finally:
        gc.unfreeze()  # turn_long_lived froze this test process's objects
        gc.enable()


def test_the_console_script_points_at_the_entry() -> None:
    from importlib.metadata import entry_points

    [script] = [
        ep for ep in entry_points(group="console_scripts") if ep.name == "sagemaker-presign"
    ]
    assert script.value == "sagemaker_presign._cli_entry:run"


def entry(*args: str) -> subprocess.CompletedProcess[str]:
    # Buffered stdout, as a pipe gets it by default: only a flush before os._exit gets it out.
    env = {key: value for key, value in os.environ.items() if key != "PYTHONUNBUFFERED"}
    return subprocess.run(
        [sys.executable, "-m", "sagemaker_presign", *args],
        capture_output=True,
        text=True,
        timeout=60,
        env={**env, **SIGNED},
        check=False,
    )


def test_every_status_survives_os_exit(sagemaker: LocalSageMaker) -> None:
    endpoint = ("--endpoint-url", sagemaker.endpoint_url)
    ok = entry(NOTEBOOK, *endpoint)
    assert (ok.returncode, ok.stdout) == (
        0,
        sagemaker.notebook_instance(NOTEBOOK).issued_urls[-1] + "\n",
    )
    assert entry("no-such-notebook", *endpoint).returncode == ExitCode.NOT_FOUND
    usage = entry("bad_name!", *endpoint)
    assert usage.returncode == ExitCode.USAGE
    assert "Traceback" not in usage.stderr
    help_text = entry("--help")
    assert help_text.returncode == 0
    assert help_text.stdout.startswith("usage: sagemaker-presign")
    assert "partner-app" in help_text.stdout  # the whole text, flushed before os._exit


def test_buffered_output_is_flushed_before_the_process_ends(sagemaker: LocalSageMaker) -> None:
    names = [f"nb-{index:04d}" for index in range(400)]
    for name in names:
        sagemaker.add_notebook_instance(name)
    proc = entry("list", "notebook", "--json", "--endpoint-url", sagemaker.endpoint_url)
    assert proc.returncode == 0, proc.stderr
    assert len(proc.stdout) > 8192  # more than one buffer's worth: only a flush gets it all out
    listed = {json.loads(line)["name"] for line in proc.stdout.splitlines()}
    assert set(names) <= listed


def test_a_reader_gone_away_is_one_line_and_a_failure_status(sagemaker: LocalSageMaker) -> None:
    # ~200 KB of output, well over a pipe's 64 KiB buffer: the writer must meet the closed end
    # (with less, it could write everything before `head` leaves, and exit 0).
    for index in range(1500):
        sagemaker.add_notebook_instance(f"nb-{index:04d}")
    command = (
        f"{sys.executable} -m sagemaker_presign list notebook --json "
        f"--endpoint-url {sagemaker.endpoint_url} | head -c 10 >/dev/null; "
        'echo "status=${PIPESTATUS[0]}" >&2'
    )
    proc = subprocess.run(
        ["bash", "-c", command],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, **SIGNED},
        check=False,
    )
    assert "Traceback" not in proc.stderr
    assert "Exception ignored" not in proc.stderr
    assert proc.stderr.strip().endswith(f"status={ExitCode.FAILURE.value}")


# -- botocore without botocore.docs -------------------------------------------------------------

CLIENT_AND_DOCS = """
    import sys
    from sagemaker_presign import PresignClient

    client = PresignClient(endpoint_url=sys.argv[1])
    url = client.create_presigned_url(sys.argv[2]).url
    loaded = sorted(name for name in sys.modules if name.startswith(("botocore.docs", "html.")))
    jmespath_at_first = type(sys.modules["jmespath"]).__name__
    forwarded_at_first = sorted(
        name for name in ("importlib.metadata", "importlib.resources") if name in sys.modules
    )
    import certifi, importlib.resources, os
    bundle_found = os.path.isfile(certifi.where())  # through the forwarded importlib.resources
    pages = client.sagemaker_client.get_paginator("list_notebook_instances").paginate()
    listed = [item["NotebookInstanceName"] for page in pages for item in page["NotebookInstances"]]
    import jmespath
    ours = str(client.sagemaker_client.create_presigned_notebook_instance_url.__doc__)
    import boto3
    theirs = boto3.client("sagemaker", endpoint_url=sys.argv[1])
    import botocore.docs, botocore.docs.docstring, botocore.docs.utils
    print(repr({
        "url": url.startswith("https://"),
        "loaded_at_first": loaded,
        "same_docstring": ours == str(theirs.create_presigned_notebook_instance_url.__doc__),
        "docstring_length": len(ours),
        "real_package": botocore.docs.__file__ is not None,
        "real_docstring_module": botocore.docs.docstring.__file__ is not None,
        "jmespath_at_first": jmespath_at_first,
        "paginator_lists": listed == [sys.argv[2]],
        "jmespath_works": jmespath.search("a.b", {"a": {"b": 3}}) == 3,
        "forwarded_at_first": forwarded_at_first,
        "bundle_found": bundle_found,
    }))
"""


def check_client_and_docs(
    sagemaker: LocalSageMaker, prelude: str = "", **env: str
) -> dict[str, object]:
    proc = python(
        textwrap.dedent(prelude) + textwrap.dedent(CLIENT_AND_DOCS),
        sagemaker.endpoint_url,
        NOTEBOOK,
        **env,
    )
    assert proc.returncode == 0, proc.stderr
    facts: dict[str, object] = eval(proc.stdout)  # a dict literal we printed ourselves
    assert facts["url"] is True
    assert facts["same_docstring"] is True
    assert isinstance(facts["docstring_length"], int)
    assert facts["docstring_length"] > 100
    assert facts["real_package"] is True
    assert facts["real_docstring_module"] is True
    assert facts["paginator_lists"] is True  # jmespath, deferred or not, works when needed
    assert facts["jmespath_works"] is True
    assert facts["bundle_found"] is True  # forwarded or not, certifi finds its bundle
    return facts


def test_clients_we_build_leave_botocore_docs_unimported(sagemaker: LocalSageMaker) -> None:
    facts = check_client_and_docs(sagemaker)
    assert facts["loaded_at_first"] == []
    assert facts["jmespath_at_first"] == "LazyModule"  # a presign never needed it
    assert facts["forwarded_at_first"] == []  # nor importlib.metadata or .resources


def test_the_plain_import_when_turned_off(sagemaker: LocalSageMaker) -> None:
    facts = check_client_and_docs(sagemaker, SAGEMAKER_PRESIGN_NO_DEFERRED_IMPORTS="1")
    assert "botocore.docs.docstring" in facts["loaded_at_first"]  # type: ignore[operator]
    assert facts["jmespath_at_first"] == "module"


def test_the_plain_import_when_botocore_refuses_the_stand_in(sagemaker: LocalSageMaker) -> None:
    # A botocore that imports a name the stand-in cannot give: the import fails half-way, the
    # stand-ins go, and botocore's own import follows; the client is none the worse.
    prelude = """
        from sagemaker_presign import _lean_import
        def refuse(name):
            raise AttributeError(name)
        _lean_import._deferred_class = refuse
    """
    facts = check_client_and_docs(sagemaker, prelude)
    assert "botocore.docs.docstring" in facts["loaded_at_first"]  # type: ignore[operator]


def test_no_deferring_when_another_thread_runs(sagemaker: LocalSageMaker) -> None:
    prelude = """
        import threading
        threading.Thread(target=threading.Event().wait, daemon=True).start()
    """
    facts = check_client_and_docs(sagemaker, prelude)
    assert "botocore.docs.docstring" in facts["loaded_at_first"]  # type: ignore[operator]


def test_no_deferring_when_the_docs_folder_is_laid_out_otherwise(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    for name in list(sys.modules):
        if name.startswith("botocore"):
            monkeypatch.delitem(sys.modules, name)
    monkeypatch.setattr("threading.active_count", lambda: 1)
    spec = ModuleSpec("botocore.docs", None, is_package=True)
    spec.submodule_search_locations = [str(tmp_path)]

    def find_spec(name: str) -> ModuleSpec:
        return spec

    monkeypatch.setattr("importlib.util.find_spec", find_spec)
    assert not _lean_import.can_defer()
    for module in ("__init__", "docstring", "utils"):
        (tmp_path / f"{module}.py").write_text("")
    assert _lean_import.can_defer()


# -- modules loaded on first use ----------------------------------------------------------------


@pytest.fixture
def slow_module(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """A package that takes a moment to import and counts its imports in a file."""
    package = tmp_path / "slow_pkg"
    package.mkdir()
    (package / "__init__.py").write_text(
        "import pathlib, time\n"
        "time.sleep(0.05)\n"
        "counter = pathlib.Path(__file__).with_name('loads')\n"
        "counter.write_text(str(int(counter.read_text() or 0) + 1) if counter.exists() else '1')\n"
        "def double(x):\n    return 2 * x\n"
    )
    (package / "extra.py").write_text("VALUE = 7\n")
    monkeypatch.syspath_prepend(str(tmp_path))  # pyright: ignore[reportUnknownMemberType]
    for name in ("slow_pkg", "slow_pkg.extra"):
        monkeypatch.delitem(sys.modules, name, raising=False)
    return "slow_pkg"


def loads(name: str) -> int:
    counter = Path(sys.modules[name].__file__ or "").with_name("loads")
    return int(counter.read_text()) if counter.exists() else 0


def test_a_deferred_module_loads_on_first_use_once_whatever_the_threads(slow_module: str) -> None:
    from sagemaker_presign._lazy_modules import LazyModule, defer

    assert defer([slow_module, "no_such_module_anywhere"]) == [slow_module]
    stand_in = sys.modules[slow_module]
    assert isinstance(stand_in, LazyModule)
    results: list[int] = []
    start = threading.Barrier(16)

    def use() -> None:
        start.wait()
        results.append(stand_in.double(21))

    threads = [threading.Thread(target=use) for _ in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    assert results == [42] * 16
    assert loads(slow_module) == 1
    assert type(sys.modules[slow_module]) is not LazyModule  # the real one, from now on
    assert stand_in.double is sys.modules[slow_module].double  # holders see the real namespace


def test_defer_leaves_imported_modules_alone(slow_module: str) -> None:
    from sagemaker_presign._lazy_modules import defer

    real = importlib.import_module(slow_module)
    assert defer([slow_module]) == []
    assert sys.modules[slow_module] is real


def test_a_submodule_import_loads_the_real_package_first(slow_module: str) -> None:
    from sagemaker_presign._lazy_modules import defer

    defer([slow_module])
    extra = importlib.import_module(f"{slow_module}.extra")
    assert extra.VALUE == 7
    assert loads(slow_module) == 1


def test_a_failing_load_raises_and_is_tried_again(slow_module: str, tmp_path: Path) -> None:
    from sagemaker_presign._lazy_modules import LazyModule, defer

    init = tmp_path / slow_module / "__init__.py"
    working = init.read_text()
    init.write_text("raise ImportError('not today')\n")
    defer([slow_module])
    stand_in = sys.modules[slow_module]
    with pytest.raises(ImportError, match="not today"):
        stand_in.double  # noqa: B018 - the attribute read is the load
    assert isinstance(sys.modules[slow_module], LazyModule)  # still waiting, not half-done
    init.write_text(working)
    importlib.invalidate_caches()
    assert stand_in.double(2) == 4


def test_only_top_level_modules_can_be_deferred() -> None:
    from sagemaker_presign._lazy_modules import defer

    # A submodule's stand-in would need its parent package's attribute kept in step too.
    before = sys.modules.get("xml.etree.ElementTree")
    with pytest.raises(ValueError, match="top-level"):
        defer(["xml.etree.ElementTree"])
    assert sys.modules.get("xml.etree.ElementTree") is before
