"""Entity types: categories, sensitivity, regulations and data categories, loaded from data."""

from __future__ import annotations

import enum
import os
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from functools import lru_cache
from importlib.resources import files
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any

import yaml

from dataward.errors import ConfigError, UnknownNameError, yaml_problem
from dataward.taxonomy import vocabulary


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

    def __iter__(self) -> Iterator[EntityType]:
        return iter(sorted(self._types.values(), key=lambda t: t.name))

    def __len__(self) -> int:
        return len(self._types)


def _fail(source: str, name: object, problem: str) -> ConfigError:
    label = f"entity type {name!r}" if isinstance(name, str) else "an entity type"
    return ConfigError(f"{label} in {source}: {problem}", source=source, name=name)


def _strings(raw: dict[str, Any], key: str, source: str) -> tuple[str, ...]:
    value = raw.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise _fail(source, raw.get("name"), f"{key!r} must be a list of strings")
    if len(set(value)) != len(value):
        raise _fail(source, raw.get("name"), f"{key!r} has a repeated entry")
    return tuple(value)


def _unknown(values: tuple[str, ...], known: Mapping[str, str]) -> list[str]:
    return [v for v in values if v not in known]


def _parse(raw: object, source: str = "entities") -> EntityType:
    """Validate one YAML entry of ``source`` against the vocabularies and build its EntityType."""
    if not isinstance(raw, dict):
        raise _fail(source, None, "each entry must be a mapping")
    name = raw.get("name")
    extra = sorted(str(k) for k in raw if k not in vocabulary.FIELDS)
    if extra:
        raise _fail(source, name, f"unknown field(s) {', '.join(extra)}")
    missing = [k for k in vocabulary.REQUIRED_FIELDS if raw.get(k) in (None, "", [])]
    if missing:
        raise _fail(source, name, f"missing field(s) {', '.join(missing)}")
    if not isinstance(name, str) or not vocabulary.NAME_RE.fullmatch(name):
        raise _fail(source, name, "the name must be upper snake case, like EMAIL_ADDRESS")
    description = raw["description"]
    if not isinstance(description, str):
        raise _fail(source, name, "the description must be a string")
    categories = _strings(raw, "categories", source)
    if bad := _unknown(categories, vocabulary.CATEGORIES):
        raise _fail(
            source,
            name,
            f"unknown categor{'y' if len(bad) == 1 else 'ies'} {', '.join(bad)} "
            f"(known: {', '.join(vocabulary.CATEGORIES)})",
        )
    regulations = _strings(raw, "regulations", source)
    if bad := _unknown(regulations, vocabulary.REGULATIONS):
        raise _fail(
            source,
            name,
            f"unknown regulation(s) {', '.join(bad)} (known: {', '.join(vocabulary.REGULATIONS)})",
        )
    sensitivity = raw["sensitivity"]
    if sensitivity not in vocabulary.SENSITIVITIES:
        raise _fail(
            source, name, f"sensitivity must be one of {', '.join(vocabulary.SENSITIVITIES)}"
        )
    data_category = raw["data_category"]
    if not isinstance(data_category, str) or not vocabulary.DATA_CATEGORY_RE.fullmatch(
        data_category
    ):
        raise _fail(
            source,
            name,
            "data_category must be dotted lower case under "
            f"{' or '.join(vocabulary.DATA_CATEGORY_ROOTS)}, like user.contact.email",
        )
    presidio = raw.get("presidio", False)
    if not isinstance(presidio, bool):
        raise _fail(source, name, "presidio must be true or false")
    country = raw.get("country")
    if country is not None and (
        not isinstance(country, str) or not vocabulary.COUNTRY_RE.fullmatch(country)
    ):
        raise _fail(source, name, "country must be an ISO 3166-1 alpha-2 code, like DE")
    return EntityType(
        name=name,
        description=description.strip(),
        categories=categories,
        sensitivity=Sensitivity[sensitivity.upper()],
        regulations=regulations,
        data_category=data_category,
        presidio=presidio,
        country=country,
    )


def load_taxonomy(folder: str | os.PathLike[str] | Traversable) -> Taxonomy:
    """Load and validate every ``*.yaml`` file of ``folder``, one per detector family.

    Raises :class:`~dataward.errors.ConfigError` for a malformed file or entry, or a name that is
    defined twice (in one file or across files).
    """
    if isinstance(folder, str | os.PathLike):
        folder = Path(folder)
    types: dict[str, EntityType] = {}
    where: dict[str, str] = {}
    for item in sorted(folder.iterdir(), key=lambda i: i.name):
        if not item.name.endswith(".yaml"):
            continue
        try:
            entries = yaml.safe_load(item.read_text(encoding="utf-8"))
        except yaml.YAMLError as exc:
            raise ConfigError(
                f"{item.name} is not valid YAML: {yaml_problem(exc)}", source=item.name
            ) from None
        if entries is None:
            continue
        if not isinstance(entries, list):
            raise ConfigError(f"{item.name} must hold a list of entity types", source=item.name)
        for raw in entries:
            entity = _parse(raw, item.name)
            if entity.name in types:
                raise ConfigError(
                    f"entity type {entity.name!r} is defined twice (in {where[entity.name]} "
                    f"and {item.name})",
                    name=entity.name,
                    source=item.name,
                )
            types[entity.name] = entity
            where[entity.name] = item.name
    return Taxonomy(list(types.values()))


@lru_cache(maxsize=1)
def taxonomy() -> Taxonomy:
    """The built-in taxonomy: every ``entities/*.yaml`` file of this package, one per family."""
    return load_taxonomy(files("dataward.taxonomy").joinpath("entities"))


DATASET_TAGS: Mapping[str, str] = {
    "PII_HIGH": "personal data of high or critical sensitivity, or identifying kinds together",
    "PHI": "health data, or identifiers beside it",
    "PCI": "payment-card data",
    "SECRET": "credentials and keys",
    "PII": "any personal data",
    "CONFIDENTIAL": "financial data that is not personal, or confidential content (a contract)",
    "INTELLECTUAL_PROPERTY": "source code and other proprietary work (a content class)",
    "INTERNAL": "chats, prompt logs, model outputs, system logs (a content class)",
    "PUBLIC": "nothing sensitive found, and content that may be public",
}
"""The tags a scan gives a dataset, most sensitive first (``scan --fail-on`` takes these)."""


def did_you_mean(name: str, known: Iterable[str]) -> str:
    """`` Did you mean 'SECRET'?`` for the closest known names (case-insensitive), or ``""``."""
    import difflib

    by_upper = {k.upper(): k for k in known}
    close = difflib.get_close_matches(name.upper(), list(by_upper), n=3, cutoff=0.6)
    if not close:
        return ""
    return f" Did you mean {' or '.join(repr(by_upper[c]) for c in close)}?"


def known_tags() -> frozenset[str]:
    """Every tag a policy request may carry: entity types, categories and dataset tags."""
    return frozenset(t.name for t in taxonomy()) | set(vocabulary.CATEGORIES) | set(DATASET_TAGS)


__all__ = [
    "DATASET_TAGS",
    "EntityType",
    "Sensitivity",
    "Taxonomy",
    "did_you_mean",
    "known_tags",
    "load_taxonomy",
    "taxonomy",
]
