"""Payment cards, BIC/SWIFT codes, ABA routing numbers and US bank account numbers.

A card number is reported on its own when it passes Luhn and falls in a brand's IIN range with
one of the brand's lengths; separators must be consistent and grouped the way cards are printed.
BICs, routing numbers and US account numbers are short shapes that need a context word unless
their shape is unusually specific.
"""

from __future__ import annotations

from dataward.detect.base import PatternDetector
from dataward.detect.model import Pattern
from dataward.detect.registry import register
from dataward.detect.validators import aba_ok, all_same, iso_country_ok, luhn_ok, only_digits

_ANY = tuple(range(12, 20))
_16_19 = (16, 17, 18, 19)

# (brand, first prefix, last prefix, lengths): IIN ranges of the card schemes.
CARD_BRANDS: tuple[tuple[str, str, str, tuple[int, ...]], ...] = (
    ("visa", "4", "4", (13, 16, 19)),
    ("mastercard", "51", "55", (16,)),
    ("mastercard", "2221", "2720", (16,)),
    ("amex", "34", "34", (15,)),
    ("amex", "37", "37", (15,)),
    ("discover", "6011", "6011", _16_19),
    ("discover", "644", "649", _16_19),
    ("discover", "65", "65", _16_19),
    ("discover", "622126", "622925", _16_19),
    ("diners", "300", "305", (14, *_16_19)),
    ("diners", "3095", "3095", (14, *_16_19)),
    ("diners", "36", "36", (14, *_16_19)),
    ("diners", "38", "39", _16_19),
    ("jcb", "3528", "3589", _16_19),
    ("unionpay", "62", "62", _16_19),
    ("unionpay", "8100", "8171", _16_19),
    ("maestro", "50", "50", _ANY),
    ("maestro", "56", "58", _ANY),
    ("maestro", "6304", "6304", _ANY),
    ("maestro", "6759", "6759", _ANY),
    ("maestro", "6761", "6763", _ANY),
    ("mir", "2200", "2204", _16_19),
    ("borica", "2205", "2205", (16,)),
    ("rupay", "60", "60", (16,)),
    ("rupay", "508", "508", (16,)),
    ("rupay", "353", "353", (16,)),
    ("rupay", "356", "356", (16,)),
    ("rupay", "81", "82", (16,)),
    ("elo", "504175", "504175", (16,)),
    ("elo", "506699", "506778", (16,)),
    ("elo", "509000", "509999", (16,)),
    ("elo", "627780", "627780", (16,)),
    ("elo", "636297", "636297", (16,)),
    ("elo", "636368", "636368", (16,)),
    ("hipercard", "606282", "606282", (16, 19)),
    ("hipercard", "3841", "3841", (16, 19)),
    ("troy", "9792", "9792", (16,)),
    ("verve", "506099", "506198", (16, 18, 19)),
    ("verve", "507865", "507964", (16, 18, 19)),
    ("verve", "650002", "650027", (16, 18, 19)),
    ("dankort", "5019", "5019", (16,)),
    ("interpayment", "636", "636", _16_19),
    ("instapayment", "637", "639", (16,)),
    ("uzcard", "8600", "8600", (16,)),
    ("humo", "9860", "9860", (16,)),
)


def card_brand(digits: str) -> str | None:
    """The scheme whose IIN range and lengths fit ``digits``, or ``None``."""
    n = len(digits)
    for brand, low, high, lengths in CARD_BRANDS:
        if n in lengths and low <= digits[: len(low)] <= high:
            return brand
    return None


