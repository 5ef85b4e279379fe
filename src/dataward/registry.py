"""Named registries: explicit registration for built-ins, entry points for third parties.

Lookup goes built-ins → entry points (loaded lazily on the first unknown name). A name that is
already taken is never silently replaced, and an unknown name raises
:class:`~dataward.errors.UnknownNameError` with close matches.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from importlib.metadata import entry_points
from typing import Generic, TypeVar

from dataward.errors import ConfigError, UnknownNameError

T = TypeVar("T")


class Registry(Generic[T]):
    """A mapping of short names to objects of one kind."""

    def __init__(self, kind: str, entry_point_group: str | None = None) -> None:
        self.kind = kind
        self.entry_point_group = entry_point_group
        self._items: dict[str, T] = {}
        self._entry_points_loaded = entry_point_group is None

    def add(self, name: str, item: T) -> T:
        """Register ``item`` under ``name``; a taken name raises ConfigError."""
        if name in self._items:
            raise ConfigError(f"{self.kind} {name!r} is already registered", name=name)
        self._items[name] = item
        return item

    def register(self, name: str) -> Callable[[T], T]:
        """Decorator form of :meth:`add`."""

        def decorate(item: T) -> T:
            return self.add(name, item)

        return decorate

    def get(self, name: str) -> T:
        if name not in self._items:
            self._load_entry_points()
        try:
            return self._items[name]
        except KeyError:
            raise UnknownNameError(self.kind, name, self._items) from None

    def __contains__(self, name: object) -> bool:
        return name in self._items

    def names(self) -> list[str]:
        self._load_entry_points()
        return sorted(self._items)

    def __iter__(self) -> Iterator[str]:
        return iter(self.names())

    def __len__(self) -> int:
        return len(self.names())

    def _load_entry_points(self) -> None:
        if self._entry_points_loaded or self.entry_point_group is None:
            return
        self._entry_points_loaded = True
        for ep in entry_points(group=self.entry_point_group):
            if ep.name in self._items:
                continue
            loaded = ep.load()
            # An entry point may name the object itself or a zero-argument factory of it.
            item = loaded() if isinstance(loaded, type) else loaded
            self.add(ep.name, item)
