"""Deferred imports for lean command-line processes: a package is loaded when first used, not imported.

``hygis render`` of a data file draws from numpy arrays and needs neither pandas nor geopandas,
shapely or pyarrow — but most modules on its path import them at the top (and pyogrio imports
all four), ~0.5 s of CPU before anything is read.  :func:`defer` puts a stand-in module in
``sys.modules`` for each name: ``import pandas as pd`` then binds the stand-in, and the first
attribute looked up on it (``pd.DataFrame``, a submodule import, ``from pandas import X``)
imports the real package, copies its namespace into the stand-in and answers from it — so code
that does need the package still works, only later.  ``__version__`` is answered from the
installed distribution's metadata without loading (pyogrio checks versions at import).

Only for a process that ends after one command (see ``hygis.cli.render``): a stand-in is a
different object from the real module (``sys.modules`` holds the real one once loaded).
"""

from __future__ import annotations

import importlib
import importlib.util
import sys
import threading
import types

_LOCK = threading.RLock()


class _Deferred(types.ModuleType):
    """A module whose namespace is filled from the real module on first use."""

    def __getattr__(self, attr):  # only called for names not (yet) in the namespace
        if attr == "__wrapped__":  # inspect.unwrap (PySide6's import hook inspects every module)
            raise AttributeError(attr)
        if attr == "__version__" and "__deferred_real__" not in self.__dict__:
            try:
                from importlib.metadata import version

                value = version(self.__name__)
            except Exception:
                value = None
            if value is not None:
                self.__dict__["__version__"] = value
                return value
        return getattr(load(self), attr)


def load(module: types.ModuleType) -> types.ModuleType:
    """The real module of a stand-in (imported now if it was not yet)."""
    if not isinstance(module, _Deferred):
        return module
    with _LOCK:
        real = module.__dict__.get("__deferred_real__")
        if real is None:
            name = module.__name__
            if sys.modules.get(name) is module:
                del sys.modules[name]
            try:
                real = importlib.import_module(name)
            except BaseException:
                sys.modules.setdefault(name, module)
                raise
            namespace = dict(real.__dict__)
            namespace.pop("__version__", None)
            module.__dict__.update(namespace)
            module.__dict__["__version__"] = getattr(real, "__version__", None)
            module.__dict__["__deferred_real__"] = real
        return real


def defer(*names: str) -> list[str]:
    """Put stand-ins for the packages ``names`` in ``sys.modules`` (those not imported yet and
    installed); returns the names deferred."""
    done = []
    with _LOCK:
        for name in names:
            if name in sys.modules or "." in name:
                continue
            spec = importlib.util.find_spec(name)
            if spec is None:
                continue
            stand_in = _Deferred(name)
            stand_in.__spec__ = spec
            stand_in.__file__ = spec.origin
            sys.modules[name] = stand_in
            done.append(name)
    return done


def loaded(name: str) -> bool:
    """Whether the package ``name`` has really been imported (not just deferred)."""
    module = sys.modules.get(name)
    if module is None:
        return False
    return not isinstance(module, _Deferred) or "__deferred_real__" in module.__dict__