@register("credit-card")
class CreditCardDetector(PatternDetector):
    entity = "CREDIT_CARD"
    patterns = (
        Pattern("card", r"[0-9]{12,19}", 0.9),
        # 4-4-4-4, 4-4-4-4-3, 4-4-4-1..3 (13-15 digits)
        Pattern(
            "card-grouped",
            r"[0-9]{4}[ -][0-9]{4}[ -][0-9]{4}[ -][0-9]{1,4}(?:[ -][0-9]{1,3})?",
            0.95,
        ),
        # Amex 4-6-5, Diners 4-6-4
        Pattern("card-grouped-4-6", r"[0-9]{4}[ -][0-9]{6}[ -][0-9]{4,5}", 0.95),
        # 4-4-5 (13), 6-13 (19, Maestro)
        Pattern(
            "card-grouped-other", r"[0-9]{4}[ -][0-9]{4}[ -][0-9]{5}|[0-9]{6}[ -][0-9]{13}", 0.9
        ),
    )
    context = {
        "en": (
            "card",
            "credit",
            "debit",
            "card number",
            "cardholder",
            "payment",
            "pan",
            "cc",
            "ccn",
            "expiry",
            "exp",
        ),
        "de": ("karte", "kreditkarte", "kartennummer", "zahlung", "girocard", "bezahlt"),
        "fr": ("carte", "carte bancaire", "cb", "crédit", "paiement", "numéro de carte"),
        "es": ("tarjeta", "crédito", "débito", "pago", "número de tarjeta"),
        "it": ("carta", "carta di credito", "pagamento", "bancomat", "numero carta"),
        "any": (
            "visa",
            "mastercard",
            "amex",
            "american express",
            "maestro",
            "discover",
            "diners",
            "jcb",
            "unionpay",
            "rupay",
            "cvv",
            "cvc",
        ),
    }
    negative_context = {
        "en": (
            "order",
            "invoice",
            "tracking",
            "imei",
            "serial",
            "isbn",
            "ean",
            "gtin",
            "barcode",
            "sku",
            "phone",
            "fax",
            "transaction id",
        ),
        "de": ("bestellung", "rechnung", "sendung", "artikel", "telefon"),
        "fr": ("commande", "facture", "suivi", "siret", "siren", "téléphone"),
        "es": ("pedido", "factura", "seguimiento", "teléfono"),
        "it": ("ordine", "fattura", "spedizione", "telefono"),
    }
    negative_penalty = 0.45
    validator = "luhn+iin"

    def validate(self, value: str, pattern: Pattern) -> float | None:
        digits = only_digits(value)
        if len(digits) < 12 or len(digits) > 19 or all_same(digits) or not luhn_ok(digits):
            return None
        if len({c for c in value if not c.isdigit()}) > 1:  # mixed separators
            return None
        if card_brand(digits) is None:
            return 0.25  # Luhn-valid but no scheme: only with a context word
        if len(digits) <= 13:
            return 0.7 if pattern.name != "card" else 0.45
        if pattern.name == "card" and len(digits) != 16:
            return 0.85
        return pattern.score


@register("swift-code")
class SwiftCodeDetector(PatternDetector):
    """BIC (ISO 9362): bank (4 letters), country, location (2), optional branch (3)."""

    entity = "SWIFT_CODE"
    patterns = (Pattern("bic", r"[A-Z]{6}[A-Z0-9]{2}(?:[A-Z0-9]{3})?", 0.3),)
    context = {
        "en": ("swift", "bic", "bank", "swift code", "bank identifier"),
        "de": ("swift", "bic", "bank", "bankleitzahl", "kreditinstitut"),
        "fr": ("swift", "bic", "banque", "code bic", "code swift"),
        "es": ("swift", "bic", "banco", "código swift", "código bic"),
        "it": ("swift", "bic", "banca", "codice swift", "codice bic"),
    }
    validator = "iso9362"

    def validate(self, value: str, pattern: Pattern) -> float | None:
        if not iso_country_ok(value[4:6]):
            return None
        location, branch = value[6:8], value[8:]
        if location[0] in "01" or location[1] == "O":
            return None
        if branch == "XXX":
            return 0.6
        if branch[:1] == "X":
            return None  # a branch code starting with X is always XXX
        if any(c.isdigit() for c in location + branch):
            return 0.5
        return pattern.score  # all letters: an upper-case word can look like this


