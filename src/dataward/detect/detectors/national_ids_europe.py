"""National identity and tax numbers of European countries, and EU VAT numbers.

Names of an identifier (acronyms, the official term in the local language) are the same in every
language, so they sit under ``any``; descriptive words sit under their language.
"""

from __future__ import annotations

from dataward.detect.detectors.national_ids import national_id, shapes

_M = __name__
_D11 = r"[0-9]{11}"
_PHONE_ONLY = {"en": ("phone", "tel", "fax", "mobile"), "de": ("telefon", "tel", "fax")}

EsNifDetector = national_id(
    "es-nif",
    "ES_NIF",
    "ES",
    shapes(
        "es-nif",
        ("dni", r"[0-9]{8}-?[A-Za-z]", 0.8),
        ("spaced", r"[0-9]{8} [A-Z]", 0.65),
        ("dotted", r"[0-9]{2}\.[0-9]{3}\.[0-9]{3}[ -]?[A-Z]", 0.85),
    ),
    check="stdnum.es.nif",
    context={
        "any": ("dni", "nif"),
        "es": (
            "documento nacional",
            "identidad",
            "identificación fiscal",
            "número de identificación",
        ),
        "en": ("spanish id", "national id", "identity card", "id card", "tax id"),
    },
    module=_M,
)

EsNieDetector = national_id(
    "es-nie",
    "ES_NIE",
    "ES",
    shapes("es-nie", ("nie", r"[XYZxyz][ -]?[0-9]{7}[ -]?[A-Za-z]", 0.85)),
    check="stdnum.es.nie",
    context={
        "any": ("nie",),
        "es": ("extranjero", "identidad de extranjero", "residencia"),
        "en": ("foreigner", "foreign national", "residence permit", "identity number"),
    },
    module=_M,
)

ItFiscalCodeDetector = national_id(
    "it-fiscal-code",
    "IT_FISCAL_CODE",
    "IT",
    shapes(
        "it-fiscal-code",
        (
            "person",
            r"[A-Z]{6}[0-9LMNPQRSTUV]{2}[ABCDEHLMPRST][0-9LMNPQRSTUV]{2}[A-Z][0-9LMNPQRSTUV]{3}[A-Z]",
            0.95,
        ),
        ignore_case=True,
    ),
    check="stdnum.it.codicefiscale",
    context={
        "any": ("codice fiscale", "cod. fiscale", "cf"),
        "it": ("fiscale", "tessera sanitaria"),
        "en": ("fiscal code", "tax code", "italian tax"),
    },
    module=_M,
    strip="",
)

ItVatCodeDetector = national_id(
    "it-vat-code",
    "IT_VAT_CODE",
    "IT",
    shapes("it-vat-code", ("digits", _D11, 0.4)),
    check="stdnum.it.iva",
    context={
        "any": ("partita iva", "p. iva", "piva"),
        "it": ("iva", "partita"),
        "en": ("vat number", "vat id", "vat no", "vat"),
    },
    module=_M,
    negative_context=_PHONE_ONLY,
)

PlPeselDetector = national_id(
    "pl-pesel",
    "PL_PESEL",
    "PL",
    shapes("pl-pesel", ("digits", _D11, 0.4)),
    check="stdnum.pl.pesel",
    context={
        "any": ("pesel", "numer pesel"),
        "en": ("national identification number", "polish id", "personal number"),
    },
    module=_M,
)

PlNipDetector = national_id(
    "pl-nip",
    "PL_NIP",
    "PL",
    shapes(
        "pl-nip",
        ("dashed", r"[0-9]{3}-[0-9]{3}-[0-9]{2}-[0-9]{2}", 0.45),
        ("dashed-alt", r"[0-9]{3}-[0-9]{2}-[0-9]{2}-[0-9]{3}", 0.45),
        ("digits", r"[0-9]{10}", 0.35),
    ),
    check="stdnum.pl.nip",
    context={
        "any": ("nip", "numer identyfikacji podatkowej"),
        "en": ("tax identification", "tax id", "polish tax"),
    },
    module=_M,
    negative_context=_PHONE_ONLY,
)

DeTaxIdDetector = national_id(
    "de-tax-id",
    "DE_TAX_ID",
    "DE",
    shapes(
        "de-tax-id",
        ("digits", _D11, 0.4),
        ("spaced", r"[0-9]{2} [0-9]{3} [0-9]{3} [0-9]{3}", 0.45),
    ),
    check="stdnum.de.idnr",
    context={
        "any": ("steuerid", "steuer", "idnr", "steueridentifikationsnummer"),
        "de": ("identifikationsnummer", "steuerliche", "finanzamt"),
        "en": ("tax id", "tax identification", "taxpayer", "german tax"),
    },
    module=_M,
)

