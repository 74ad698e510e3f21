"""Importing botocore without what a presign never runs: its docstring machinery, which only
``help()`` uses, and the modules of `_lazy_modules` (loaded on first use, or forwarded).

``botocore.client`` and ``botocore.waiter`` import ``botocore.docs.docstring`` to give each
client method a lazily generated docstring, and ``botocore.handlers`` imports
``botocore.docs.utils``; either runs ``botocore.docs``'s ``__init__``, which imports every
documenter, an HTML parser included: a few percent of a cold CLI run, for docstrings nobody reads.

`import_botocore_session` imports ``botocore.session`` with two stand-ins in ``sys.modules``
for the length of that import: a ``botocore.docs`` package whose ``__init__`` has not run (its
submodules still load from botocore's own folder) and a ``botocore.docs.docstring`` whose
classes keep their arguments and build botocore's real docstring, importing the real
``botocore.docs`` then, the first time the docstring is read. Afterwards the stand-ins leave
``sys.modules``, so any later import of ``botocore.docs`` is botocore's own.

It is only tried when it cannot surprise anyone: botocore's client and handlers not imported
yet, no other thread running (that could import ``botocore.docs`` during the swap), and the
folder laid out as expected. Whatever goes wrong, the plain import follows. The first clients
built are not different in anything but when their docstrings' modules load.
``SAGEMAKER_PRESIGN_NO_DEFERRED_IMPORTS=1`` turns all of it off, the console script's
`defer_for_command` included.
"""

from __future__ import annotations

import importlib
import importlib.util
import os
import sys
import threading
import types
from typing import Any

from ._lazy_modules import COMMAND_DEFERRED, DEFERRED, FORWARDED, defer, forwarding

__all__ = ["DISABLE_VARIABLE", "can_defer", "defer_for_command", "import_botocore_session"]

DISABLE_VARIABLE = "SAGEMAKER_PRESIGN_NO_DEFERRED_IMPORTS"

_DOCS = "botocore.docs"
_DOCSTRING = "botocore.docs.docstring"
#: Modules whose import pulls in botocore.docs; once any is loaded, deferring is pointless.
_IMPORTERS = ("botocore.client", "botocore.waiter", "botocore.handlers", "botocore.session")

_deferred_classes: dict[str, type[str]] = {}


def import_botocore_session() -> types.ModuleType:
    """``import botocore.session``, with botocore.docs deferred when that is safe (see above),
    the modules of `_lazy_modules.DEFERRED` loaded on first use and the functions of
    `_lazy_modules.FORWARDED` forwarded."""
    if can_defer():
        try:
            defer(DEFERRED)
            with forwarding(FORWARDED):
                _import_deferred()
        except Exception:  # botocore's shape is not what we know: the plain import decides
            _drop_stand_ins()
    return importlib.import_module("botocore.session")


def defer_for_command() -> list[str]:
    """In the console script (its own process, a single thread so far): also defer
    `_lazy_modules.COMMAND_DEFERRED`. Returns what was deferred."""
    if os.environ.get(DISABLE_VARIABLE) or threading.active_count() != 1:
        return []
    return defer(COMMAND_DEFERRED)


def can_defer() -> bool:
    if os.environ.get(DISABLE_VARIABLE):
        return False
    if threading.active_count() != 1:
        return False
    if any(name in sys.modules for name in (*_IMPORTERS, _DOCS, _DOCSTRING)):
        return False
    spec = importlib.util.find_spec(_DOCS)
    folders = list(spec.submodule_search_locations or ()) if spec is not None else []
    return len(folders) == 1 and all(
        os.path.isfile(os.path.join(folders[0], f"{module}.py"))
        for module in ("__init__", "docstring", "utils")
    )


def _import_deferred() -> None:
    spec = importlib.util.find_spec(_DOCS)
    assert spec is not None
    assert spec.submodule_search_locations is not None
    package = types.ModuleType(_DOCS, "botocore.docs, its __init__ deferred by sagemaker-presign")
    package.__path__ = list(spec.submodule_search_locations)
    package.__package__ = _DOCS
    docstring = types.ModuleType(_DOCSTRING, "botocore.docs.docstring, deferred")
    vars(docstring)["__getattr__"] = _deferred_class  # PEP 562: any name botocore asks for
    sys.modules[_DOCS] = package
    sys.modules[_DOCSTRING] = docstring
    try:
        importlib.import_module("botocore.session")
    finally:
        _drop_stand_ins()


def _drop_stand_ins() -> None:
    """Take the stand-ins, and the submodules loaded under the stand-in package, out of
    ``sys.modules`` (and off the ``botocore`` package), so the next import is the real one."""
    package = sys.modules.get(_DOCS)
    if package is None or getattr(package, "__file__", None) is not None:
        return  # botocore's real package: nothing of ours to drop
    for name in [n for n in sys.modules if n == _DOCS or n.startswith(f"{_DOCS}.")]:
        del sys.modules[name]
    botocore = sys.modules.get("botocore")
    if botocore is not None and getattr(botocore, "docs", None) is package:
        delattr(botocore, "docs")


def _deferred_class(name: str) -> type[str]:
    """A stand-in for ``botocore.docs.docstring.<name>`` (a lazily generated docstring)."""
    if name.startswith("__"):
        raise AttributeError(name)
    if name not in _deferred_classes:
        _deferred_classes[name] = type(name, (DeferredDocstring,), {"_real_name": name})
    return _deferred_classes[name]


class DeferredDocstring(str):
    """Holds the arguments of one of botocore's lazy docstrings; builds the real one (and
    imports botocore.docs) when the docstring is first read, as ``help()`` and pydoc do."""

    _real_name = ""

    def __new__(cls, *args: Any, **kwargs: Any) -> DeferredDocstring:
        return super().__new__(cls)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__()
        self._args = args
        self._kwargs = kwargs
        self._docstring: str | None = None

    def _generate(self) -> str:
        if self._docstring is None:
            real = getattr(importlib.import_module(_DOCSTRING), self._real_name)
            self._docstring = str(real(*self._args, **self._kwargs))
        return self._docstring

    def expandtabs(self, tabsize: Any = 8) -> str:  # what inspect.cleandoc calls, for help()
        return self._generate().expandtabs(tabsize)

    def __str__(self) -> str:
        return self._generate()

    __repr__ = __str__
