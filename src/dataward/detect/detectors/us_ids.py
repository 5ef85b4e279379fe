"""US government identifiers: SSN, ITIN, EIN, passport and driver's license numbers.

Only the SSN and ITIN in their dashed or spaced forms carry enough structure to be reported on
shape alone; every other form here (nine bare digits, passports, driver's licenses) is a shape that
many other numbers share, so it scores below the threshold and needs a context word to be reported.
"""

from __future__ import annotations

from dataward.detect.base import PatternDetector
from dataward.detect.model import Pattern
from dataward.detect.registry import register

# Numbers that are the same in every language, so they apply whatever the text's language is.
_NEGATIVE_NUMBER_WORDS = {
    "en": (
        "order",
        "invoice",
        "tracking",
        "ref",
        "reference",
        "phone",
        "tel",
        "fax",
        "mobile",
        "call",
        "zip",
        "isbn",
        "sku",
        "serial number",
        "ticket",
        "transaction",
        "shipment",
        "confirmation",
        "case number",
    ),
    "de": ("bestellung", "bestellnummer", "rechnung", "sendungsnummer", "telefon", "referenz"),
    "fr": ("commande", "facture", "suivi", "téléphone", "référence"),
    "es": ("pedido", "factura", "seguimiento", "teléfono", "referencia"),
    "it": ("ordine", "fattura", "spedizione", "telefono", "riferimento"),
    "any": ("tel", "fax", "ref", "po", "awb"),
}

# Widely published sample or advertising numbers: real in shape, reported only with context.
_FAKE_SSNS = frozenset({"078051120", "219099999", "457555462", "123456789", "987654320"})


def _digits(value: str) -> str:
    return "".join(c for c in value if c.isdigit())


def _separators(value: str) -> set[str]:
    return {c for c in value if not c.isalnum()}


def _ssn_parts_ok(digits: str) -> bool:
    area, group, serial = digits[:3], digits[3:5], digits[5:]
    if area in ("000", "666") or area[0] == "9":
        return False
    return group != "00" and serial != "0000"


def _looks_fake(digits: str) -> bool:
    return digits in _FAKE_SSNS or len(set(digits)) == 1 or digits.startswith("98765432")


@register("us-ssn")
class SsnDetector(PatternDetector):
    """US Social Security numbers (area/group/serial rules; sample numbers need context)."""

    entity = "US_SSN"
    patterns = (
        # The optional digit groups on either side swallow longer numbers (2023-123-45-6789,
        # 123-45-6789-01) so that validate can reject them; a real SSN matches without them.
        Pattern("ssn-dashed", r"(?:[0-9]+[-.])?[0-9]{3}-[0-9]{2}-[0-9]{4}(?:[-.][0-9]+)?", 0.6),
        Pattern(
            "ssn-spaced", r"(?:[0-9]+[ .])?[0-9]{3}[ .][0-9]{2}[ .][0-9]{4}(?:[ .][0-9]+)?", 0.5
        ),
        Pattern("ssn-digits", r"[0-9]{9}", 0.3),
    )
    context = {
        "en": ("ssn", "ssns", "social security", "social", "ss#", "ss #", "ss no"),
        "de": ("sozialversicherungsnummer", "sozialversicherung", "ssn"),
        "fr": ("sécurité sociale", "securite sociale", "ssn"),
        "es": ("seguro social", "seguridad social", "ssn"),
        "it": ("previdenza sociale", "sicurezza sociale", "ssn"),
        "any": ("ssn", "ssn#"),
    }
    negative_context = {
        **_NEGATIVE_NUMBER_WORDS,
        "en": (*_NEGATIVE_NUMBER_WORDS["en"], "ein", "medical record"),
        "any": (*_NEGATIVE_NUMBER_WORDS["any"], "mrn", "npi"),
    }
    validator = "ssn-area-group-serial"

    def validate(self, value: str, pattern: Pattern) -> float | None:
        digits = _digits(value)
        if len(digits) != 9 or len(_separators(value)) > 1:
            return None
        if not _ssn_parts_ok(digits):
            return None
        if _looks_fake(digits):
            return 0.2
        return pattern.score


