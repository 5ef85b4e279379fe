"""Device identifiers: IMEI (15 digits, Luhn), IMEISV (16 digits) and MEID (14 hex digits).

A bare 15-digit Luhn number is weak evidence (one random number in ten passes), so it scores high
only with a known reporting-body prefix and is reported with context; the 2-6-6-1 grouping
("35-209900-176148-1") is IMEI-specific. IMEISV and MEID carry no check digit: context only.
"""

from __future__ import annotations

from dataward.detect.base import PatternDetector
from dataward.detect.model import Pattern
from dataward.detect.registry import register
from dataward.detect.validators import luhn_ok

# GSMA reporting body identifiers (first two digits of the TAC) seen in issued IMEIs
_RBI = frozenset({"01", "10", "30", "33", "35", "44", "45", "49", "50", "51", "52", "53", "54", "86", "91", "98", "99"})  # fmt: skip
_SEP = "[- .]"


@register("imei")
class ImeiDetector(PatternDetector):
    entity = "IMEI"
    patterns = (
        Pattern("imei", "[0-9]{15}", 0.45),
        Pattern("imei-grouped", f"[0-9]{{2}}{_SEP}[0-9]{{6}}{_SEP}[0-9]{{6}}{_SEP}[0-9]|[0-9]{{8}}{_SEP}[0-9]{{6}}{_SEP}[0-9]", 0.8),
        Pattern("imeisv-grouped", f"[0-9]{{2}}{_SEP}[0-9]{{6}}{_SEP}[0-9]{{6}}{_SEP}[0-9]{{2}}", 0.35),
        Pattern("imeisv", "[0-9]{16}", 0.15),
    )  # fmt: skip
    context = {
        "any": ("imei", "imeisv", "imei/sv"),
        "en": ("device", "phone", "handset", "serial", "mobile"),
        "de": ("gerät", "handy", "seriennummer", "mobiltelefon"),
        "fr": ("appareil", "téléphone", "portable", "numéro de série"),
        "es": ("dispositivo", "teléfono", "móvil", "celular", "número de serie"),
        "it": ("dispositivo", "telefono", "cellulare", "numero di serie"),
    }
    negative_context = {
        "en": ("card", "visa", "mastercard", "amex", "account", "iban", "order", "invoice"),
        "de": ("karte", "konto", "bestellung", "rechnung"),
        "fr": ("carte", "compte", "commande", "facture"),
        "es": ("tarjeta", "cuenta", "pedido", "factura"),
        "it": ("carta", "conto", "ordine", "fattura"),
    }
    validator = "luhn"

    def validate(self, value: str, pattern: Pattern) -> float | None:
        digits = "".join(ch for ch in value if ch.isdigit())
        if len(set(digits)) < 3:
            return None
        known = digits[:2] in _RBI
        if pattern.name.startswith("imeisv"):
            return pattern.score if known else pattern.score - 0.1
        if not luhn_ok(digits):
            return None
        if pattern.name == "imei-grouped":
            return pattern.score if known else 0.6
        return pattern.score if known else 0.3


@register("meid")
class MeidDetector(PatternDetector):
    """Mobile equipment identifiers of CDMA devices: 14 hex digits (first A0–FF) or 18 decimals."""

    entity = "MEID"
    patterns = (
        Pattern("meid-hex", "[A-Fa-f][0-9A-Fa-f]{13}", 0.2),
        Pattern("meid-decimal", "[0-9]{18}", 0.15),
    )
    context = {"any": ("meid", "esn")}
    validator = "meid-shape"

    def validate(self, value: str, pattern: Pattern) -> float | None:
        if pattern.name == "meid-hex":
            if not any(ch.isdigit() for ch in value) or len(set(value.upper())) < 4:
                return None
            return pattern.score
        if int(value[:10]) < 2684354560:  # decimal manufacturer code of an A0-prefixed MEID
            return None
        return pattern.score
