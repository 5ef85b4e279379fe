"""Health identifiers: US provider and beneficiary numbers, record, plan and licence numbers.

NPI, DEA and MBI numbers have a checksum or a positional alphabet and score on their own. Medical
record numbers, health plan ids and medical licence numbers are free-form per institution, so their
patterns are only id-like shapes with a low base score: a context word must say what they are.
"""

from __future__ import annotations

import re

from dataward.detect.base import PatternDetector
from dataward.detect.model import Pattern
from dataward.detect.registry import register
from dataward.detect.validators import luhn_ok

_NEGATIVE_NUMBER_WORDS = {
    "en": (
        "order",
        "invoice",
        "tracking",
        "ref",
        "reference",
        "phone",
        "tel",
        "telephone",
        "fax",
        "mobile",
        "call",
        "zip",
        "isbn",
        "sku",
        "ticket",
        "transaction",
        "shipment",
    ),
    "de": ("bestellung", "bestellnummer", "rechnung", "sendungsnummer", "telefon", "referenz"),
    "fr": ("commande", "facture", "suivi", "téléphone", "référence"),
    "es": ("pedido", "factura", "seguimiento", "teléfono", "referencia"),
    "it": ("ordine", "fattura", "spedizione", "telefono", "riferimento"),
    "any": ("tel", "fax", "ref", "sku", "awb"),
}


def _digits(value: str) -> str:
    return "".join(c for c in value if c.isdigit())


def npi_ok(digits: str) -> bool:
    """Whether ten digits form a valid NPI: Luhn over the ISO prefix 80840 and the number."""
    return len(digits) == 10 and digits[0] in "12" and luhn_ok("80840" + digits)


@register("us-npi")
class NpiDetector(PatternDetector):
    """US National Provider Identifiers (10 digits, Luhn with the 80840 prefix)."""

    entity = "US_NPI"
    patterns = (Pattern("npi", r"[12][0-9]{9}", 0.4),)
    context = {
        "en": (
            "npi",
            "national provider",
            "provider",
            "prescriber",
            "physician",
            "practitioner",
            "nppes",
            "rendering",
            "billing provider",
        ),
        "de": ("npi", "leistungserbringer", "arzt"),
        "fr": ("npi", "prestataire", "médecin", "praticien"),
        "es": ("npi", "proveedor", "médico", "prescriptor"),
        "it": ("npi", "medico", "prescrittore", "fornitore"),
        "any": ("npi", "npi#"),
    }
    negative_context = {
        **_NEGATIVE_NUMBER_WORDS,
        "en": (*_NEGATIVE_NUMBER_WORDS["en"], "timestamp", "epoch"),
    }
    validator = "npi-luhn"

    def validate(self, value: str, pattern: Pattern) -> float | None:
        return pattern.score if npi_ok(value) and len(set(value)) > 2 else None


# Registrant types: A/B/F/G practitioners, M mid-level, P/R and C/D/E/H/J/K/L/S/T/U other
# registrant classes, X the opioid-treatment waiver. Second character: the registrant's initial,
# or 9 when the business name starts with a digit.
_DEA_FIRST = "ABCDEFGHJKLMPRSTUX"


def dea_ok(value: str) -> bool:
    """Whether ``value`` is a DEA registration number with a valid check digit."""
    if len(value) != 9 or value[0] not in _DEA_FIRST or not value[2:].isdigit():
        return False
    d = [int(c) for c in value[2:]]
    total = d[0] + d[2] + d[4] + 2 * (d[1] + d[3] + d[5])
    return total % 10 == d[6]


@register("us-dea")
class DeaDetector(PatternDetector):
    """US DEA registration numbers: registrant type, initial, seven digits with a check digit."""

    entity = "US_DEA_NUMBER"
    patterns = (Pattern("dea", rf"[{_DEA_FIRST}][A-Z9][0-9]{{7}}", 0.6),)
    context = {
        "en": (
            "dea",
            "dea#",
            "registration",
            "controlled substance",
            "prescriber",
            "narcotic",
            "schedule ii",
        ),
        "de": ("dea", "betäubungsmittel"),
        "fr": ("dea", "stupéfiant", "substances contrôlées"),
        "es": ("dea", "estupefaciente", "sustancias controladas"),
        "it": ("dea", "stupefacenti", "sostanze controllate"),
        "any": ("dea",),
    }
    negative_context = _NEGATIVE_NUMBER_WORDS
    validator = "dea-checksum"

    def validate(self, value: str, pattern: Pattern) -> float | None:
        digits = value[2:]
        if not dea_ok(value) or len(set(digits)) == 1:
            return None
        return pattern.score