@register("aba-routing")
class AbaRoutingDetector(PatternDetector):
    entity = "ABA_ROUTING_NUMBER"
    patterns = (
        Pattern("aba", r"[0-9]{9}", 0.4),
        Pattern("aba-printed", r"[0-9]{4}-[0-9]{4}-[0-9]", 0.4),
    )
    context = {
        "en": (
            "routing",
            "aba",
            "rtn",
            "routing number",
            "transit",
            "bank",
            "wire",
            "ach",
            "direct deposit",
            "checking",
        ),
        "any": ("aba", "rtn", "ach"),
    }
    negative_context = {
        "en": ("order", "invoice", "tracking", "phone", "ssn", "social security", "zip")
    }
    validator = "aba-checksum"

    def validate(self, value: str, pattern: Pattern) -> float | None:
        digits = only_digits(value)
        if all_same(digits) or not aba_ok(digits):
            return None
        return pattern.score


@register("us-bank-number")
class UsBankNumberDetector(PatternDetector):
    """US bank account numbers have no checksum: 8 to 17 digits, reported only with context."""

    entity = "US_BANK_NUMBER"
    patterns = (Pattern("us-bank", r"[0-9]{8,17}", 0.2),)
    context = {
        "en": (
            "account",
            "acct",
            "account number",
            "bank",
            "checking",
            "savings",
            "deposit",
            "a/c",
        ),
    }
    negative_context = {
        "en": ("order", "invoice", "tracking", "phone", "tel", "fax", "ssn", "zip", "customer id"),
    }
    validator = None

    def validate(self, value: str, pattern: Pattern) -> float | None:
        return None if all_same(value) else pattern.score


_CVV_LABEL = r"(?:cvv2?|cvc2?|card (?:verification|security) (?:code|value|number)|security code)"
_CVV_WEAK_LABEL = r"(?:cid|csc|cvn|cav2)"
"""Labels that also mean other things (a customer id, a content id): a card word must be near."""
_CVV_VALUE = r"(?: ?(?:is|was|no\.?|number|#))?[ :=#.-]{0,3}([0-9]{3,4})"


@register("card-verification")
class CardVerificationDetector(PatternDetector):
    """The 3- or 4-digit card verification code: three or four digits alone identify nothing, so
    only a code that its label names (``CVV: 123``, ``security code 4821``) is reported."""

    entity = "CVV"
    patterns = (
        Pattern("cvv-labelled", _CVV_LABEL + _CVV_VALUE, 0.85, ignore_case=True, group=1),
        Pattern("cvv-weak-label", _CVV_WEAK_LABEL + _CVV_VALUE, 0.3, ignore_case=True, group=1),
    )
    context = {
        "any": ("card", "visa", "mastercard", "amex", "expiry", "exp", "credit", "debit", "cvv")
    }
    validator = None

    def validate(self, value: str, pattern: Pattern) -> float | None:
        return pattern.score


_EXPIRY_LABEL = (
    r"(?:exp(?:iry|iration|ires|\.)?(?: ?date)?|valid (?:thru|through|until|to)|good thru"
    r"|ablauf(?:datum)?|gültig bis|date d'expiration|expire le|vencimiento|caducidad|scadenza)"
)


@register("card-expiry")
class CardExpiryDetector(PatternDetector):
    """A payment card's expiration date (``exp 09/27``, ``valid thru 09/2027``): month and year
    after an expiry label; a month/year pair without one is just a date."""

    entity = "CARD_EXPIRY"
    patterns = (
        Pattern(
            "expiry-labelled",
            _EXPIRY_LABEL
            + r"[ :=.-]{0,3}((?:0?[1-9]|1[0-2]) ?/ ?(?:20[0-9]{2}|[0-9]{2})"
            + r"|(?:0[1-9]|1[0-2])-(?:20[0-9]{2}|[0-9]{2}))",
            0.6,
            ignore_case=True,
            group=1,
        ),
    )
    context = {"any": ("card", "visa", "mastercard", "amex", "cvv", "cvc", "credit", "debit")}
    validator = "month-year"

    def validate(self, value: str, pattern: Pattern) -> float | None:
        return pattern.score
