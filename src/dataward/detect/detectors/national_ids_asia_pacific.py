"""National identity and tax numbers of Asia, Oceania, Africa and the Middle East."""

from __future__ import annotations

from dataward.detect.detectors.national_ids import national_id, shapes

_M = __name__

_SG_WEIGHTS = (2, 7, 6, 5, 4, 3, 2)
_SG_LETTERS = {"S": "JZIHGFEDCBA", "T": "JZIHGFEDCBA", "F": "XWUTRQPNMLK", "G": "XWUTRQPNMLK"}


def sg_nric_ok(value: str) -> bool:
    """Singapore NRIC/FIN check letter (S, T, F and G series)."""
    value = value.upper()
    letters = _SG_LETTERS.get(value[:1])
    if letters is None or len(value) != 9 or not value[1:8].isdigit():
        return False
    total = sum(w * int(d) for w, d in zip(_SG_WEIGHTS, value[1:8], strict=True))
    if value[0] in "TG":
        total += 4
    return letters[total % 11] == value[8]


def au_medicare_ok(value: str) -> bool:
    """Australian Medicare card number: weighted check digit (10 digits, or 11 with the IRN)."""
    if len(value) not in (10, 11) or not value.isdigit() or value[0] not in "23456":
        return False
    total = sum(w * int(d) for w, d in zip((1, 3, 7, 9, 1, 3, 7, 9), value[:8], strict=True))
    return total % 10 == int(value[8]) and value[9] != "0"


CnResidentIdDetector = national_id(
    "cn-resident-id",
    "CN_RESIDENT_ID",
    "CN",
    shapes("cn-resident-id", ("digits", r"[1-9][0-9]{16}[0-9Xx]", 0.85)),
    check="stdnum.cn.ric",
    context={
        "any": ("身份证", "身份证号", "身份证号码", "公民身份", "居民身份证"),
        "en": ("resident identity", "chinese id", "id card"),
    },
    module=_M,
    strip="",
)

InAadhaarDetector = national_id(
    "in-aadhaar",
    "IN_AADHAAR",
    "IN",
    shapes(
        "in-aadhaar",
        ("spaced", r"[2-9][0-9]{3} [0-9]{4} [0-9]{4}", 0.45),
        ("dashed", r"[2-9][0-9]{3}-[0-9]{4}-[0-9]{4}", 0.45),
        ("digits", r"[2-9][0-9]{11}", 0.35),
    ),
    check="stdnum.in_.aadhaar",
    context={
        "any": ("aadhaar", "aadhar", "uidai"),
        "en": ("unique identification", "indian id"),
    },
    module=_M,
)

InPanDetector = national_id(
    "in-pan",
    "IN_PAN",
    "IN",
    shapes("in-pan", ("pan", r"[A-Z]{3}[ABCFGHJLPT][A-Z][0-9]{4}[A-Z]", 0.6)),
    check="stdnum.in_.pan",
    context={
        "any": ("pan", "permanent account number"),
        "en": ("income tax", "pan card"),
    },
    module=_M,
    strip="",
    negative_context={},
)

KrRrnDetector = national_id(
    "kr-rrn",
    "KR_RRN",
    "KR",
    shapes(
        "kr-rrn",
        ("dashed", r"[0-9]{6}-[1-8][0-9]{6}", 0.6),
        ("digits", r"[0-9]{6}[1-8][0-9]{6}", 0.4),
    ),
    check="stdnum.kr.rrn",
    context={
        "any": ("주민등록번호", "주민번호", "rrn"),
        "en": ("resident registration", "korean id"),
    },
    module=_M,
)

SgNricFinDetector = national_id(
    "sg-nric-fin",
    "SG_NRIC_FIN",
    "SG",
    shapes("sg-nric-fin", ("nric", r"[STFGstfg][0-9]{7}[A-Za-z]", 0.8)),
    check=sg_nric_ok,
    validator="sg-nric-check-letter",
    context={
        "any": ("nric", "fin"),
        "en": ("singapore", "identity card", "foreign identification"),
    },
    module=_M,
    strip="",
    negative_context={},
)

AuTfnDetector = national_id(
    "au-tfn",
    "AU_TFN",
    "AU",
    shapes(
        "au-tfn",
        ("spaced", r"[0-9]{3} [0-9]{3} [0-9]{2,3}", 0.35),
        ("digits", r"[0-9]{8,9}", 0.35),
    ),
    check="stdnum.au.tfn",
    context={"any": ("tfn", "tax file number"), "en": ("tax file", "australian tax")},
    module=_M,
)

AuAbnDetector = national_id(
    "au-abn",
    "AU_ABN",
    "AU",
    shapes(
        "au-abn",
        ("spaced", r"[0-9]{2} [0-9]{3} [0-9]{3} [0-9]{3}", 0.55),
        ("digits", r"[0-9]{11}", 0.4),
    ),
    check="stdnum.au.abn",
    context={"any": ("abn", "australian business number"), "en": ("business number",)},
    module=_M,
)

AuAcnDetector = national_id(
    "au-acn",
    "AU_ACN",
    "AU",
    shapes(
        "au-acn",
        ("spaced", r"[0-9]{3} [0-9]{3} [0-9]{3}", 0.35),
        ("digits", r"[0-9]{9}", 0.35),
    ),
    check="stdnum.au.acn",
    context={"any": ("acn", "australian company number"), "en": ("company number",)},
    module=_M,
)