# MBI letters: A-Z without S, L, O, I, B and Z.
_MBI_ALPHA = "[AC-HJKMNP-RT-Y]"
_MBI_ALNUM = "[0-9AC-HJKMNP-RT-Y]"
_MBI = (
    f"[1-9]{_MBI_ALPHA}{_MBI_ALNUM}[0-9]-?{_MBI_ALPHA}{_MBI_ALNUM}[0-9]-?"
    f"{_MBI_ALPHA}{_MBI_ALPHA}[0-9][0-9]"
)


@register("us-mbi")
class MbiDetector(PatternDetector):
    """Medicare Beneficiary Identifiers: 11 positions of fixed kind, dashes optional (4-3-4)."""

    entity = "US_MBI"
    patterns = (Pattern("mbi", _MBI, 0.6),)
    context = {
        "en": ("mbi", "medicare", "beneficiary", "medicare number", "medicare id", "cms"),
        "de": ("mbi", "medicare", "versichertennummer"),
        "fr": ("mbi", "medicare", "bénéficiaire"),
        "es": ("mbi", "medicare", "beneficiario"),
        "it": ("mbi", "medicare", "beneficiario"),
        "any": ("mbi", "medicare"),
    }
    negative_context = _NEGATIVE_NUMBER_WORDS
    validator = "mbi-positions"

    def validate(self, value: str, pattern: Pattern) -> float | None:
        dashes = value.count("-")
        if dashes not in (0, 2):
            return None
        return pattern.score


# --- Context-only identifiers ------------------------------------------------------------------

# Id-like shapes: optional letter prefix, then digits with at most a few dashes. The validators
# reject dates, repeated digits and implausible lengths; context decides the rest.
_ID_LETTERS = r"[A-Z]{1,4}-?[0-9]{4,14}(?:-[0-9]{1,4})?[A-Z]?"
_ID_DIGITS = r"[0-9]{5,15}(?:-[0-9]{1,4})?"
_ID_DASHED = r"[0-9]{2,8}(?:[-/][0-9]{2,8}){1,3}"
_DATE_LIKE = re.compile(
    r"(?:19|20)[0-9]{2}[-/][0-9]{1,2}[-/][0-9]{1,2}|[0-9]{1,2}[-/][0-9]{1,2}[-/](?:19|20)?[0-9]{2}",
    re.ASCII,
)


def _id_shape_ok(value: str, min_digits: int = 5, max_digits: int = 15) -> bool:
    digits = _digits(value)
    if not min_digits <= len(digits) <= max_digits or len(set(digits)) == 1:
        return False
    if len(digits) == 4 and 1900 <= int(digits) <= 2099:  # a year next to a word or letter
        return False
    return _DATE_LIKE.fullmatch(value) is None


_MRN_NEGATIVE = {
    **_NEGATIVE_NUMBER_WORDS,
    "en": (*_NEGATIVE_NUMBER_WORDS["en"], "room", "bed", "dose", "mg", "units", "npi", "ssn"),
    "any": (*_NEGATIVE_NUMBER_WORDS["any"], "npi", "ssn", "mg", "ml"),
}


@register("medical-record-number")
class MedicalRecordNumberDetector(PatternDetector):
    """Medical record numbers: an id shape next to a medical-record or patient-id label."""

    entity = "MEDICAL_RECORD_NUMBER"
    patterns = (
        Pattern("mrn-letters", _ID_LETTERS, 0.2),
        Pattern("mrn-digits", _ID_DIGITS, 0.2),
        Pattern("mrn-dashed", _ID_DASHED, 0.2),
    )
    context = {
        "en": (
            "mrn",
            "medical record",
            "med rec",
            "record number",
            "record no",
            "health record",
            "patient id",
            "patient-id",
            "patient number",
            "patient no",
            "patient #",
            "patientid",
            "chart #",
            "chart no",
            "chart number",
            "chart id",
            "hospital number",
            "hospital no",
            "emr",
            "ehr",
        ),
        "de": (
            "krankenaktennummer",
            "krankenakte",
            "patientennummer",
            "patienten-id",
            "patientenid",
            "fallnummer",
            "aktennummer",
        ),
        "fr": (
            "dossier médical",
            "dossier medical",
            "numéro de dossier",
            "n° de dossier",
            "numéro patient",
            "numéro de patient",
            "identifiant patient",
            "ipp",
        ),
        "es": (
            "historia clínica",
            "historia clinica",
            "número de historia",
            "expediente",
            "nhc",
            "número de paciente",
            "id de paciente",
        ),
        "it": (
            "cartella clinica",
            "numero di cartella",
            "codice paziente",
            "id paziente",
            "numero paziente",
            "nosologico",
        ),
        "any": ("mrn", "mrn#", "emr", "ehr"),
    }
    negative_context = _MRN_NEGATIVE
    validator = "id-shape"

    def validate(self, value: str, pattern: Pattern) -> float | None:
        return pattern.score if _id_shape_ok(value) else None


