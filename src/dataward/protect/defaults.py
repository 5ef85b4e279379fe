"""The default operator of each entity type, used when no rule matches.

Look-up order: a user's ``protect.defaults`` entry for the type; for a whole column, the
type's entry in :data:`COLUMN_DEFAULTS`; the type's own entry in :data:`DEFAULT_OPERATORS`;
the first category of :data:`CATEGORY_DEFAULTS` the type has (from the taxonomy); then
:data:`FALLBACK`.

Defaults keep training utility where no rule says otherwise: a column of diagnoses,
medications or other attributes that say nothing of *who* someone is keeps its values (its
cells are still scanned for identifiers), a column of special-category attributes (ethnicity,
religion...) gets a keyed pseudonym per value so categories stay distinct, and identifiers are
tokenized or hashed deterministically so joins survive. No default turns a column of
categories into one constant.
"""

from __future__ import annotations

from typing import Any

from dataward.protect.config import OperatorSpec


def _spec(operator: str, **params: Any) -> OperatorSpec:
    return OperatorSpec(operator=operator, params=params)


_TOKEN = _spec("token")
_HASH = _spec("hash", length=16)
_REPLACE = _spec("replace")
_REDACT = _spec("redact")

DEFAULT_OPERATORS: dict[str, OperatorSpec] = {
    # people
    "PERSON": _spec("surrogate", kind="name"),
    "FIRST_NAME": _spec("surrogate", kind="first-name"),
    "LAST_NAME": _spec("surrogate", kind="last-name"),
    "USERNAME": _HASH,
    "SOCIAL_MEDIA_HANDLE": _HASH,
    # contact and places
    "EMAIL_ADDRESS": _TOKEN,
    "PHONE_NUMBER": _spec("mask", preset="phone"),
    "STREET_ADDRESS": _REPLACE,
    "LOCATION": _REPLACE,
    "CITY": _spec("surrogate", kind="city"),
    "PLACE_OF_BIRTH": _REPLACE,
    "POSTAL_CODE": _spec("generalize", kind="postcode", keep=3, on_invalid="suppress"),
    "GEO_COORDINATE": _REPLACE,
    "URL": _REPLACE,
    # dates and demographics
    "DATE_OF_BIRTH": _spec("generalize", kind="date", granularity="year", on_invalid="suppress"),
    "DATE_TIME": _spec("date-shift", max_days=30, on_invalid="null"),
    "AGE": _spec("generalize", kind="age", on_invalid="suppress"),
    # payment
    "CREDIT_CARD": _spec("fpe", luhn=True, keep_first=6, on_short="mask"),
    "CVV": _REDACT,
    "CARD_EXPIRY": _spec("mask"),
    "IBAN_CODE": _TOKEN,
    "BANK_ACCOUNT": _TOKEN,
    "US_BANK_NUMBER": _TOKEN,
    "ABA_ROUTING_NUMBER": _spec("mask", keep_last=4),
    "SWIFT_CODE": _spec("mask", keep_first=4),
    "CRYPTO": _TOKEN,
    # network and devices
    "IP_ADDRESS": _HASH,
    "MAC_ADDRESS": _HASH,
    "IMEI": _HASH,
    "MEID": _HASH,
    "DEVICE_ID": _HASH,
    "ADVERTISING_ID": _HASH,
    "COOKIE_ID": _HASH,
    "VIN": _HASH,
    "LICENSE_PLATE": _HASH,
    # credentials
    "PASSWORD": _REDACT,
    "PASSWORD_HASH": _REDACT,
    "SECURITY_QUESTION_ANSWER": _REDACT,
}
"""Entity type → operator for the common types."""

CATEGORY_DEFAULTS: tuple[tuple[str, OperatorSpec], ...] = (
    ("SECRET", _REDACT),
    ("CREDENTIAL", _REDACT),
    ("GOVERNMENT_ID", _TOKEN),
    ("PCI", _spec("mask")),
    ("SPECIAL_CATEGORY", _REPLACE),
    ("IDENTIFIER", _TOKEN),
    ("FINANCIAL", _TOKEN),
    ("NETWORK", _HASH),
    ("DEVICE", _HASH),
)
"""Category → operator, first match, for types without their own entry."""

_KEEP = _spec("keep")

COLUMN_DEFAULTS: dict[str, OperatorSpec] = {
    # attributes that carry the signal and identify no one: kept, cells still scanned
    **dict.fromkeys(
        (
            "MEDICAL_CONDITION",
            "MEDICAL_PROCEDURE",
            "MEDICATION",
            "BLOOD_TYPE",
            "DISABILITY",
            "GENDER",
            "MARITAL_STATUS",
            "OCCUPATION",
            "HEIGHT",
            "WEIGHT",
            "NATIONALITY",
            "COUNTRY",
            "PREFIX",
        ),
        _KEEP,
    ),
    # special categories: one keyed pseudonym per value (categories stay distinct)
    **dict.fromkeys(
        (
            "ETHNICITY",
            "RELIGION",
            "NRP",
            "SEXUAL_ORIENTATION",
            "POLITICAL_OPINION",
            "PHILOSOPHICAL_BELIEF",
            "TRADE_UNION_MEMBERSHIP",
            "GENETIC",
        ),
        _HASH,
    ),
}
"""Entity type → operator for a whole classified column, before :data:`DEFAULT_OPERATORS`
(in text, findings of these types keep their usual default)."""

FALLBACK = _REPLACE
"""Everything else: ``<ENTITY_TYPE>``."""


def categories_of(entity: str | None) -> frozenset[str]:
    """The taxonomy categories of ``entity`` (empty for unknown or custom types)."""
    if entity is None:
        return frozenset()
    from dataward.taxonomy import taxonomy

    tax = taxonomy()
    if entity not in tax:
        return frozenset()
    return frozenset(tax.get(entity).categories)


def default_spec(
    entity: str | None,
    overrides: dict[str, OperatorSpec] | None = None,
    *,
    scope: str = "finding",
) -> OperatorSpec:
    """The operator for ``entity`` when no rule matches: for a whole column (``scope="column"``)
    or a finding in text."""
    if entity is not None:
        if overrides and entity in overrides:
            return overrides[entity]
        if scope == "column" and entity in COLUMN_DEFAULTS:
            return COLUMN_DEFAULTS[entity]
        if entity in DEFAULT_OPERATORS:
            return DEFAULT_OPERATORS[entity]
        cats = categories_of(entity)
        for category, spec in CATEGORY_DEFAULTS:
            if category in cats:
                return spec
    return FALLBACK


def default_table() -> list[tuple[str, str, dict[str, Any]]]:
    """(entity type, ``column:TYPE`` or ``category:NAME``, operator, parameters) rows, for docs
    and reports."""
    rows = [(f"column:{e}", s.operator, dict(s.params)) for e, s in COLUMN_DEFAULTS.items()]
    rows += [(e, s.operator, dict(s.params)) for e, s in DEFAULT_OPERATORS.items()]
    rows += [(f"category:{c}", s.operator, dict(s.params)) for c, s in CATEGORY_DEFAULTS]
    rows.append(("*", FALLBACK.operator, dict(FALLBACK.params)))
    return rows