AuMedicareDetector = national_id(
    "au-medicare",
    "AU_MEDICARE",
    "AU",
    shapes(
        "au-medicare",
        ("spaced", r"[2-6][0-9]{3} [0-9]{5} [0-9](?:[ -]?[1-9])?", 0.45),
        ("digits", r"[2-6][0-9]{9,10}", 0.35),
    ),
    check=au_medicare_ok,
    validator="au-medicare-check-digit",
    context={"any": ("medicare",), "en": ("medicare card", "health card")},
    module=_M,
)

NzIrdDetector = national_id(
    "nz-ird",
    "NZ_IRD",
    "NZ",
    shapes(
        "nz-ird",
        ("dashed", r"[0-9]{2,3}-[0-9]{3}-[0-9]{3}", 0.45),
        ("digits", r"[0-9]{8,9}", 0.35),
    ),
    check="stdnum.nz.ird",
    context={"any": ("ird",), "en": ("inland revenue", "tax number", "new zealand tax")},
    module=_M,
)

ZaIdNumberDetector = national_id(
    "za-id-number",
    "ZA_ID_NUMBER",
    "ZA",
    shapes(
        "za-id-number",
        ("spaced", r"[0-9]{6} [0-9]{4} [0-9]{3}", 0.45),
        ("digits", r"[0-9]{13}", 0.4),
    ),
    check="stdnum.za.idnr",
    context={
        "any": ("rsa id", "sa id", "identiteitsnommer"),
        "en": ("south african", "identity number", "id number", "id no"),
    },
    module=_M,
)

IlIdNumberDetector = national_id(
    "il-id-number",
    "IL_ID_NUMBER",
    "IL",
    shapes(
        "il-id-number",
        ("dashed", r"[0-9]{8}-[0-9]", 0.4),
        ("digits", r"[0-9]{9}", 0.3),
    ),
    check="stdnum.il.idnr",
    context={
        "any": ("teudat zehut", "zehut", "תעודת זהות", "זהות", "מספר זהות"),
        "en": ("israeli id", "identity number"),
    },
    module=_M,
)

JpMyNumberDetector = national_id(
    "jp-my-number",
    "JP_MY_NUMBER",
    "JP",
    shapes(
        "jp-my-number",
        ("spaced", r"[0-9]{4}[ -][0-9]{4}[ -][0-9]{4}", 0.4),
        ("digits", r"[0-9]{12}", 0.35),
    ),
    check="stdnum.jp.in_",
    context={
        "any": ("マイナンバー", "個人番号", "my number"),
        "en": ("individual number", "japanese id"),
    },
    module=_M,
)

MyNricDetector = national_id(
    "my-nric",
    "MY_NRIC",
    "MY",
    shapes(
        "my-nric",
        ("dashed", r"[0-9]{6}-[0-9]{2}-[0-9]{4}", 0.6),
        ("digits", r"[0-9]{12}", 0.3),
    ),
    check="stdnum.my.nric",
    context={
        "any": ("nric", "mykad", "kad pengenalan", "no. k/p", "ic no"),
        "en": ("malaysian", "identity card"),
    },
    module=_M,
)

ThTninDetector = national_id(
    "th-tnin",
    "TH_TNIN",
    "TH",
    shapes(
        "th-tnin",
        ("dashed", r"[1-8]-[0-9]{4}-[0-9]{5}-[0-9]{2}-[0-9]", 0.6),
        ("spaced", r"[1-8] [0-9]{4} [0-9]{5} [0-9]{2} [0-9]", 0.6),
        ("digits", r"[1-8][0-9]{12}", 0.35),
    ),
    check="stdnum.th.pin",
    context={"any": ("thai id",), "en": ("citizen id", "personal identification number", "thai")},
    module=_M,
)

IdNikDetector = national_id(
    "id-nik",
    "ID_NIK",
    "ID",
    shapes(
        "id-nik",
        ("dotted", r"[0-9]{2}\.[0-9]{2}\.[0-9]{2}\.[0-9]{6}\.[0-9]{4}", 0.6),
        ("digits", r"[0-9]{16}", 0.35),
    ),
    check="stdnum.id.nik",
    context={
        "any": ("nik", "nomor induk kependudukan", "ktp", "kependudukan"),
        "en": ("indonesian id", "population identification"),
    },
    module=_M,
)

RuInnDetector = national_id(
    "ru-inn",
    "RU_INN",
    "RU",
    shapes("ru-inn", ("digits", r"[0-9]{12}|[0-9]{10}", 0.35)),
    check="stdnum.ru.inn",
    context={
        "any": ("инн", "inn", "налогоплательщика"),
        "en": ("taxpayer identification", "russian tax"),
    },
    module=_M,
)

PkCnicDetector = national_id(
    "pk-cnic",
    "PK_CNIC",
    "PK",
    shapes(
        "pk-cnic",
        ("dashed", r"[1-7][0-9]{4}-[0-9]{7}-[0-9]", 0.55),
        ("digits", r"[1-7][0-9]{12}", 0.3),
    ),
    check="stdnum.pk.cnic",
    context={
        "any": ("cnic", "nadra", "nicop"),
        "en": ("computerized national identity", "national identity card", "pakistani"),
    },
    module=_M,
)
