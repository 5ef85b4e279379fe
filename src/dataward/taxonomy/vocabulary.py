"""The closed vocabularies of the entity taxonomy; the loader rejects anything outside them.

Each constant maps a term to one sentence saying what it means, so the same text can feed the
documentation, ``dataward entities`` and error messages.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from types import MappingProxyType

CATEGORIES: Mapping[str, str] = MappingProxyType(
    {
        "PII": "Relates to an identified or identifiable natural person.",
        "PHI": "Health information, or an identifier that makes health information individual.",
        "PCI": "Payment card data in scope of PCI DSS (card number, expiry, verification codes).",
        "FINANCIAL": "Describes a person's accounts, money, income or creditworthiness.",
        "SECRET": "A machine secret that grants access (API key, token, private key).",
        "CREDENTIAL": "Proves an identity to a system (password, hash, key, security answer).",
        "SPECIAL_CATEGORY": "A special category of personal data under GDPR Art. 9.",
        "DEMOGRAPHIC": "A trait of a person shared with many others (gender, age, marital status).",
        "IDENTIFIER": "A number or code that singles out a person, account, device or record.",
        "GOVERNMENT_ID": "An identifier issued by a public authority (tax, social security, ID).",
        "CONTACT": "A way to reach a person (email, phone, postal address, handle).",
        "LOCATION": "A place: address, city, postal code, coordinates or a named location.",
        "NETWORK": "A network address or name (IP, MAC, URL, domain, host).",
        "DEVICE": "Identifies a device, a vehicle or an app installation.",
        "TEMPORAL": "A date or time that can relate to a person (birth, admission, visit).",
        "QUASI_IDENTIFIER": "Identifying only in combination with others (ZIP, sex, DOB).",
    }
)

REGULATIONS: Mapping[str, str] = MappingProxyType(
    {
        "GDPR_PERSONAL": "Personal data under GDPR Art. 4(1).",
        "GDPR_SPECIAL": "Special category data under GDPR Art. 9.",
        "GDPR_CRIMINAL": "Criminal convictions and offences data under GDPR Art. 10.",
        "HIPAA_SAFE_HARBOR": "One of the 18 identifiers of HIPAA Safe Harbor, 45 CFR 164.514(b).",
        "PCI_DSS": "Account data protected by the PCI Data Security Standard.",
        "CCPA": "Personal information under the California Consumer Privacy Act.",
        "CCPA_SENSITIVE": "Sensitive personal information under CCPA as amended by the CPRA.",
        "GLBA": "Nonpublic personal information under the Gramm-Leach-Bliley Act.",
        "FERPA": "Personally identifiable information from US education records (FERPA).",
    }
)

SENSITIVITIES: tuple[str, ...] = ("public", "low", "moderate", "high", "critical")
"""Sensitivity levels, lowest first (names of :class:`~dataward.taxonomy.Sensitivity`)."""

DATA_CATEGORY_ROOTS: tuple[str, ...] = ("user", "system")
"""Top-level keys of the Fideslang-style data categories."""

FIELDS: tuple[str, ...] = (
    "name",
    "description",
    "categories",
    "sensitivity",
    "regulations",
    "data_category",
    "presidio",
    "country",
)
"""The keys an entry of an ``entities/*.yaml`` file may have."""

REQUIRED_FIELDS: tuple[str, ...] = (
    "name",
    "description",
    "categories",
    "sensitivity",
    "data_category",
)

NAME_RE = re.compile(r"[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)*")
"""Entity names are upper snake case: ``EMAIL_ADDRESS``, ``US_SSN``."""

DATA_CATEGORY_RE = re.compile(r"(?:user|system)(?:\.[a-z][a-z0-9_]*)+")
"""A dotted, lower-case data category under one of :data:`DATA_CATEGORY_ROOTS`."""

COUNTRY_RE = re.compile(r"[A-Z]{2}")
"""An ISO 3166-1 alpha-2 country code."""


__all__ = [
    "CATEGORIES",
    "COUNTRY_RE",
    "DATA_CATEGORY_RE",
    "DATA_CATEGORY_ROOTS",
    "FIELDS",
    "NAME_RE",
    "REGULATIONS",
    "REQUIRED_FIELDS",
    "SENSITIVITIES",
]
