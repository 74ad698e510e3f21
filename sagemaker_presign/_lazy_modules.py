"""Modules botocore imports at start-up that a presign never runs, loaded on first use instead.

``botocore.regions``, ``botocore.paginate`` and ``botocore.waiter`` import ``jmespath`` (~5 ms:
its parser, lexer and function table) and use it only in paginators, waiters and operation
context parameters, none of which a presign touches. `defer` puts a `LazyModule` in
``sys.modules`` for it: a module object that imports the real module the first time any
attribute is read, then takes on its namespace, so that every holder of it, botocore's modules
included, gets the real thing from then on. (``xml.etree.ElementTree``, used only by the XML
protocols, cannot wait: ``botocore.compat`` reads an attribute of it at import.)

It is thread-safe (a lock around the load, unlike importlib's LazyLoader on Python < 3.12),
and only installed for a module nobody has imported yet, while a single thread runs. The console
script, which owns its process, also defers `COMMAND_DEFERRED`: standard modules that botocore
and urllib3 use in functions a presign never calls.

A module that botocore's imports take *functions* from (``from m import f``) cannot wait that
way: the name is read at import. `forwarding` puts a `Forwarder` in ``sys.modules`` instead,
only for the length of botocore's import: each name of `FORWARDED` is a function that calls the
real module's (importing it on that first call, and reading it anew each time, so a patch of the
real module is seen); any other name imports the real module at once. Afterwards the stand-in
leaves ``sys.modules``: a later import gets the real module.
"""

from __future__ import annotations

import importlib
import importlib.util
import sys
import threading
import types
from collections.abc import Callable, Generator, Iterable, Mapping
from contextlib import contextmanager
from typing import Any

__all__ = [
    "COMMAND_DEFERRED",
    "DEFERRED",
    "FORWARDED",
    "Forwarder",
    "LazyModule",
    "defer",
    "forwarding",
]

#: What clients we build defer while botocore is imported.
DEFERRED = ("jmespath",)
#: What the console script defers too (~3 ms, ~1 MiB): botocore reads config files with
#: configparser and splits some of their values with shlex; urllib3 guesses multipart content
#: types with mimetypes; inspect and logging format tracebacks with traceback, linecache,
#: tokenize and textwrap; shutil archives with bz2 and lzma (and their C libraries).
COMMAND_DEFERRED = (
    "configparser",
    "shlex",
    "mimetypes",
    "traceback",
    "linecache",
    "tokenize",
    "textwrap",
    "bz2",
    "lzma",
)
#: Modules that only import if a C extension was built: without it, an importer must see the
#: ImportError at once (shutil asks ``import bz2`` to learn whether it can compress).
_NEEDS = {"bz2": "_bz2", "lzma": "_lzma"}
#: Functions botocore's imports take from modules that a presign does not need: urllib3 asks
#: importlib.metadata for h2's version only to switch HTTP/2 on, and certifi finds its bundle
#: with importlib.resources only when asked where it is (together ~4 ms and ~0.7 MiB, with the
#: zipfile, csv and importlib.abc they import). certifi takes files/as_file from Python 3.11,
#: path/read_text before.
FORWARDED: dict[str, tuple[str, ...]] = {
    "importlib.metadata": ("version",),
    "importlib.resources": ("as_file", "files", "path", "read_text"),
}

_lock = threading.RLock()


class LazyModule(types.ModuleType):
    """Stands in for a module until an attribute of it is first read."""

    def __getattr__(self, name: str) -> Any:  # only called for what the namespace lacks
        return getattr(self._load(), name)

    def _load(self) -> types.ModuleType:
        with _lock:
            real: types.ModuleType | None = vars(self).get("_real_module")
            if real is None:
                name = self.__name__
                if sys.modules.get(name) is self:
                    del sys.modules[name]
                try:
                    real = importlib.import_module(name)
                except BaseException:
                    sys.modules.setdefault(name, self)  # try again on the next access
                    raise
                vars(self).update(vars(real))
                vars(self)["_real_module"] = real
            return real


def defer(names: Iterable[str]) -> list[str]:
    """Put a `LazyModule` in ``sys.modules`` for each of *names* (top-level modules) that is
    importable and not imported yet; return the names deferred."""
    deferred: list[str] = []
    for name in names:
        if "." in name:
            raise ValueError(f"only top-level modules can be deferred, not {name!r}")
        if name in sys.modules:
            continue
        spec = importlib.util.find_spec(name)
        if spec is None or (name in _NEEDS and importlib.util.find_spec(_NEEDS[name]) is None):
            continue
        # No __path__ of its own: importing a submodule (jmespath.x) reads the parent's
        # __path__, and so loads the real package first.
        stand_in = LazyModule(name)
        vars(stand_in)["__spec__"] = spec
        sys.modules[name] = stand_in
        deferred.append(name)
    return deferred


class Forwarder(types.ModuleType):
    """Stands in for a module while botocore is imported (see `forwarding`)."""

    def __getattr__(self, name: str) -> Any:  # a name that is not forwarded: the real thing
        if name.startswith("__") and name.endswith("__"):
            # Not even __path__: `from m import f` asks for it, and a package's would load it.
            # (A submodule imported during the window then fails, and the plain import follows.)
            raise AttributeError(name)
        return getattr(_real(self.__name__), name)


def _real(name: str) -> types.ModuleType:
    """The real module *name*, imported now if only a `Forwarder` stands for it."""
    with _lock:
        if isinstance(sys.modules.get(name), Forwarder):
            del sys.modules[name]
        return importlib.import_module(name)


def _forward(module: str, name: str) -> Callable[..., Any]:
    def forward(*args: Any, **kwargs: Any) -> Any:
        return getattr(_real(module), name)(*args, **kwargs)

    forward.__name__ = forward.__qualname__ = name
    forward.__module__ = module
    forward.__doc__ = f"{module}.{name}, imported on first call."
    return forward


@contextmanager
def forwarding(modules: Mapping[str, Iterable[str]]) -> Generator[list[str], None, None]:
    """For the length of the block, a `Forwarder` in ``sys.modules`` for each of *modules*
    that nobody has imported yet; yields their names."""
    installed: dict[str, Forwarder] = {}
    for module, names in modules.items():
        if module in sys.modules or importlib.util.find_spec(module) is None:
            continue
        stand_in = Forwarder(module, f"{module}, its functions forwarded by sagemaker-presign")
        for name in names:
            setattr(stand_in, name, _forward(module, name))
        sys.modules[module] = installed[module] = stand_in
    try:
        yield list(installed)
    finally:
        for module, stand_in in installed.items():
            if sys.modules.get(module) is stand_in:
                del sys.modules[module]
