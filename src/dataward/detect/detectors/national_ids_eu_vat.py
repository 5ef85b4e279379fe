"""EU VAT identification numbers: a member-state prefix and that state's number, checked by stdnum."""

from __future__ import annotations

from dataward.detect.detectors.national_ids import national_id, shapes

_M = __name__

_VAT_BODY = (
    r"(?:ATU[0-9]{8}"
    r"|BE ?[01]?[0-9]{3}\.?[0-9]{3}\.?[0-9]{3}"
    r"|BG ?[0-9]{9,10}"
    r"|CY ?[0-9]{8}[A-Z]"
    r"|CZ ?[0-9]{8,10}"
    r"|DE ?[0-9]{9}"
    r"|DK ?[0-9]{2} ?[0-9]{2} ?[0-9]{2} ?[0-9]{2}"
    r"|EE ?[0-9]{9}"
    r"|(?:EL|GR) ?[0-9]{9}"
    r"|ES ?[0-9A-Z][0-9]{7}[0-9A-Z]"
    r"|FI ?[0-9]{8}"
    r"|FR ?[0-9A-HJ-NP-Z]{2} ?[0-9]{9}"
    r"|HR ?[0-9]{11}"
    r"|HU ?[0-9]{8}"
    r"|IE ?[0-9][0-9A-Z+*][0-9]{5}[A-W][A-IW]?"
    r"|IT ?[0-9]{11}"
    r"|LT ?(?:[0-9]{12}|[0-9]{9})"
    r"|LU ?[0-9]{8}"
    r"|LV ?[0-9]{11}"
    r"|MT ?[0-9]{8}"
    r"|NL ?[0-9]{9}B[0-9]{2}"
    r"|PL ?[0-9]{10}"
    r"|PT ?[0-9]{9}"
    r"|RO ?[0-9]{6,10}"
    r"|SE ?[0-9]{10}01"
    r"|SI ?[0-9]{8}"
    r"|SK ?[0-9]{10})"
)

EuVatNumberDetector = national_id(
    "eu-vat-number",
    "EU_VAT_NUMBER",
    "EU",
    shapes("eu-vat-number", ("prefixed", _VAT_BODY, 0.85)),
    check="stdnum.eu.vat",
    context={
        "any": ("vat", "ustid", "uid", "tva", "iva", "btw", "mwst", "moms", "alv"),
        "en": ("vat number", "vat id", "tax id", "vat registration"),
        "de": ("umsatzsteuer", "ust"),
        "fr": ("numéro de tva", "tva intracommunautaire", "intracommunautaire"),
        "es": ("número de iva", "intracomunitario"),
        "it": ("partita iva", "iva comunitaria"),
    },
    module=_M,
    negative_context={},
)
