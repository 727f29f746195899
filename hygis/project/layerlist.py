"""An evented, ordered list of layers (index 0 is drawn first, at the bottom).

Events:
    inserted(index, layer), removed(index, layer), moved(old_index, new_index),
    layer_changed(layer, event_name, *args)  -- any child layer event, re-emitted
"""

from __future__ import annotations

from typing import Iterator

from hygis.core.errors import HygisError
from hygis.core.events import EmitterGroup
from hygis.layers.vector import Layer


class LayerList:
    def __init__(self):
        self.events = EmitterGroup("inserted", "removed", "moved", "layer_changed")
        self._layers: list[Layer] = []
        self._relays: dict[str, object] = {}

    def __len__(self) -> int:
        return len(self._layers)

    def __iter__(self) -> Iterator[Layer]:
        return iter(list(self._layers))

    def __getitem__(self, key) -> Layer:
        if isinstance(key, str):
            for layer in self._layers:
                if layer.name == key or layer.id == key:
                    return layer
            raise HygisError("No layer named '{key}'", key=key)
        return self._layers[key]

    def __contains__(self, layer) -> bool:
        return layer in self._layers

    def get(self, key: str) -> Layer | None:
        try:
            return self[key]
        except HygisError:
            return None

    def index(self, layer: Layer) -> int:
        return self._layers.index(layer)

    @property
    def names(self) -> list[str]:
        return [layer.name for layer in self._layers]

    def unique_name(self, base: str) -> str:
        name, n = base, 2
        while name in self.names:
            name, n = f"{base} ({n})", n + 1
        return name

    def insert(self, index: int, layer: Layer) -> None:
        if layer in self._layers:
            raise HygisError("Layer '{layer_name}' is already in the project", layer_name=layer.name)
        if layer.name in self.names:
            layer.name = self.unique_name(layer.name)
        index = max(0, min(index, len(self._layers)))
        self._layers.insert(index, layer)
        relay = self._make_relay(layer)
        self._relays[layer.id] = relay
        layer.events.any.connect(relay)
        self.events.inserted(index, layer)

    def append(self, layer: Layer) -> None:
        self.insert(len(self._layers), layer)

    def remove(self, layer: Layer) -> int:
        index = self._layers.index(layer)
        self._layers.pop(index)
        relay = self._relays.pop(layer.id, None)
        if relay is not None:
            layer.events.any.disconnect(relay)
        self.events.removed(index, layer)
        return index

    def move(self, old: int, new: int) -> None:
        if not (0 <= old < len(self._layers)) or not (0 <= new < len(self._layers)):
            raise HygisError("layer index out of range")
        if old == new:
            return
        layer = self._layers.pop(old)
        self._layers.insert(new, layer)
        self.events.moved(old, new)

    def _make_relay(self, layer: Layer):
        def relay(event_name, *args):
            self.events.layer_changed(layer, event_name, *args)

        return relay
