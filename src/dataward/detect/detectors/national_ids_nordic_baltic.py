"""National identity numbers of the Nordic and Baltic countries.

Names of an identifier (acronyms, the official term in the local language) are the same in every
language, so they sit under ``any``; descriptive words sit under their language.
"""

from __future__ import annotations

from dataward.detect.detectors.national_ids import national_id, shapes

_M = __name__

SePersonnummerDetector = national_id(
    "se-personnummer",
    "SE_PERSONNUMMER",
    "SE",
    shapes(
        "se-personnummer",
        ("dashed", r"(?:19|20)?[0-9]{6}[-+][0-9]{4}", 0.45),
        ("digits", r"(?:19|20)?[0-9]{10}", 0.35),
    ),
    check="stdnum.se.personnummer",
    context={
        "any": ("personnummer", "personnr", "samordningsnummer"),
        "en": ("personal identity number", "swedish id"),
    },
    module=_M,
    strip="",
)

NoFodselsnummerDetector = national_id(
    "no-fodselsnummer",
    "NO_FODSELSNUMMER",
    "NO",
    shapes("no-fodselsnummer", ("digits", r"[0-9]{6} ?[0-9]{5}", 0.45)),
    check="stdnum.no.fodselsnummer",
    context={
        "any": ("fødselsnummer", "fodselsnummer", "fnr", "personnummer", "dnummer"),
        "en": ("national identity number", "norwegian id", "birth number"),
    },
    module=_M,
)

DkCprDetector = national_id(
    "dk-cpr",
    "DK_CPR",
    "DK",
    shapes("dk-cpr", ("dashed", r"[0-9]{6}-[0-9]{4}", 0.4), ("digits", r"[0-9]{10}", 0.3)),
    check="stdnum.dk.cpr",
    context={
        "any": ("cpr", "cprnr", "personnummer"),
        "en": ("civil registration", "danish id"),
    },
    module=_M,
)

FiPersonalIdentityCodeDetector = national_id(
    "fi-personal-identity-code",
    "FI_PERSONAL_IDENTITY_CODE",
    "FI",
    shapes(
        "fi-personal-identity-code",
        ("century-letter", r"[0-9]{6}[A-FU-Y][0-9]{3}[0-9A-Y]", 0.85),
        ("dashed", r"[0-9]{6}[-+][0-9]{3}[0-9A-Y]", 0.7),
    ),
    check="stdnum.fi.hetu",
    context={
        "any": ("henkilötunnus", "henkilotunnus", "hetu", "sotu", "personbeteckning"),
        "en": ("personal identity code", "finnish id"),
    },
    module=_M,
    strip="",
)

IsKennitalaDetector = national_id(
    "is-kennitala",
    "IS_KENNITALA",
    "IS",
    shapes("is-kennitala", ("dashed", r"[0-9]{6}-[0-9]{4}", 0.4), ("digits", r"[0-9]{10}", 0.3)),
    check="stdnum.is_.kennitala",
    context={"any": ("kennitala", "kt"), "en": ("icelandic id", "identity number")},
    module=_M,
)

EePersonalCodeDetector = national_id(
    "ee-personal-code",
    "EE_PERSONAL_CODE",
    "EE",
    shapes("ee-personal-code", ("digits", r"[1-6][0-9]{10}", 0.4)),
    check="stdnum.ee.ik",
    context={
        "any": ("isikukood",),
        "en": ("estonian id", "personal code", "personal identification code"),
    },
    module=_M,
)

LtPersonalCodeDetector = national_id(
    "lt-personal-code",
    "LT_PERSONAL_CODE",
    "LT",
    shapes("lt-personal-code", ("digits", r"[1-6][0-9]{10}", 0.4)),
    check="stdnum.lt.asmens",
    context={"any": ("asmens kodas", "asmens"), "en": ("lithuanian id", "personal code")},
    module=_M,
)
