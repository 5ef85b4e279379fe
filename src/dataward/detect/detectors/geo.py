"""Geographic coordinates: decimal latitude/longitude pairs and degrees-minutes-seconds.

A pair of plain decimals is only a shape, so it needs enough decimals, valid ranges and not both
near zero (probabilities, ratios); labelled pairs ("lat: 40.7, lon: -74.0") and hemisphere letters
are strong. Degree, minute and second signs are written with their non-ASCII variants.
"""

from __future__ import annotations

import re

from dataward.detect.base import PatternDetector
from dataward.detect.model import Pattern
from dataward.detect.registry import register

_SP = "[ \u00a0]"
_DEC = "[-+−]?[0-9]{1,3}[.][0-9]+"
_DEG = "(?:°|º|˚)"
_MIN = "(?:'|′|’|´)"
_SEC = "(?:\"|″|”|''|′′|’’)"
_HEMI_NS = "[NSns]"
_HEMI_EW = "[EWOewo]"
# 40°42'46.1"N, 40° 42.767' N, 40°N
_DMS = (
    f"[0-9]{{1,3}}{_SP}?{_DEG}{_SP}?(?:[0-9]{{1,2}}(?:[.,][0-9]+)?{_SP}?{_MIN}{_SP}?"
    f"(?:[0-9]{{1,2}}(?:[.,][0-9]+)?{_SP}?{_SEC}{_SP}?)?)?"
)
_DEC_DEG = f"[0-9]{{1,3}}[.,][0-9]+{_SP}?{_DEG}{_SP}?"
_LAT_WORD = (
    "(?:lat|Lat|LAT|latitude|Latitude|LATITUDE|latitud|Latitud|latitudine|Latitudine|breite|Breite)"
)
_LON_WORD = (
    "(?:lon|Lon|LON|lng|Lng|LNG|long|Long|LONG|longitude|Longitude|LONGITUDE|longitud|Longitud"
    "|longitudine|Longitudine|länge|Länge)"
)
_PAIR_SEP = f"{_SP}*[,;/]{_SP}*|{_SP}+"

_PATTERNS = (
    # 40.7128, -74.0060
    Pattern("decimal-pair", f"{_DEC}(?:{_PAIR_SEP}){_DEC}", 0.5),
    # lat: 40.7 / longitude=-74.0060: the number only, one finding per label
    Pattern(
        "labelled-value",
        f"(?:{_LAT_WORD}|{_LON_WORD}){_SP}*[:=]{_SP}*({_DEC})",
        0.7,
        group=1,
    ),
    # 40°42'46"N 74°00'21"W, N 40°42'46" W 74°00'21"
    Pattern(
        "dms-pair",
        f"(?:{_DMS}{_HEMI_NS}|{_HEMI_NS}{_SP}?{_DMS})(?:{_PAIR_SEP})(?:{_DMS}{_HEMI_EW}|{_HEMI_EW}{_SP}?{_DMS})",
        0.9,
    ),
    # 40.7128° N, 74.0060° W
    Pattern(
        "degree-pair",
        f"{_DEC_DEG}{_HEMI_NS}(?:{_PAIR_SEP}){_DEC_DEG}{_HEMI_EW}",
        0.9,
    ),
)

_NUMBER = re.compile(r"[0-9]+(?:[.,][0-9]+)?")


def _decimals(number: str) -> int:
    return len(number.split(".", 1)[1]) if "." in number else 0


@register("geo-coordinate")
class GeoCoordinateDetector(PatternDetector):
    entity = "GEO_COORDINATE"
    patterns = _PATTERNS
    context = {
        "en": ("lat", "lon", "lng", "latitude", "longitude", "coordinates", "coords", "gps", "location", "position", "geo", "located"),
        "de": ("koordinaten", "breitengrad", "längengrad", "standort", "position", "gps", "lage"),
        "fr": ("coordonnées", "latitude", "longitude", "localisation", "emplacement", "position", "gps"),
        "es": ("coordenadas", "latitud", "longitud", "ubicación", "posición", "gps"),
        "it": ("coordinate", "latitudine", "longitudine", "posizione", "gps", "ubicazione"),
    }  # fmt: skip
    negative_context = {
        "en": ("price", "total", "amount", "usd", "eur", "version", "score", "probability", "kg", "km", "weight"),
        "de": ("preis", "betrag", "summe", "gewicht", "eur"),
        "fr": ("prix", "montant", "total", "poids", "eur"),
        "es": ("precio", "importe", "total", "peso", "eur"),
        "it": ("prezzo", "importo", "totale", "peso", "eur"),
    }  # fmt: skip
    validator = "coordinate-range"

    def validate(self, value: str, pattern: Pattern) -> float | None:
        text = value.replace("−", "-")
        if pattern.name == "labelled-value":
            return pattern.score if abs(float(text)) <= 180 else None
        if pattern.name == "decimal-pair":
            nums = re.findall(r"[-+]?[0-9]+\.[0-9]+", text)
            if len(nums) != 2:
                return None
            lat, lon = float(nums[0]), float(nums[1])
            if abs(lat) > 90 or abs(lon) > 180:
                return None
            if abs(lat) < 1 and abs(lon) < 1:
                return None
            places = min(_decimals(nums[0].lstrip("+-")), _decimals(nums[1].lstrip("+-")))
            if places < 3:
                return None
            score = pattern.score if places >= 4 else pattern.score - 0.1
            return score if re.search(r"[,;/]", text) else score - 0.1
        # degrees with hemisphere letters: split at the latitude letter (or before the longitude one)
        t = text.strip()
        if t[0] in "NSns":
            j = next((i for i, ch in enumerate(t) if i > 0 and ch in "EWOewo"), -1)
            halves = (t[1:j], t[j + 1 :])
        else:
            j = next((i for i, ch in enumerate(t) if ch in "NSns"), -1)
            halves = (t[:j], t[j + 1 :])
        if j < 0:
            return None
        for half, limit in zip(halves, (90.0, 180.0), strict=True):
            nums = [float(n.replace(",", ".")) for n in _NUMBER.findall(half)]
            if not nums or nums[0] > limit:
                return None
            if any(n >= 60 for n in nums[1:]):
                return None
        return pattern.score
