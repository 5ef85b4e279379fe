"""Phone numbers: a tight candidate regex, cheap shape filters, then ``phonenumbers`` validation.

The regex finds phone-like runs of digit groups (``+CC`` or ``00CC`` international forms, national
forms with spaces, dots, dashes, slashes or a parenthesized area code, an optional extension such
as ``x123`` or ``ext. 12``). ``validate`` first rejects, without parsing, the shapes that are not
phones: dates, decimals, IPv4 addresses, thousands-grouped amounts, year ranges, ISBNs, SSN-shaped
values, Unix timestamps, long order numbers. Only the survivors are parsed, against the ``+CC`` or
against the likely regions for their national prefix, and scored by validity and by how
phone-specific their formatting is.
"""

from __future__ import annotations

import re
from functools import lru_cache

import phonenumbers

from dataward.detect.base import PatternDetector
from dataward.detect.model import Pattern
from dataward.detect.registry import register

_GROUP = r"(?:\(\+?[0-9]{1,5}\)|[0-9]{1,8})"
_EXT = r"(?:[ ]?(?:x|ext\.?|extn\.?|extension)[ :.]?[0-9]{1,6})?"
# separators: space, dot, dash, slash, and the no-break space, narrow no-break space and
# no-break hyphen that word processors put into phone numbers
_SEP = "[ .\\-/\u00a0\u202f\u2011]"
_PHONE = rf"\+?{_GROUP}(?:{_SEP}?{_GROUP}){{1,7}}{_EXT}"
_UNBREAK = str.maketrans({"\u00a0": " ", "\u202f": " ", "\u2011": "-"})

_EXT_SPLIT = re.compile(r"[ ]?(?:x|ext\.?|extn\.?|extension)[ :.]?([0-9]{1,6})$", re.IGNORECASE)
_GROUPS = re.compile(r"[0-9]+")
_SEPS = re.compile(r"[ .\-/]")
_DATE_YMD = re.compile(r"([12][0-9]{3})([-./ ])([0-9]{1,2})\2([0-9]{1,2})")
_DATE_DMY = re.compile(r"([0-9]{1,2})([-./ ])([0-9]{1,2})\2([12][0-9]{3})")

# National numbers that start with the trunk prefix 0: the regions to try, with the range of digit
# counts (the 0 included) worth parsing. Italy keeps its 0; the others drop it.
_TRUNK_REGIONS: tuple[tuple[str, int, int], ...] = (
    ("GB", 10, 11),
    ("DE", 6, 13),
    ("FR", 10, 10),
    ("IT", 6, 11),
    ("NL", 10, 10),
    ("BE", 9, 10),
    ("CH", 10, 10),
    ("AT", 5, 14),
    ("IE", 7, 11),
    ("AU", 10, 10),
    ("IN", 11, 11),
)
# National numbers without a trunk prefix: NANP (optionally with its trunk 1), Spain, Italian
# mobiles, Indian mobiles.
_PLAIN_REGIONS: tuple[tuple[str, int, int, str], ...] = (
    ("US", 7, 11, "123456789"),
    ("ES", 9, 9, "6789"),
    ("IT", 9, 10, "3"),
    ("IN", 10, 10, "6789"),
)

_POSSIBLE = phonenumbers.ValidationResult.IS_POSSIBLE
_LOCAL_ONLY = phonenumbers.ValidationResult.IS_POSSIBLE_LOCAL_ONLY


def _is_date(main: str) -> bool:
    for rx, (d, m) in ((_DATE_YMD, (4, 3)), (_DATE_DMY, (1, 3))):
        mt = rx.fullmatch(main)
        if mt is None:
            continue
        a, b = int(mt.group(d)), int(mt.group(m))
        # either order of day and month (US and European dates)
        if (1 <= a <= 31 and 1 <= b <= 12) or (1 <= a <= 12 and 1 <= b <= 31):
            return True
    return False


def _isbn10_ok(digits: str) -> bool:
    total = sum((10 - i) * int(c) for i, c in enumerate(digits))
    return total % 11 == 0


