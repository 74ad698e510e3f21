"""Modules botocore imports at start-up that a presign never runs, loaded on first use instead.

``botocore.regions``, ``botocore.paginate`` and ``botocore.waiter`` import ``jmespath`` (~5 ms:
its parser, lexer and function table) and use it only in paginators, waiters and operation
context parameters, none of which a presign touches. `defer` puts a `LazyModule` in
``sys.modules`` for it: a module object that imports the real module the first time any
attribute is read, then takes on its namespace, so that every holder of it, botocore's modules
included, gets the real thing from then on. (``xml.etree.ElementTree``, used only by the XML
protocols, cannot wait: ``botocore.compat`` reads an attribute of it at import.)

It is thread-safe (a lock around the load, unlike importlib's LazyLoader on Python < 3.12),
and only installed for a module nobody has imported yet, while a single thread runs.
"""

from __future__ import annotations

import importlib
import importlib.util
import sys
import threading
import types
from collections.abc import Iterable
from typing import Any

__all__ = ["DEFERRED", "LazyModule", "defer"]

#: What clients we build defer while botocore is imported.
DEFERRED = ("jmespath",)

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
        if spec is None:
            continue
        # No __path__ of its own: importing a submodule (jmespath.x) reads the parent's
        # __path__, and so loads the real package first.
        stand_in = LazyModule(name)
        vars(stand_in)["__spec__"] = spec
        sys.modules[name] = stand_in
        deferred.append(name)
    return deferred
