"""Bank account identifiers: IBANs (every registry country) and national account formats.

IBANs are checked against the per-country BBAN structure of the SWIFT IBAN registry and the
ISO 7064 mod 97-10 check, in the electronic form and the printed form (groups of four). National
formats are reported as BANK_ACCOUNT only where a checksum exists; how much they score without a
context word depends on how distinctive their printed shape is.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from stdnum.ar import cbu as _ar_cbu
from stdnum.cz import bankaccount as _cz_account
from stdnum.es import ccc as _es_ccc
from stdnum.no import kontonr as _no_kontonr
from stdnum.nz import bankaccount as _nz_account

from dataward.detect.base import PatternDetector
from dataward.detect.model import Pattern
from dataward.detect.registry import register
from dataward.detect.validators import (
    all_same,
    be_account_ok,
    fr_rib_ok,
    hu_account_ok,
    iban_mod97_ok,
    it_bban_ok,
    mx_clabe_ok,
    only_digits,
    pl_nrb_ok,
)

# BBAN structure per country, from the SWIFT IBAN registry: n digits, a letters, c alphanumeric.
_BBAN_FORMATS = """
AD:4n4n12c AE:3n16n AL:8n16c AT:5n11n AZ:4a20c BA:3n3n8n2n BE:3n7n2n BG:4a4n2n8c BH:4a14c
BI:5n5n11n2n BR:8n5n10n1a1c BY:4c4n16c CH:5n12c CR:4n14n CY:3n5n16c CZ:4n16n DE:8n10n
DJ:5n5n11n2n DK:4n9n1n DO:4c20n EE:2n14n EG:4n4n17n ES:4n4n1n1n10n FI:3n11n FK:2a12n FO:4n9n1n
FR:5n5n11c2n GB:4a6n8n GE:2a16n GI:4a15c GL:4n9n1n GR:3n4n16c GT:4c20c HN:4a20n HR:7n10n
HU:3n4n1n15n1n IE:4a6n8n IL:3n3n13n IQ:4a3n12n IS:4n2n6n10n IT:1a5n5n12c JO:4a4n18c KW:4a22c
KZ:3n13c LB:4n20c LC:4a24c LI:5n12c LT:5n11n LU:3n13c LV:4a13c LY:3n3n15n MC:5n5n11c2n MD:2c18c
ME:3n13n2n MK:3n10c2n MN:4n12n MR:5n5n11n2n MT:4a5n18c MU:4a2n2n12n3n3a NI:4a20n NL:4a10n
NO:4n6n1n OM:3n16c PK:4a16c PL:8n16n PS:4a21c PT:4n4n11n2n QA:4a21c RO:4a16c RS:3n13n2n
RU:9n5n15c SA:2n18c SC:4a2n2n16n3a SD:2n12n SE:3n16n1n SI:5n8n2n SK:4n6n10n SM:1a5n5n12c
SO:4n3n12n ST:4n4n11n2n SV:4a20n TL:3n14n2n TN:2n3n13n2n TR:5n1n16c UA:6n19c VA:3n15n VG:4a16n
XK:4n10n2n YE:4a4n18c
"""

_CLASSES = {"n": "[0-9]", "a": "[A-Z]", "c": "[A-Z0-9]"}


def _bban_classes(fmt: str) -> list[str]:
    return [
        _CLASSES[kind]
        for count, kind in re.findall(r"([0-9]+)([nac])", fmt)
        for _ in range(int(count))
    ]


def _chunk_regex(classes: list[str]) -> str:
    out = []
    i = 0
    while i < len(classes):
        j = i
        while j < len(classes) and classes[j] == classes[i]:
            j += 1
        n = j - i
        out.append(classes[i] + (f"{{{n}}}" if n > 1 else ""))
        i = j
    return "".join(out)


def _iban_regex(country: str, fmt: str) -> str:
    """CC, two check digits, the BBAN classes in groups of four, each group after an optional space."""
    classes = _bban_classes(fmt)
    groups = [classes[i : i + 4] for i in range(0, len(classes), 4)]
    return country + "[0-9]{2}" + "".join(" ?" + _chunk_regex(g) for g in groups)


IBAN_LENGTHS: dict[str, int] = {}
_alternatives = []
for _item in _BBAN_FORMATS.split():
    _cc, _fmt = _item.split(":")
    IBAN_LENGTHS[_cc] = 4 + len(_bban_classes(_fmt))
    _alternatives.append(_iban_regex(_cc, _fmt))
_IBAN_REGEX = "(?:" + "|".join(_alternatives) + ")"


def _printed_ok(value: str) -> bool:
    """No spaces, or a space after every group of four: ``DE89 3704 0044 0532 0130 00``."""
    if " " not in value:
        return True
    compact = value.replace(" ", "")
    return value == " ".join(compact[i : i + 4] for i in range(0, len(compact), 4))


def _one_case(value: str) -> bool:
    letters = [c for c in value if c.isalpha()]
    return all(c.isupper() for c in letters) or all(c.islower() for c in letters)


@register("iban")
class IbanDetector(PatternDetector):
    entity = "IBAN_CODE"
    patterns = (Pattern("iban", _IBAN_REGEX, 0.95, ignore_case=True),)
    context = {
        "en": ("iban", "account", "bank", "transfer", "payee", "beneficiary"),
        "de": ("iban", "konto", "bankverbindung", "überweisung", "empfänger"),
        "fr": ("iban", "compte", "virement", "banque", "bénéficiaire"),
        "es": ("iban", "cuenta", "transferencia", "banco", "beneficiario"),
        "it": ("iban", "conto", "bonifico", "banca", "beneficiario"),
    }
    validator = "iban-mod97"

    def validate(self, value: str, pattern: Pattern) -> float | None:
        if not _printed_ok(value) or not _one_case(value):
            return None
        compact = value.replace(" ", "").upper()
        if IBAN_LENGTHS.get(compact[:2]) != len(compact) or not iban_mod97_ok(compact):
            return None
        if all_same(compact[4:]):
            return None
        return pattern.score


# -- National account numbers ----------------------------------------------------------------------


def _es_ok(digits: str) -> bool:
    return bool(_es_ccc.is_valid(digits))


def _cz_ok(value: str) -> bool:
    return bool(_cz_account.is_valid(value))


def _nz_ok(value: str) -> bool:
    return bool(_nz_account.is_valid(value))


def _no_ok(digits: str) -> bool:
    return bool(_no_kontonr.is_valid(digits))


def _ar_ok(digits: str) -> bool:
    return bool(_ar_cbu.is_valid(digits))


def _compact(value: str) -> str:
    return value.replace(" ", "").replace("-", "").replace(".", "")


# pattern name (less "-printed") -> check of the value without separators ("raw": as printed)
_CHECKS: dict[str, tuple[Callable[[str], bool], str]] = {
    "es-ccc": (_es_ok, "digits"),
    "fr-rib": (fr_rib_ok, "compact"),
    "it-bban": (it_bban_ok, "compact"),
    "be-account": (be_account_ok, "digits"),
    "pl-nrb": (pl_nrb_ok, "digits"),
    "hu-account": (hu_account_ok, "digits"),
    "cz-account": (_cz_ok, "raw"),
    "nz-account": (_nz_ok, "digits"),
    "no-kontonr": (_no_ok, "digits"),
    "ar-cbu": (_ar_ok, "digits"),
    "mx-clabe": (mx_clabe_ok, "digits"),
}


@register("bank-account")
class BankAccountDetector(PatternDetector):
    """National account numbers with a checksum; the contiguous forms need a context word."""

    entity = "BANK_ACCOUNT"
    patterns = (
        # Spain CCC: bank, branch, 2 check digits, account.
        Pattern("es-ccc-printed", r"[0-9]{4}[ -][0-9]{4}[ -][0-9]{2}[ -][0-9]{10}", 0.65),
        Pattern("es-ccc", r"[0-9]{20}", 0.4),
        # France RIB: bank, branch, account (letters allowed), key.
        Pattern("fr-rib-printed", r"[0-9]{5} [0-9]{5} [0-9A-Z]{11} [0-9]{2}", 0.65),
        Pattern("fr-rib", r"[0-9]{10}[0-9A-Z]{11}[0-9]{2}", 0.45),
        # Italy BBAN: CIN letter, ABI, CAB, account.
        Pattern("it-bban-printed", r"[A-Z] [0-9]{5} [0-9]{5} [0-9A-Z]{12}", 0.6),
        Pattern("it-bban", r"[A-Z][0-9]{10}[0-9A-Z]{12}", 0.4),
        # Belgium: 123-4567890-12, mod 97.
        Pattern("be-account", r"[0-9]{3}-[0-9]{7}-[0-9]{2}", 0.65),
        # Poland NRB: 26 digits, IBAN check digits first.
        Pattern("pl-nrb-printed", r"[0-9]{2}(?: [0-9]{4}){6}", 0.65),
        Pattern("pl-nrb", r"[0-9]{26}", 0.45),
        # Hungary: two or three blocks of eight, each block checked.
        Pattern("hu-account", r"[0-9]{8}-[0-9]{8}(?:-[0-9]{8})?", 0.6),
        # Czech Republic: [prefix-]number/bank code.
        Pattern("cz-account", r"(?:[0-9]{1,6}-)?[0-9]{6,10}/[0-9]{4}", 0.55),
        # New Zealand: bank-branch-account-suffix.
        Pattern("nz-account", r"[0-9]{2}-[0-9]{4}-[0-9]{7}-[0-9]{2,3}", 0.65),
        # Norway: 1234.56.78903, mod 11.
        Pattern("no-kontonr", r"[0-9]{4}\.[0-9]{2}\.[0-9]{5}", 0.6),
        # Argentina CBU: 22 digits, two check digits.
        Pattern("ar-cbu", r"[0-9]{22}", 0.4),
        # Mexico CLABE: 18 digits, one check digit.
        Pattern("mx-clabe", r"[0-9]{18}", 0.25),
    )
    context = {
        "en": (
            "account",
            "acct",
            "bank",
            "account number",
            "sort code",
            "bank details",
            "payee",
            "beneficiary",
        ),
        "de": ("konto", "kontonummer", "bankverbindung", "bank", "kto"),
        "fr": ("compte", "rib", "banque", "relevé d'identité bancaire", "bancaire"),
        "es": ("cuenta", "ccc", "banco", "bancaria", "clabe", "cbu"),
        "it": ("conto", "banca", "bancario", "conto corrente", "coordinate bancarie"),
        "any": (
            "iban",
            "bban",
            "clabe",
            "cbu",
            "nrb",
            "kontonr",
            "rachunek",
            "účet",
            "számla",
            "kontonummer",
        ),
    }
    negative_context = {
        "en": ("order", "tracking", "phone", "tel", "fax", "invoice number", "serial"),
        "de": ("bestellung", "sendung", "telefon"),
        "fr": ("commande", "téléphone"),
        "es": ("pedido", "teléfono"),
        "it": ("ordine", "telefono"),
    }
    validator = "national-account-checksum"

    def validate(self, value: str, pattern: Pattern) -> float | None:
        check, mode = _CHECKS[pattern.name.removesuffix("-printed")]
        compact = _compact(value)
        if all_same(only_digits(value)):
            return None
        if mode == "digits" and not compact.isdigit():
            return None
        return pattern.score if check(value if mode == "raw" else compact) else None