def _itin_group_ok(group: int) -> bool:
    return 50 <= group <= 65 or 70 <= group <= 88 or 90 <= group <= 92 or 94 <= group <= 99


@register("us-itin")
class ItinDetector(PatternDetector):
    """US Individual Taxpayer Identification Numbers: 9xx-GG-xxxx with IRS group ranges."""

    entity = "US_ITIN"
    patterns = (
        Pattern("itin-dashed", r"(?:[0-9]+[-.])?9[0-9]{2}-[5-9][0-9]-[0-9]{4}(?:[-.][0-9]+)?", 0.6),
        Pattern(
            "itin-spaced", r"(?:[0-9]+[ .])?9[0-9]{2}[ .][5-9][0-9][ .][0-9]{4}(?:[ .][0-9]+)?", 0.5
        ),
        Pattern("itin-digits", r"9[0-9]{2}[5-9][0-9]{5}", 0.3),
    )
    context = {
        "en": ("itin", "individual taxpayer", "taxpayer", "tax id", "tin"),
        "de": ("steueridentifikationsnummer", "steuernummer", "itin"),
        "fr": ("numéro fiscal", "identification fiscale", "contribuable", "itin"),
        "es": ("identificación fiscal", "contribuyente", "itin"),
        "it": ("codice fiscale", "identificazione fiscale", "contribuente", "itin"),
        "any": ("itin", "tin"),
    }
    negative_context = _NEGATIVE_NUMBER_WORDS
    validator = "itin-group"

    def validate(self, value: str, pattern: Pattern) -> float | None:
        digits = _digits(value)
        if len(digits) != 9 or len(_separators(value)) > 1 or digits[0] != "9":
            return None
        if not _itin_group_ok(int(digits[3:5])):
            return None
        return pattern.score


# IRS campus prefixes that have been assigned (irs.gov, "How EINs are assigned").
_EIN_PREFIXES = frozenset(
    f"{n:02d}"
    for n in (
        *range(1, 7),
        *range(10, 17),
        *range(20, 28),
        *range(30, 49),
        *range(50, 69),
        *range(71, 78),
        *range(80, 89),
        *range(90, 96),
        98,
        99,
    )
)


@register("us-ein")
class EinDetector(PatternDetector):
    """US Employer Identification Numbers: xx-xxxxxxx with an assigned IRS prefix; needs context."""

    entity = "US_EIN"
    patterns = (
        Pattern("ein-dashed", r"(?:[0-9]+-)?[0-9]{2}-[0-9]{7}(?:-[0-9]+)?", 0.4),
        Pattern("ein-digits", r"[0-9]{9}", 0.2),
    )
    context = {
        "en": (
            "ein",
            "fein",
            "employer identification",
            "employer id",
            "federal tax",
            "tax id",
            "taxpayer",
            "tin",
        ),
        "de": ("arbeitgeber", "steuernummer", "ein"),
        "fr": ("identification de l'employeur", "numéro fiscal", "employeur"),
        "es": ("identificación del empleador", "identificación fiscal", "empleador"),
        "it": ("identificazione del datore", "datore di lavoro", "identificazione fiscale"),
        "any": ("fein", "tin"),
    }
    negative_context = _NEGATIVE_NUMBER_WORDS
    validator = "ein-prefix"

    def validate(self, value: str, pattern: Pattern) -> float | None:
        digits = _digits(value)
        if len(digits) != 9 or digits[:2] not in _EIN_PREFIXES:
            return None
        return pattern.score