FrNirDetector = national_id(
    "fr-nir",
    "FR_NIR",
    "FR",
    shapes(
        "fr-nir",
        (
            "spaced",
            r"[1-478] [0-9]{2} (?:0[1-9]|1[0-2]|[2-9][0-9]) (?:[0-9]{2}|2[ABab]) [0-9]{3} [0-9]{3} [0-9]{2}",
            0.75,
        ),
        (
            "digits",
            r"[1-478][0-9]{2}(?:0[1-9]|1[0-2]|[2-9][0-9])(?:[0-9]{2}|2[ABab])[0-9]{8}",
            0.45,
        ),
    ),
    check="stdnum.fr.nir",
    context={
        "any": ("nir", "insee", "sécu", "n° ss"),
        "fr": ("sécurité sociale", "securite sociale", "carte vitale", "vitale", "immatriculation"),
        "en": ("social security", "french social"),
    },
    module=_M,
    strip=" ",
)

FrNifDetector = national_id(
    "fr-nif",
    "FR_NIF",
    "FR",
    shapes(
        "fr-nif",
        ("spaced", r"[0-3][0-9] [0-9]{2} [0-9]{3} [0-9]{3} [0-9]{3}", 0.55),
        ("digits", r"[0-3][0-9]{12}", 0.45),
    ),
    check="stdnum.fr.nif",
    context={
        "any": ("spi", "numéro fiscal", "numero fiscal", "nif"),
        "fr": ("fiscal", "référence fiscale", "impôt", "impots", "imposition"),
        "en": ("tax number", "tax id", "french tax"),
    },
    module=_M,
)

NlBsnDetector = national_id(
    "nl-bsn",
    "NL_BSN",
    "NL",
    shapes(
        "nl-bsn",
        ("dotted", r"[0-9]{4}\.[0-9]{2}\.[0-9]{3}", 0.45),
        ("digits", r"[0-9]{9}", 0.35),
    ),
    check="stdnum.nl.bsn",
    context={
        "any": ("bsn", "burgerservicenummer", "sofinummer"),
        "en": ("citizen service number", "dutch id"),
    },
    module=_M,
)

BeNationalNumberDetector = national_id(
    "be-national-number",
    "BE_NATIONAL_NUMBER",
    "BE",
    shapes(
        "be-national-number",
        ("formatted", r"[0-9]{2}\.[0-9]{2}\.[0-9]{2}-[0-9]{3}\.[0-9]{2}", 0.8),
        ("digits", _D11, 0.45),
    ),
    check="stdnum.be.nn",
    context={
        "any": ("rijksregisternummer", "rijksregister", "insz", "niss", "rrn"),
        "fr": ("numéro national", "registre national"),
        "en": ("national number", "national register", "belgian id"),
    },
    module=_M,
)

BgEgnDetector = national_id(
    "bg-egn",
    "BG_EGN",
    "BG",
    shapes("bg-egn", ("digits", r"[0-9]{10}", 0.35)),
    check="stdnum.bg.egn",
    context={
        "any": ("егн", "egn", "единен граждански номер"),
        "en": ("unified civil number", "bulgarian id", "personal number"),
    },
    module=_M,
)

RoCnpDetector = national_id(
    "ro-cnp",
    "RO_CNP",
    "RO",
    shapes("ro-cnp", ("digits", r"[1-9][0-9]{12}", 0.4)),
    check="stdnum.ro.cnp",
    context={
        "any": ("cnp", "cod numeric personal"),
        "en": ("personal numeric code", "romanian id"),
    },
    module=_M,
)

HrOibDetector = national_id(
    "hr-oib",
    "HR_OIB",
    "HR",
    shapes("hr-oib", ("digits", _D11, 0.35)),
    check="stdnum.hr.oib",
    context={
        "any": ("oib", "osobni identifikacijski broj"),
        "en": ("personal identification number", "croatian id"),
    },
    module=_M,
)

CzBirthNumberDetector = national_id(
    "cz-birth-number",
    "CZ_BIRTH_NUMBER",
    "CZ",
    shapes(
        "cz-birth-number",
        ("slashed", r"[0-9]{6}/[0-9]{3,4}", 0.6),
        ("digits", r"[0-9]{9,10}", 0.35),
    ),
    check="stdnum.cz.rc",
    context={
        "any": ("rodné číslo", "rodne cislo", "rč", "rodného čísla"),
        "en": ("birth number", "czech id"),
    },
    module=_M,
)

