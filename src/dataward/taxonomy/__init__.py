"""Entity types: categories, sensitivity, regulations and data categories, loaded from data."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from functools import lru_cache
from importlib.resources import files
from typing import Any

import yaml

from dataward.errors import ConfigError, UnknownNameError


class Sensitivity(enum.IntEnum):
    """How harmful exposure of a value is; ordered, so levels compare."""

    PUBLIC = 0
    LOW = 1
    MODERATE = 2
    HIGH = 3
    CRITICAL = 4


@dataclass(frozen=True, slots=True)
class EntityType:
    name: str
    description: str
    categories: tuple[str, ...]
    sensitivity: Sensitivity
    regulations: tuple[str, ...]
    data_category: str
    presidio: bool = False
    """Whether Presidio uses the same name."""
    country: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "description": self.description,
            "categories": list(self.categories),
            "sensitivity": self.sensitivity.name.lower(),
            "regulations": list(self.regulations),
            "data_category": self.data_category,
            "presidio": self.presidio,
            "country": self.country,
        }


class Taxonomy:
    def __init__(self, types: list[EntityType]) -> None:
        self._types = {t.name: t for t in types}

    def get(self, name: str) -> EntityType:
        try:
            return self._types[name]
        except KeyError:
            raise UnknownNameError("entity", name, self._types) from None

    def __contains__(self, name: object) -> bool:
        return name in self._types

    def __iter__(self) -> Any:
        return iter(sorted(self._types.values(), key=lambda t: t.name))

    def __len__(self) -> int:
        return len(self._types)


def _parse(raw: dict[str, Any]) -> EntityType:
    try:
        return EntityType(
            name=raw["name"],
            description=raw.get("description", ""),
            categories=tuple(raw["categories"]),
            sensitivity=Sensitivity[raw["sensitivity"].upper()],
            regulations=tuple(raw.get("regulations", ())),
            data_category=raw["data_category"],
            presidio=bool(raw.get("presidio", False)),
            country=raw.get("country"),
        )
    except (KeyError, TypeError, AttributeError) as exc:
        raise ConfigError(
            f"entity type {raw.get('name', '?')!r} in entities.yaml is missing or has a bad field: "
            f"{exc}"
        ) from None


@lru_cache(maxsize=1)
def taxonomy() -> Taxonomy:
    """The built-in taxonomy: every ``entities/*.yaml`` file of this package, one per family."""
    folder = files("dataward.taxonomy").joinpath("entities")
    types: dict[str, EntityType] = {}
    for item in sorted(folder.iterdir(), key=lambda i: i.name):
        if not item.name.endswith(".yaml"):
            continue
        for raw in yaml.safe_load(item.read_text(encoding="utf-8")) or []:
            entity = _parse(raw)
            if entity.name in types:
                raise ConfigError(
                    f"entity type {entity.name!r} is defined twice (again in {item.name})",
                    name=entity.name,
                )
            types[entity.name] = entity
    return Taxonomy(list(types.values()))


__all__ = ["EntityType", "Sensitivity", "Taxonomy", "taxonomy"]
