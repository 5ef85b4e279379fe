"""UK identifiers: NHS numbers, National Insurance numbers and passport numbers."""

from __future__ import annotations

from dataward.detect.base import PatternDetector
from dataward.detect.model import Pattern
from dataward.detect.registry import register

_NEGATIVE_NUMBER_WORDS = {
    "en": (
        "order",
        "invoice",
        "tracking",
        "ref",
        "reference",
        "phone",
        "tel",
        "telephone",
        "fax",
        "mobile",
        "call",
        "isbn",
        "ticket",
        "transaction",
        "timestamp",
    ),
    "de": ("bestellung", "rechnung", "telefon", "handy", "referenz"),
    "fr": ("commande", "facture", "téléphone", "portable", "référence"),
    "es": ("pedido", "factura", "teléfono", "móvil", "referencia"),
    "it": ("ordine", "fattura", "telefono", "cellulare", "riferimento"),
    "any": ("tel", "fax", "ref"),
}


def nhs_check_digit(first9: str) -> int | None:
    """The NHS mod-11 check digit of nine digits, or ``None`` when none exists (remainder 10)."""
    total = sum(int(d) * w for d, w in zip(first9, range(10, 1, -1), strict=True))
    check = 11 - total % 11
    if check == 11:
        return 0
    return None if check == 10 else check


def nhs_ok(digits: str) -> bool:
    """Whether ten digits form a valid NHS (or CHI / H&C) number."""
    if len(digits) != 10 or not digits.isdigit() or len(set(digits)) == 1:
        return False
    return nhs_check_digit(digits[:9]) == int(digits[9])


@register("uk-nhs")
class NhsDetector(PatternDetector):
    """NHS numbers (England, Wales, Isle of Man; also Scottish CHI and NI H&C): mod-11 check."""

    entity = "UK_NHS"
    patterns = (
        # The optional groups on either side swallow longer digit sequences so they are rejected.
        Pattern("nhs-spaced", r"(?:[0-9]+ )?[0-9]{3} [0-9]{3} [0-9]{4}(?: [0-9]+)?", 0.5),
        Pattern("nhs-dashed", r"(?:[0-9]+-)?[0-9]{3}-[0-9]{3}-[0-9]{4}(?:-[0-9]+)?", 0.4),
        Pattern("nhs-digits", r"[0-9]{10}", 0.35),
    )
    context = {
        "en": (
            "nhs",
            "national health service",
            "health service",
            "health number",
            "health and care number",
            "chi number",
            "chi",
            "community health index",
            "patient",
            "gp",
        ),
        "de": ("nhs", "gesundheitsdienst"),
        "fr": ("nhs", "service national de santé"),
        "es": ("nhs", "servicio nacional de salud"),
        "it": ("nhs", "servizio sanitario"),
        "any": ("nhs", "nhs#", "nhsno"),
    }
    negative_context = _NEGATIVE_NUMBER_WORDS
    validator = "nhs-mod11"

    def validate(self, value: str, pattern: Pattern) -> float | None:
        digits = "".join(c for c in value if c.isdigit())
        if len(digits) != 10 or not nhs_ok(digits):
            return None
        return pattern.score


# First letter: not D, F, I, Q, U, V. Second letter: not D, F, I, O, Q, U, V.
_NINO_FIRST = "[A-CEGHJ-PR-TW-Z]"
_NINO_SECOND = "[A-CEGHJ-NPR-TW-Z]"
_NINO_PREFIX = _NINO_FIRST + _NINO_SECOND
_NINO_UNALLOCATED = frozenset({"BG", "GB", "KN", "NK", "NT", "TN", "ZZ"})


@register("uk-nino")
class NinoDetector(PatternDetector):
    """UK National Insurance numbers: prefix letters, six digits, suffix A–D (spaces optional)."""

    entity = "UK_NINO"
    patterns = (
        Pattern(
            "nino",
            rf"{_NINO_PREFIX} ?[0-9]{{2}} ?[0-9]{{2}} ?[0-9]{{2}} ?[A-D]",
            0.65,
            ignore_case=True,
        ),
        # Without the suffix letter: a common shape, reported only with context.
        Pattern(
            "nino-no-suffix",
            rf"{_NINO_PREFIX} ?[0-9]{{2}} ?[0-9]{{2}} ?[0-9]{{2}}",
            0.3,
            ignore_case=True,
        ),
    )
    context = {
        "en": (
            "national insurance",
            "insurance number",
            "ni number",
            "ni no",
            "nino",
            "nin",
            "nics",
        ),
        "de": ("sozialversicherungsnummer", "versicherungsnummer", "national insurance"),
        "fr": ("numéro d'assurance", "assurance nationale", "national insurance"),
        "es": ("seguro nacional", "número de seguro", "national insurance"),
        "it": ("assicurazione nazionale", "national insurance"),
        "any": ("nino", "nin", "ni#"),
    }
    negative_context = {
        "en": (
            "order",
            "invoice",
            "tracking",
            "ref",
            "reference",
            "postcode",
            "part number",
            "sku",
        ),
        "any": ("ref", "sku"),
    }
    validator = "nino-prefix-suffix"

    def validate(self, value: str, pattern: Pattern) -> float | None:
        compact = value.replace(" ", "")
        if compact[:2].upper() in _NINO_UNALLOCATED:
            return None
        # Spacing is none, "AB 123456 C" or "AB 12 34 56 C"; anything else is some other code.
        if " " in value and value.upper() not in _spacings(compact.upper()):
            return None
        if not compact.isupper():
            # Lower-case letters: still a NINO, less surely; without a suffix, too unsure.
            return pattern.score - 0.15 if pattern.name == "nino" else None
        return pattern.score


def _spacings(compact: str) -> set[str]:
    """The accepted spellings of a NINO: AB123456C, AB 123456 C, AB 12 34 56 C and kin."""
    p, d, s = compact[:2], compact[2:8], compact[8:]
    bodies = (f"{p}{d}", f"{p} {d}", f"{p} {d[:2]} {d[2:4]} {d[4:]}")
    if not s:
        return set(bodies)
    return {f"{b}{sep}{s}" for b in bodies for sep in ("", " ")}


@register("uk-passport")
class UkPassportDetector(PatternDetector):
    """UK passport numbers (9 digits); reported only near a British-passport phrase."""

    entity = "UK_PASSPORT"
    patterns = (Pattern("uk-passport", r"[0-9]{9}", 0.25),)
    context = {
        "en": (
            "uk passport",
            "british passport",
            "gb passport",
            "gbr passport",
            "hm passport",
            "hmpo",
            "united kingdom passport",
            "passport (uk)",
            "passport (gb)",
        ),
        "de": (
            "britischer reisepass",
            "britischen reisepass",
            "britisches reisepass",
            "uk-reisepass",
        ),
        "fr": ("passeport britannique", "passeport du royaume-uni"),
        "es": ("pasaporte británico", "pasaporte del reino unido"),
        "it": ("passaporto britannico", "passaporto del regno unito"),
        "any": ("hmpo",),
    }
    negative_context = _NEGATIVE_NUMBER_WORDS
    validator = "passport-shape"

    def validate(self, value: str, pattern: Pattern) -> float | None:
        if len(set(value)) == 1:
            return None
        return pattern.score
