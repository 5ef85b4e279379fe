"""National identity and tax numbers, table driven and validated by python-stdnum checksums.

Each identifier is one call of :func:`national_id`: registry key, entity, country, regex shapes,
the check (a ``stdnum`` module's ``is_valid`` or a small local function) and context words. The
call builds a :class:`NationalIdDetector` subclass, registers it and returns it; the region modules
(``national_ids_europe``, ``national_ids_nordic_baltic``, ``national_ids_eu_vat``,
``national_ids_americas``, ``national_ids_asia_pacific``) bind each class to a module attribute
of the same name, so instances pickle.

Scores follow the shape. A value with letters in fixed places, a country prefix or a separator
layout that only this identifier uses scores 0.6 or more once its checksum passes. A bare digit run
that passes a mod-11 or Luhn check (about one random number in ten) scores below 0.5 and needs a
context word ("PESEL", "Steuer-ID", a column name) to be reported; that also keeps the 11-digit
forms of different countries apart.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import ClassVar, cast

from dataward.detect.base import ContextWords, PatternDetector
from dataward.detect.model import Pattern
from dataward.detect.registry import register

Check = Callable[[str], bool]

NEGATIVE_DIGITS: ContextWords = {
    "en": ("phone", "tel", "telephone", "fax", "mobile", "isbn", "iban", "tracking", "serial"),
    "de": ("telefon", "tel", "fax", "handy", "mobil", "isbn", "iban"),
    "fr": ("téléphone", "tél", "tel", "fax", "portable", "isbn", "iban"),
    "es": ("teléfono", "tel", "fax", "móvil", "isbn", "iban"),
    "it": ("telefono", "tel", "fax", "cellulare", "isbn", "iban"),
}
"""Words near a bare digit run that make an identity number unlikely."""


@dataclass(frozen=True, slots=True)
class NationalIdSpec:
    """One identifier: what the table of a region module says about it."""

    key: str
    entity: str
    country: str
    """ISO 3166-1 alpha-2 code (``EU`` for EU VAT numbers)."""
    check: Check
    validator: str
    strip: str
    """Separator characters removed before ``check`` (those the regexes allow)."""


class NationalIdDetector(PatternDetector):
    """Base of the generated detectors: strip separators, run the checksum, keep the score."""

    spec: ClassVar[NationalIdSpec]

    def validate(self, value: str, pattern: Pattern) -> float | None:
        spec = self.spec
        compact = value.translate({ord(c): None for c in spec.strip}) if spec.strip else value
        try:
            ok = spec.check(compact)
        except Exception:
            return None
        return pattern.score if ok else None


def stdnum_check(module: str) -> Check:
    """The ``is_valid`` of a python-stdnum module (``"stdnum.es.nif"``)."""
    return cast(Check, importlib.import_module(module).is_valid)


def shapes(
    key: str, *items: tuple[str, str, float], ignore_case: bool = False
) -> tuple[Pattern, ...]:
    """Patterns named ``<key>-<suffix>`` from ``(suffix, regex, score after validation)``."""
    return tuple(
        Pattern(f"{key}-{name}", regex, score, ignore_case) for name, regex, score in items
    )


def class_name(key: str) -> str:
    """``"es-nif"`` → ``"EsNifDetector"``: the module attribute a generated class is bound to."""
    return "".join(part.capitalize() for part in key.split("-")) + "Detector"


def national_id(
    key: str,
    entity: str,
    country: str,
    patterns: tuple[Pattern, ...],
    *,
    check: str | Check,
    context: ContextWords,
    module: str,
    negative_context: ContextWords = NEGATIVE_DIGITS,
    strip: str = " -./",
    validator: str | None = None,
) -> type[NationalIdDetector]:
    """Build, register and return the detector class of one identifier.

    ``check`` is a python-stdnum module name or a function; ``module`` is the ``__name__`` of the
    module that binds the returned class to the attribute :func:`class_name` gives, which pickling
    relies on.
    """
    if isinstance(check, str):
        checker, label = stdnum_check(check), check
    else:
        checker, label = check, validator or key
    spec = NationalIdSpec(key, entity, country, checker, validator or label, strip)
    name = class_name(key)
    attrs: dict[str, object] = {
        "__module__": module,
        "__qualname__": name,
        "__doc__": f"{entity} ({country}), validated by {spec.validator}.",
        "spec": spec,
        "entity": entity,
        "patterns": patterns,
        "context": _lower(context),
        "negative_context": _lower(negative_context),
        "validator": spec.validator,
    }
    cls = cast(type[NationalIdDetector], type(name, (NationalIdDetector,), attrs))
    return register(key)(cls)


def _lower(words: ContextWords) -> dict[str, tuple[str, ...]]:
    return {lang: tuple(w.lower() for w in group) for lang, group in words.items()}


def specs() -> Mapping[str, NationalIdSpec]:
    """Every registered national identifier spec by registry key (loads the region modules)."""
    from dataward.detect.detectors import load_builtins
    from dataward.detect.registry import detectors

    load_builtins()
    out: dict[str, NationalIdSpec] = {}
    for name in detectors.names():
        det = detectors.get(name)
        if isinstance(det, NationalIdDetector):
            out[name] = det.spec
    return out