def _not_a_phone(main: str, digits: str, groups: list[str], seps: set[str]) -> bool:
    """Shapes of national (no ``+``) candidates that are something else than a phone number."""
    n = len(digits)
    if len(set(digits)) == 1:
        return True
    if not seps and "(" not in main:
        # a bare run of digits: timestamps (s and ms), long order or invoice numbers
        return n > 12 or (digits[0] == "1" and n in (10, 13))
    if _is_date(main):
        return True
    if seps == {"."} and len(groups) == 2:
        return True  # a decimal number or a coordinate
    if seps == {"."} and len(groups) == 4 and all(len(g) <= 3 for g in groups):
        return True  # an IPv4 address or a four-part version
    if (
        len(groups) >= 3
        and len(seps) == 1
        and digits[0] != "0"
        and all(len(g) == 3 for g in groups[1:])
        and (len(groups[0]) <= 2 or seps == {"."})
    ):
        return True  # an amount with thousands separators: 1 234 567, 12.345.678
    if len(groups) == 2 and all(len(g) == 4 and g[:2] in ("19", "20") for g in groups):
        return True  # a year range
    if seps == {"-"} and [len(g) for g in groups] == [3, 2, 4]:
        return True  # a US social security number
    if seps <= {"-", " "} and n == 13 and digits[:3] in ("978", "979"):
        return True  # an ISBN-13
    return (
        seps <= {"-", " "}
        and n == 10
        and len(groups) == 4
        and len(groups[-1]) == 1
        and _isbn10_ok(digits)
    )


@lru_cache(maxsize=8192)
def _best(number: str, regions: tuple[str, ...]) -> tuple[bool, int | None]:
    """Parse ``number`` against each region; (valid somewhere, best possibility reason).

    Cached: parsing is the slow step, and columns repeat their values.
    """
    best: int | None = None
    for region in regions:
        try:
            parsed = phonenumbers.parse(number, region)
        except phonenumbers.NumberParseException:
            continue
        if phonenumbers.is_valid_number(parsed):
            return True, _POSSIBLE
        reason = phonenumbers.is_possible_number_with_reason(parsed)
        if reason == _POSSIBLE or (reason == _LOCAL_ONLY and best is None):
            best = reason
    return False, best