@register("health-plan-id")
class HealthPlanIdDetector(PatternDetector):
    """Health plan member, subscriber, group and policy numbers, recognised by their labels."""

    entity = "HEALTH_PLAN_ID"
    patterns = (
        Pattern("plan-letters", _ID_LETTERS, 0.2),
        Pattern("plan-digits", _ID_DIGITS, 0.2),
        Pattern("plan-dashed", _ID_DASHED, 0.2),
    )
    context = {
        "en": (
            "member id",
            "member number",
            "member no",
            "member #",
            "memberid",
            "member",
            "subscriber",
            "group number",
            "group no",
            "group #",
            "group id",
            "grp",
            "health plan",
            "plan id",
            "plan number",
            "health insurance",
            "medical insurance",
            "dental plan",
            "insurance id",
            "insurance number",
            "insurance card",
            "insured id",
            "policy number",
            "policy no",
            "policy #",
            "medicaid",
            "hmo",
            "ppo",
        ),
        "de": (
            "versichertennummer",
            "krankenversichertennummer",
            "krankenversicherung",
            "krankenkasse",
            "mitgliedsnummer",
            "versicherungsnummer",
        ),
        "fr": (
            "numéro d'adhérent",
            "adhérent",
            "mutuelle",
            "numéro d'assuré",
            "assurance maladie",
            "numéro de police",
        ),
        "es": (
            "número de afiliado",
            "afiliado",
            "número de póliza",
            "póliza",
            "seguro médico",
            "aseguradora",
        ),
        "it": (
            "numero di polizza",
            "polizza",
            "assicurazione sanitaria",
            "tessera sanitaria",
            "numero di iscrizione",
        ),
        "any": ("hmo", "ppo", "medicaid"),
    }
    negative_context = {
        **_NEGATIVE_NUMBER_WORDS,
        "en": (*_NEGATIVE_NUMBER_WORDS["en"], "auto", "vehicle", "homeowner", "life insurance"),
    }
    validator = "id-shape"

    def validate(self, value: str, pattern: Pattern) -> float | None:
        return pattern.score if _id_shape_ok(value) else None


@register("medical-license")
class MedicalLicenseDetector(PatternDetector):
    """State medical licence numbers (A123456, ME12345, 35.123456 ...) next to a licence word."""

    entity = "MEDICAL_LICENSE"
    patterns = (
        Pattern("license-letters", r"[A-Z]{1,3}[- ]?[0-9]{4,8}[A-Z]?", 0.2),
        Pattern("license-digits", r"[0-9]{5,10}", 0.2),
        Pattern("license-dotted", r"[0-9]{2,3}\.[0-9]{5,7}", 0.2),
    )
    context = {
        "en": (
            "medical license",
            "medical licence",
            "license",
            "licence",
            "lic",
            "lic#",
            "licensure",
            "state board",
            "medical board",
        ),
        "de": ("approbation", "approbationsnummer", "arztnummer", "lanr", "zulassungsnummer"),
        "fr": ("rpps", "adeli", "ordre des médecins", "numéro d'ordre", "numéro d'inscription"),
        "es": ("colegiado", "número de colegiado", "licencia médica", "cédula profesional"),
        "it": ("iscrizione all'albo", "albo", "ordine dei medici", "numero di iscrizione"),
        "any": ("lic", "lic#"),
    }
    negative_context = {
        **_NEGATIVE_NUMBER_WORDS,
        "en": (
            *_NEGATIVE_NUMBER_WORDS["en"],
            "driver",
            "driving",
            "plate",
            "software",
            "product",
            "business",
            "liquor",
            "dl",
        ),
        "de": (*_NEGATIVE_NUMBER_WORDS["de"], "führerschein", "kennzeichen"),
        "fr": (*_NEGATIVE_NUMBER_WORDS["fr"], "permis de conduire", "immatriculation"),
        "es": (*_NEGATIVE_NUMBER_WORDS["es"], "licencia de conducir", "matrícula"),
        "it": (*_NEGATIVE_NUMBER_WORDS["it"], "patente", "targa"),
    }
    validator = "license-shape"

    def validate(self, value: str, pattern: Pattern) -> float | None:
        return pattern.score if _id_shape_ok(value, min_digits=4, max_digits=10) else None
