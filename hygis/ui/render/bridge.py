"""Renderers per layer and the bridge from project events to redraws.

``RendererSet`` keeps one renderer per layer (chosen by layer type) and closes the
renderers of layers that left the project.  ``ProjectBridge`` observes a project's
layer list and calls ``on_redraw`` for anything that changes the map (the canvas
debounces these calls into one redraw) and ``on_overlay`` for selection changes
(a cheap overlay repaint, the cached map stays).
"""

from __future__ import annotations

import threading

OVERLAY_EVENTS = ("selection", "name")


def renderer_class(layer):
    """The renderer class for a layer: raster, polygon, line, point or mixed vector."""
    if layer.kind == "raster":
        from hygis.ui.render import raster

        return raster.RasterRenderer
    from hygis.ui.render import vector  # (no raster module for a map of vector layers)

    return vector.renderer_for_family(layer.geometry_type)


class RendererSet:
    """A cache of renderers keyed by layer id (thread-safe)."""

    def __init__(self):
        self._renderers: dict[str, object] = {}
        self._lock = threading.Lock()

    def get(self, layer):
        """The renderer of ``layer`` (re-chosen when its data changed geometry family)."""
        with self._lock:
            r = self._renderers.get(layer.id)
            if r is not None and r.layer is layer and not getattr(r, "stale_family", False):
                return r
            cls = renderer_class(layer)
            if r is not None and type(r) is cls and r.layer is layer:
                r.stale_family = False
                return r
            if r is not None:
                r.close()
            r = self._renderers[layer.id] = cls(layer)
            return r

    def prune(self, keep_ids) -> None:
        with self._lock:
            for lid in [i for i in self._renderers if i not in keep_ids]:
                self._renderers.pop(lid).close()

    def close(self) -> None:
        self.prune(())


class ProjectBridge:
    """Observe ``project.layers`` and report map changes (never owns the layers)."""

    def __init__(self, project, renderers: RendererSet, on_redraw, on_overlay=None):
        self.project = project
        self.renderers = renderers
        self._on_redraw = on_redraw
        self._on_overlay = on_overlay or on_redraw
        ev = project.layers.events
        ev.inserted.connect(self._on_inserted)
        ev.removed.connect(self._on_removed)
        ev.moved.connect(self._on_moved)
        ev.layer_changed.connect(self._on_layer_changed)

    def disconnect(self) -> None:
        ev = self.project.layers.events
        ev.inserted.disconnect(self._on_inserted)
        ev.removed.disconnect(self._on_removed)
        ev.moved.disconnect(self._on_moved)
        ev.layer_changed.disconnect(self._on_layer_changed)

    def _on_inserted(self, index, layer) -> None:
        self._on_redraw()

    def _on_removed(self, index, layer) -> None:
        self.renderers.prune({lyr.id for lyr in self.project.layers})
        self._on_redraw()

    def _on_moved(self, old, new) -> None:
        self._on_redraw()

    def _on_layer_changed(self, layer, event_name, *args) -> None:
        if event_name in OVERLAY_EVENTS:
            self._on_overlay()
        else:
            self._on_redraw()