@register("us-passport")
class UsPassportDetector(PatternDetector):
    """US passport book and card numbers (9 digits, or a letter and 8 digits); needs context."""

    entity = "US_PASSPORT"
    patterns = (
        Pattern("us-passport-letter", r"[A-Z][0-9]{8}", 0.25),
        Pattern("us-passport-digits", r"[0-9]{9}", 0.2),
    )
    context = {
        "en": ("passport", "travel document"),
        "de": ("reisepass", "reisepassnummer", "passnummer", "passport"),
        "fr": ("passeport", "passport"),
        "es": ("pasaporte", "passport"),
        "it": ("passaporto", "passport"),
    }
    negative_context = _NEGATIVE_NUMBER_WORDS
    validator = "passport-shape"

    def validate(self, value: str, pattern: Pattern) -> float | None:
        digits = _digits(value)
        if len(set(digits)) == 1:
            return None
        return pattern.score


# State formats (AAMVA): letters and digits in the combinations the states issue. The shapes are
# shared by many other codes, so every pattern needs a driver's-license word near it.
_DL_LETTERS_DIGITS = r"[A-Z]{1,3}[0-9]{4,14}[A-Z]?"  # CA A1234567, ND ABC123456, MO A123456R
_DL_DIGITS_LETTERS = r"[0-9]{6,9}[A-Z]{1,2}"  # ME, MO, VT: 1234567A, 12345678AB
_DL_MIXED = (
    r"[0-9]{2}[A-Z]{3}[0-9]{5}"  # NH
    r"|[0-9]{3}[A-Z]{2}[0-9]{4}"  # IA
    r"|[A-Z][0-9][A-Z][0-9][A-Z]"  # KS
    r"|WDL[A-Z0-9]{9}"  # WA (since 2018)
    r"|[A-Z][A-Z*]{4}[A-Z][A-Z*][0-9]{3}[A-Z0-9]{2}"  # WA (name based)
)
# FL S123-456-78-901-0, IL S123-4567-8901, MD S-123-456-789-012, WI S123-4567-8901-23,
# NJ S1234 56789 01234, MI S 123 456 789 012.
_DL_GROUPED = r"[A-Z][- ]?[0-9]{3,5}(?:[- ][0-9]{1,5}){2,4}"


@register("us-driver-license")
class UsDriverLicenseDetector(PatternDetector):
    """US driver's license numbers in the per-state formats; needs a driver's-license word."""

    entity = "US_DRIVER_LICENSE"
    patterns = (
        Pattern("dl-letters-digits", _DL_LETTERS_DIGITS, 0.3),
        Pattern("dl-digits-letters", _DL_DIGITS_LETTERS, 0.3),
        Pattern("dl-mixed", _DL_MIXED, 0.3),
        Pattern("dl-grouped", _DL_GROUPED, 0.3),
        Pattern("dl-digits", r"[0-9]{5,14}", 0.2),
    )
    context = {
        "en": (
            "driver",
            "drivers",
            "driving",
            "driver's license",
            "drivers license",
            "driver license",
            "driving licence",
            "dmv",
        ),
        "de": ("führerschein", "fuehrerschein", "fahrerlaubnis", "führerscheinnummer"),
        "fr": ("permis de conduire", "permis de conduite"),
        "es": (
            "licencia de conducir",
            "licencia de manejo",
            "carnet de conducir",
            "permiso de conducir",
        ),
        "it": ("patente", "patente di guida"),
        "any": ("dl", "dln", "dl#", "cdl"),
    }
    negative_context = {
        **_NEGATIVE_NUMBER_WORDS,
        "en": (*_NEGATIVE_NUMBER_WORDS["en"], "plate", "registration", "vin"),
        "de": (*_NEGATIVE_NUMBER_WORDS["de"], "kennzeichen"),
        "fr": (*_NEGATIVE_NUMBER_WORDS["fr"], "plaque", "immatriculation"),
        "es": (*_NEGATIVE_NUMBER_WORDS["es"], "matrícula", "placa"),
        "it": (*_NEGATIVE_NUMBER_WORDS["it"], "targa"),
    }
    validator = "state-format"

    def validate(self, value: str, pattern: Pattern) -> float | None:
        digits = _digits(value)
        if len(digits) < 2 or len(set(digits)) == 1:
            return None
        if pattern.name == "dl-grouped" and (
            not 8 <= len(digits) <= 14 or len(_separators(value)) > 1
        ):
            return None
        return pattern.score
