"""National identity and tax numbers of countries of the Americas."""

from __future__ import annotations

from stdnum.mx import rfc as _rfc

from dataward.detect.detectors.national_ids import national_id, shapes

_M = __name__


def _rfc_ok(value: str) -> bool:
    return bool(_rfc.is_valid(value, validate_check_digits=True))


BrCpfDetector = national_id(
    "br-cpf",
    "BR_CPF",
    "BR",
    shapes(
        "br-cpf",
        ("formatted", r"[0-9]{3}\.[0-9]{3}\.[0-9]{3}-[0-9]{2}", 0.85),
        ("digits", r"[0-9]{11}", 0.4),
    ),
    check="stdnum.br.cpf",
    context={
        "any": ("cpf", "cadastro de pessoas físicas", "cadastro de pessoa física"),
        "en": ("brazilian taxpayer", "taxpayer id"),
    },
    module=_M,
)

BrCnpjDetector = national_id(
    "br-cnpj",
    "BR_CNPJ",
    "BR",
    shapes(
        "br-cnpj",
        ("formatted", r"[0-9]{2}\.[0-9]{3}\.[0-9]{3}/[0-9]{4}-[0-9]{2}", 0.9),
        ("digits", r"[0-9]{14}", 0.4),
    ),
    check="stdnum.br.cnpj",
    context={
        "any": ("cnpj", "cadastro nacional da pessoa jurídica"),
        "en": ("brazilian company", "company registration"),
    },
    module=_M,
)

MxCurpDetector = national_id(
    "mx-curp",
    "MX_CURP",
    "MX",
    shapes(
        "mx-curp",
        ("curp", r"[A-Z]{4}[0-9]{6}[HMX][A-Z]{2}[B-DF-HJ-NP-TV-Z]{3}[0-9A-Z][0-9]", 0.9),
        ignore_case=True,
    ),
    check="stdnum.mx.curp",
    context={
        "any": ("curp", "clave única de registro de población"),
        "es": ("registro de población", "clave única"),
        "en": ("population registry", "mexican id"),
    },
    module=_M,
    strip="",
)

MxRfcDetector = national_id(
    "mx-rfc",
    "MX_RFC",
    "MX",
    shapes("mx-rfc", ("rfc", r"[A-Z&]{3,4}[0-9]{6}[A-Z0-9]{2}[0-9A]", 0.7)),
    check=_rfc_ok,
    validator="stdnum.mx.rfc",
    context={
        "any": ("rfc", "registro federal de contribuyentes"),
        "es": ("contribuyente", "contribuyentes"),
        "en": ("mexican tax", "tax id"),
    },
    module=_M,
    strip="",
)

CaSinDetector = national_id(
    "ca-sin",
    "CA_SIN",
    "CA",
    shapes(
        "ca-sin",
        ("dashed", r"[0-9]{3}-[0-9]{3}-[0-9]{3}", 0.4),
        ("spaced", r"[0-9]{3} [0-9]{3} [0-9]{3}", 0.4),
        ("digits", r"[0-9]{9}", 0.35),
    ),
    check="stdnum.ca.sin",
    context={
        "en": ("sin", "social insurance", "canadian"),
        "fr": ("nas", "assurance sociale", "numéro d'assurance sociale"),
    },
    module=_M,
)

ClRutDetector = national_id(
    "cl-rut",
    "CL_RUT",
    "CL",
    shapes(
        "cl-rut",
        ("dotted", r"[0-9]{1,2}\.[0-9]{3}\.[0-9]{3}-[0-9Kk]", 0.75),
        ("dashed", r"[0-9]{7,8}-[0-9Kk]", 0.45),
    ),
    check="stdnum.cl.rut",
    context={
        "any": ("rut", "rol único tributario", "rol unico tributario"),
        "es": ("run", "tributario", "cédula"),
        "en": ("chilean", "tax id"),
    },
    module=_M,
)

ArCuitDetector = national_id(
    "ar-cuit",
    "AR_CUIT",
    "AR",
    shapes(
        "ar-cuit",
        ("dashed", r"(?:20|23|24|27|30|33|34)-[0-9]{8}-[0-9]", 0.7),
        ("digits", r"(?:20|23|24|27|30|33|34)[0-9]{9}", 0.4),
    ),
    check="stdnum.ar.cuit",
    context={
        "any": ("cuit", "cuil"),
        "es": ("clave única de identificación", "tributaria", "laboral"),
        "en": ("argentine tax", "argentinian tax", "tax id"),
    },
    module=_M,
)
