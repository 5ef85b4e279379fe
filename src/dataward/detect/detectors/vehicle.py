"""Vehicle identification numbers (ISO 3779): 17 characters without I, O or Q.

North American VINs carry a check digit at position 9 (weights and transliteration of
49 CFR 565); a VIN that passes it scores high on its own. VINs from elsewhere have no check digit,
so a 17-character shape that fails it is only reported with context (VIN, chassis, FIN, telaio).
"""

from __future__ import annotations

from dataward.detect.base import PatternDetector
from dataward.detect.model import Pattern
from dataward.detect.registry import register

_VALUES = {
    **{str(d): d for d in range(10)},
    **dict(zip("ABCDEFGH", range(1, 9), strict=True)),
    **dict(zip("JKLMN", range(1, 6), strict=True)),
    "P": 7,
    "R": 9,
    **dict(zip("STUVWXYZ", range(2, 10), strict=True)),
}
_WEIGHTS = (8, 7, 6, 5, 4, 3, 2, 10, 0, 9, 8, 7, 6, 5, 4, 3, 2)
_HEX = frozenset("0123456789ABCDEF")


def vin_check_digit(vin: str) -> str:
    """The check character (``0``–``9`` or ``X``) that position 9 of ``vin`` should hold."""
    total = sum(_VALUES[ch] * w for ch, w in zip(vin, _WEIGHTS, strict=True))
    rest = total % 11
    return "X" if rest == 10 else str(rest)


@register("vin")
class VinDetector(PatternDetector):
    entity = "VIN"
    patterns = (Pattern("vin", "[A-HJ-NPR-Z0-9]{17}", 0.9),)
    context = {
        "en": ("vin", "vehicle", "chassis", "car", "truck", "registration", "frame"),
        "de": ("fin", "fahrgestellnummer", "fahrzeug", "fahrzeugidentifizierungsnummer", "kfz", "fahrgestell"),
        "fr": ("vin", "véhicule", "châssis", "voiture", "vehicule", "chassis"),
        "es": ("vin", "bastidor", "vehículo", "chasis", "coche", "vehiculo"),
        "it": ("vin", "telaio", "veicolo", "autoveicolo", "auto"),
    }  # fmt: skip
    validator = "vin-check-digit"

    def validate(self, value: str, pattern: Pattern) -> float | None:
        letters = sum(ch.isalpha() for ch in value)
        if letters == 0 or letters > 14 or len(set(value)) < 5:
            return None
        serial_numeric = value[-4:].isdigit()
        if value[8] == vin_check_digit(value):
            year_ok = value[9] not in "UZ0"
            if year_ok and serial_numeric:
                return 0.75 if set(value) <= _HEX else pattern.score
            return 0.45
        # no (or another) check digit: European and Asian VINs, context needed
        return 0.3 if serial_numeric and letters >= 2 else None