PtNifDetector = national_id(
    "pt-nif",
    "PT_NIF",
    "PT",
    shapes(
        "pt-nif",
        ("spaced", r"[0-9]{3} [0-9]{3} [0-9]{3}", 0.35),
        ("digits", r"[0-9]{9}", 0.35),
    ),
    check="stdnum.pt.nif",
    context={
        "any": ("nif", "contribuinte", "número de contribuinte", "numero de contribuinte"),
        "en": ("portuguese tax", "taxpayer number"),
    },
    module=_M,
)

PtCitizenCardDetector = national_id(
    "pt-citizen-card",
    "PT_CITIZEN_CARD",
    "PT",
    shapes("pt-citizen-card", ("card", r"[0-9]{8} ?[0-9] ?[A-Z]{2}[0-9]", 0.8)),
    check="stdnum.pt.cc",
    context={
        "any": ("cartão de cidadão", "cartao de cidadao", "cc"),
        "en": ("citizen card", "portuguese id"),
    },
    module=_M,
)

IePpsDetector = national_id(
    "ie-pps",
    "IE_PPS",
    "IE",
    shapes("ie-pps", ("pps", r"[0-9]{7}[A-W][ABHTWX]?", 0.65)),
    check="stdnum.ie.pps",
    context={
        "any": ("pps", "ppsn"),
        "en": ("personal public service", "social security", "irish"),
    },
    module=_M,
)

ChAhvDetector = national_id(
    "ch-ahv",
    "CH_AHV",
    "CH",
    shapes(
        "ch-ahv",
        ("dotted", r"756\.[0-9]{4}\.[0-9]{4}\.[0-9]{2}", 0.9),
        ("digits", r"756[0-9]{10}", 0.5),
    ),
    check="stdnum.ch.ssn",
    context={
        "any": ("ahv", "avs", "sozialversicherungsnummer", "numéro avs"),
        "en": ("social security", "swiss"),
    },
    module=_M,
)

ChUidDetector = national_id(
    "ch-uid",
    "CH_UID",
    "CH",
    shapes("ch-uid", ("uid", r"CHE[- ]?[0-9]{3}\.?[0-9]{3}\.?[0-9]{3}", 0.9)),
    check="stdnum.ch.uid",
    context={
        "any": ("uid", "mwst", "tva", "iva"),
        "en": ("business identification", "vat"),
    },
    module=_M,
    negative_context={},
)

GrAmkaDetector = national_id(
    "gr-amka",
    "GR_AMKA",
    "GR",
    shapes("gr-amka", ("digits", _D11, 0.35)),
    check="stdnum.gr.amka",
    context={"any": ("amka", "αμκα"), "en": ("social security", "greek")},
    module=_M,
)

GrAfmDetector = national_id(
    "gr-afm",
    "GR_AFM",
    "GR",
    shapes("gr-afm", ("digits", r"[0-9]{9}", 0.35)),
    check="stdnum.gr.vat",
    context={"any": ("afm", "αφμ"), "en": ("greek tax", "tax registration")},
    module=_M,
)

AtSocialSecurityNumberDetector = national_id(
    "at-social-security-number",
    "AT_SOCIAL_SECURITY_NUMBER",
    "AT",
    shapes("at-social-security-number", ("digits", r"[0-9]{4} ?[0-9]{6}", 0.35)),
    check="stdnum.at.vnr",
    context={
        "any": ("svnr", "versicherungsnummer", "sozialversicherungsnummer"),
        "en": ("social security", "austrian"),
    },
    module=_M,
)

SiEmsoDetector = national_id(
    "si-emso",
    "SI_EMSO",
    "SI",
    shapes("si-emso", ("digits", r"[0-9]{13}", 0.35)),
    check="stdnum.si.emso",
    context={
        "any": ("emšo", "emso", "enotna matična številka"),
        "en": ("slovenian id", "personal number"),
    },
    module=_M,
)

TrTcKimlikDetector = national_id(
    "tr-tc-kimlik",
    "TR_TC_KIMLIK",
    "TR",
    shapes("tr-tc-kimlik", ("digits", r"[1-9][0-9]{10}", 0.45)),
    check="stdnum.tr.tckimlik",
    context={
        "any": ("kimlik", "tckn", "tc kimlik", "t.c. kimlik", "tc no"),
        "en": ("turkish id", "identification number"),
    },
    module=_M,
)