@register("phone")
class PhoneDetector(PatternDetector):
    entity = "PHONE_NUMBER"
    patterns = (Pattern("phone", _PHONE, 0.5, ignore_case=True),)
    context = {
        "en": (
            "phone",
            "tel",
            "telephone",
            "mobile",
            "cell",
            "cellphone",
            "fax",
            "call",
            "reach",
            "dial",
            "calling",
            "dial",
            "landline",
            "hotline",
            "whatsapp",
            "sms",
            "text",
            "ph",
            "mob",
            "contact",
            "reach",
        ),
        "de": (
            "telefon",
            "tel",
            "handy",
            "mobil",
            "mobilnummer",
            "rufnummer",
            "anruf",
            "anrufen",
            "rufen",
            "ruf",
            "fax",
            "telefax",
            "festnetz",
            "durchwahl",
            "erreichbar",
            "kontakt",
            "whatsapp",
        ),
        "fr": (
            "téléphone",
            "telephone",
            "tél",
            "tel",
            "portable",
            "mobile",
            "appeler",
            "appelez",
            "appelle",
            "fax",
            "fixe",
            "joindre",
            "contact",
            "whatsapp",
        ),
        "es": (
            "teléfono",
            "telefono",
            "tel",
            "móvil",
            "movil",
            "celular",
            "llamar",
            "llame",
            "llamada",
            "lláma",
            "fax",
            "fijo",
            "contacto",
            "whatsapp",
        ),
        "it": (
            "telefono",
            "tel",
            "cellulare",
            "cell",
            "chiamare",
            "chiama",
            "chiamami",
            "chiamata",
            "fax",
            "fisso",
            "contatto",
            "whatsapp",
        ),
    }
    negative_context = {
        "en": (
            "order",
            "invoice",
            "ticket",
            "version",
            "serial",
            "tracking",
            "account",
            "transaction",
            "receipt",
            "patent",
            "timestamp",
            "epoch",
            "price",
            "total",
            "amount",
            "population",
        ),
        "de": (
            "bestellung",
            "bestellnummer",
            "rechnung",
            "auftrag",
            "kundennummer",
            "konto",
            "version",
            "seriennummer",
            "sendungsnummer",
            "betrag",
            "preis",
        ),
        "fr": (
            "commande",
            "facture",
            "compte",
            "billet",
            "version",
            "référence",
            "montant",
            "prix",
        ),
        "es": (
            "pedido",
            "factura",
            "cuenta",
            "billete",
            "versión",
            "referencia",
            "importe",
            "precio",
        ),
        "it": (
            "ordine",
            "fattura",
            "conto",
            "biglietto",
            "versione",
            "riferimento",
            "importo",
            "prezzo",
        ),
        "any": ("isbn", "iban", "sku", "ssn", "ean", "gtin", "doi", "nhs", "mrn", "npi"),
    }
    validator = "phonenumbers"

    def validate(self, value: str, pattern: Pattern) -> float | None:
        value = value.translate(_UNBREAK)
        ext = _EXT_SPLIT.search(value)
        main = value[: ext.start()] if ext else value
        digits = "".join(_GROUPS.findall(main))
        n = len(digits)
        if not 7 <= n <= 15:
            return None
        plus = main.find("+")
        if plus > 1 or main.count("+") > 1 or main.count("(") != main.count(")"):
            return None
        if plus == 1 and not main.startswith("(+"):
            return None
        groups = _GROUPS.findall(main)
        seps = set(_SEPS.findall(main))
        if plus >= 0 or digits.startswith("00"):
            return self._international(main, digits, plus >= 0, ext is not None)
        if _not_a_phone(main, digits, groups, seps):
            return None
        return self._national(main, digits, groups, seps, ext is not None)

    @staticmethod
    def _international(main: str, digits: str, plus: bool, has_ext: bool) -> float | None:
        number = "+" + (digits if plus else digits[2:])
        if "(0)" in main:  # +44 (0)20 ...: the trunk 0 written in parentheses
            head, _, tail = main.partition("(0)")
            number = (
                "+"
                + "".join(_GROUPS.findall(head)).removeprefix("00")
                + "".join(_GROUPS.findall(tail))
            )
        if not 8 <= len(number) <= 16:
            return None
        valid, reason = _best(number, ("ZZ",))
        if not plus and not _SEPS.search(main) and "(" not in main:
            return 0.45 if valid else None  # a bare 00... run: as likely an account or order
        if valid:
            return 0.9 if plus else 0.8
        if reason != _POSSIBLE:
            return None
        if plus:
            return 0.6
        # 00 + a number: as phone-like as +, only when formatted like one (001-555-123-4567)
        return 0.55 if has_ext or len(_GROUPS.findall(main)) >= 3 else 0.4

    @staticmethod
    def _national(
        main: str, digits: str, groups: list[str], seps: set[str], has_ext: bool
    ) -> float | None:
        n = len(digits)
        if digits[0] == "0":
            if n > 13:
                return None
            regions = tuple(r for r, lo, hi in _TRUNK_REGIONS if lo <= n <= hi)
        else:
            if n > 11:
                return None
            regions = tuple(
                r
                for r, lo, hi, first in _PLAIN_REGIONS
                if lo <= n <= hi
                and digits[0] in first
                and (r != "US" or n < 11 or digits[0] == "1")
            )
        lengths = [len(g) for g in groups]
        # A number no known region accepts may still be a phone number (one of the ~200 regions
        # not tried, or a local number): formatted like one, it is reported when phone words
        # are near (0.2 + context), never on its shape alone.
        shaped = (
            bool(seps or "(" in main) and len(groups) >= 2 and max(lengths) <= 4 + ("(" in main)
        )
        if not regions:
            return 0.2 if shaped else None
        valid, reason = _best(digits, regions)
        if not valid and reason is None:
            return 0.2 if shaped else None
        if "(" in main or has_ext or lengths in ([3, 3, 4], [1, 3, 3, 4]):
            strength = 2  # a parenthesized area code, an extension, NANP grouping
        elif not seps:
            strength = 0  # a bare run of digits
        elif digits[0] == "0" and len(groups) >= 3:
            strength = 2  # trunk prefix and phone-style grouping: 020 7946 0958
        else:
            strength = 1
        if valid:
            return (0.4, 0.6, 0.75)[strength]
        if reason == _POSSIBLE:
            return (0.2, 0.35, 0.55)[strength]
        return (0.15, 0.3, 0.4)[strength]  # possible only as a local number: 555-0143
