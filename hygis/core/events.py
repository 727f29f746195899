"""Minimal Qt-free event emitters for the model layer (napari-style).

>>> ev = Event("name")
>>> ev.connect(print)
>>> ev.emit("new")        # callbacks get the emitted value
new
>>> with ev.blocker():    # nothing is emitted inside
...     ev.emit("x")
"""

from __future__ import annotations

import contextlib
import weakref
from typing import Any, Callable


class Event:
    """A named event with connected callbacks."""

    def __init__(self, name: str):
        self.name = name
        self._callbacks: list[Callable[..., Any]] = []
        self._blocked = 0

    def connect(self, callback: Callable[..., Any]) -> Callable[..., Any]:
        if callback not in self._callbacks:
            self._callbacks.append(callback)
        return callback

    def disconnect(self, callback: Callable[..., Any] | None = None) -> None:
        if callback is None:
            self._callbacks.clear()
        elif callback in self._callbacks:
            self._callbacks.remove(callback)

    def emit(self, *args: Any) -> None:
        if self._blocked:
            return
        for cb in list(self._callbacks):
            cb(*args)

    __call__ = emit

    @contextlib.contextmanager
    def blocker(self):
        self._blocked += 1
        try:
            yield
        finally:
            self._blocked -= 1


class EmitterGroup:
    """A set of named events: ``group.visible.connect(cb)``; ``group.any`` fires for all."""

    def __init__(self, *names: str):
        self.any = Event("any")
        self._names = names
        for name in names:
            ev = Event(name)
            setattr(self, name, ev)
            ev.connect(self._forward(name))

    def _forward(self, name: str):
        ref = weakref.ref(self)

        def _fwd(*args):
            group = ref()
            if group is not None:
                group.any.emit(name, *args)

        return _fwd

    @contextlib.contextmanager
    def blocker_all(self):
        with contextlib.ExitStack() as stack:
            for name in self._names:
                stack.enter_context(getattr(self, name).blocker())
            stack.enter_context(self.any.blocker())
            yield
