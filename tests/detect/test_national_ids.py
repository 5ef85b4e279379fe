"""National identity and tax numbers: one valid value per shape, near-misses, context, pickling."""

from __future__ import annotations

import functools
import pickle
import re

import pytest

from dataward.detect.base import PatternDetector
from dataward.detect.context import tokens
from dataward.detect.detectors import load_builtins
from dataward.detect.detectors.national_ids import NationalIdDetector, class_name, specs
from dataward.detect.engine import Engine, available_backends
from dataward.detect.registry import detectors
from dataward.taxonomy import taxonomy

load_builtins()

BACKENDS = [b for b in ("hyperscan", "re") if b in available_backends()]

# (registry key, a valid value in one of its shapes, text with a context word, found without it)
CASES: list[tuple[str, str, str, bool]] = [
    ("es-nif", "12345670Y", "DNI: {v}", True),
    ("es-nif", "12345670 Y", "DNI: {v}", True),
    ("es-nif", "12.345.670-Y", "su DNI es {v}", True),
    ("es-nie", "X1234560N", "NIE {v}", True),
    ("it-fiscal-code", "RSSMRA85T10A562S", "codice fiscale {v}", True),
    ("it-vat-code", "07183270011", "Partita IVA {v}", False),
    ("pl-pesel", "85071004502", "PESEL: {v}", False),
    ("pl-nip", "5261234509", "NIP {v}", False),
    ("pl-nip", "526-123-45-09", "NIP {v}", False),
    ("pl-nip", "526-12-34-509", "NIP {v}", False),
    ("de-tax-id", "47392810602", "Steuer-ID: {v}", False),
    ("de-tax-id", "47 392 810 602", "Steueridentifikationsnummer {v}", False),
    ("fr-nir", "1 85 07 76 451 000 06", "numéro de sécurité sociale {v}", True),
    ("fr-nir", "185077645100006", "NIR {v}", False),
    ("fr-nif", "3023456789094", "numéro fiscal {v}", False),
    ("fr-nif", "30 23 456 789 094", "numéro fiscal {v}", True),
    ("nl-bsn", "111222308", "BSN {v}", False),
    ("nl-bsn", "1112.22.308", "burgerservicenummer {v}", False),
    ("be-national-number", "85.07.30-033.28", "rijksregisternummer {v}", True),
    ("be-national-number", "85073003328", "rijksregisternummer {v}", False),
    ("se-personnummer", "850709-9805", "personnummer {v}", False),
    ("se-personnummer", "198507099805", "personnummer {v}", False),
    ("no-fodselsnummer", "15078512323", "fødselsnummer {v}", False),
    ("dk-cpr", "211062-5500", "CPR-nr. {v}", False),
    ("dk-cpr", "2110625500", "CPR {v}", False),
    ("fi-personal-identity-code", "131052-300J", "henkilötunnus {v}", True),
    ("fi-personal-identity-code", "010203A1008", "hetu {v}", True),
    ("is-kennitala", "120174-3040", "kennitala {v}", False),
    ("is-kennitala", "1201743040", "kennitala {v}", False),
    ("ee-personal-code", "37603140214", "isikukood {v}", False),
    ("lt-personal-code", "48811200544", "asmens kodas {v}", False),
    ("bg-egn", "8507301204", "ЕГН {v}", False),
    ("ro-cnp", "1900101040208", "CNP {v}", False),
    ("hr-oib", "48692310251", "OIB: {v}", False),
    ("cz-birth-number", "780123/4507", "rodné číslo {v}", True),
    ("cz-birth-number", "7801234507", "rodné číslo {v}", False),
    ("pt-nif", "245390103", "NIF {v}", False),
    ("pt-nif", "245 390 103", "contribuinte {v}", False),
    ("pt-citizen-card", "12345678 0 ZZ0", "cartão de cidadão {v}", True),
    ("ie-pps", "6433435F", "PPS number {v}", True),
    ("ch-ahv", "756.9217.0769.85", "AHV {v}", True),
    ("ch-ahv", "7569217076985", "AHV {v}", True),
    ("ch-uid", "CHE-100.155.212", "UID {v}", True),
    ("gr-amka", "01078704515", "ΑΜΚΑ {v}", False),
    ("gr-afm", "094256202", "ΑΦΜ {v}", False),
    ("at-social-security-number", "1001150785", "SVNR {v}", False),
    ("at-social-security-number", "1001 150785", "Sozialversicherungsnummer {v}", False),
    ("si-emso", "0105999500109", "EMŠO {v}", False),
    ("tr-tc-kimlik", "17654872358", "TC Kimlik No {v}", False),
    ("eu-vat-number", "DE136197507", "VAT {v}", True),
    ("eu-vat-number", "FR40 303265045", "TVA {v}", True),
    ("eu-vat-number", "IT07183270011", "VAT {v}", True),
    ("eu-vat-number", "ESA58615667", "VAT {v}", True),
    ("eu-vat-number", "ATU13223304", "UID {v}", True),
    ("eu-vat-number", "BE 0428.759.400", "BTW {v}", True),
    ("eu-vat-number", "PL5260001200", "VAT {v}", True),
    ("eu-vat-number", "NL111222308B01", "BTW {v}", True),
    ("eu-vat-number", "SE556600010401", "moms {v}", True),
    ("eu-vat-number", "FI20849618", "ALV {v}", True),
    ("eu-vat-number", "HR48692310202", "VAT {v}", True),
    ("eu-vat-number", "EL094256202", "VAT {v}", True),
    ("eu-vat-number", "DK 13 58 56 01", "moms {v}", True),
    ("br-cpf", "390.533.447-05", "CPF {v}", True),
    ("br-cpf", "39053344705", "CPF {v}", False),
    ("br-cnpj", "11.444.777/0001-61", "CNPJ {v}", True),
    ("br-cnpj", "11444777000161", "CNPJ {v}", False),
    ("mx-curp", "BADD110313HCMLNS06", "CURP {v}", True),
    ("mx-rfc", "GODE561231GR8", "RFC {v}", True),
    ("ca-sin", "130 692 544", "SIN {v}", False),
    ("ca-sin", "130-692-544", "social insurance number {v}", False),
    ("ca-sin", "130692544", "SIN {v}", False),
    ("cl-rut", "12.345.678-5", "RUT {v}", True),
    ("cl-rut", "12345678-5", "RUT {v}", False),
    ("ar-cuit", "20-29345670-5", "CUIT {v}", True),
    ("ar-cuit", "20293456705", "CUIT {v}", False),
    ("cn-resident-id", "11010519491231002X", "身份证号 {v}", True),
    ("in-aadhaar", "2345 6789 0107", "Aadhaar {v}", False),
    ("in-aadhaar", "2345-6789-0107", "Aadhaar {v}", False),
    ("in-aadhaar", "234567890107", "Aadhaar {v}", False),
    ("in-pan", "ABCPK1234A", "PAN {v}", True),
    ("kr-rrn", "850730-1234506", "주민등록번호 {v}", True),
    ("kr-rrn", "8507301234506", "주민등록번호 {v}", False),
    ("sg-nric-fin", "S1234567D", "NRIC {v}", True),
    ("sg-nric-fin", "F1234567N", "FIN {v}", True),
    ("au-tfn", "123 456 707", "TFN {v}", False),
    ("au-tfn", "123456707", "tax file number {v}", False),
    ("au-abn", "51 824 753 524", "ABN {v}", True),
    ("au-abn", "51824753524", "ABN {v}", False),
    ("au-acn", "004 085 616", "ACN {v}", False),
    ("au-acn", "004085616", "ACN {v}", False),
    ("au-medicare", "2428 77868 1", "Medicare card {v}", False),
    ("au-medicare", "2428778681", "Medicare {v}", False),
    ("nz-ird", "49-091-808", "IRD number {v}", False),
    ("nz-ird", "49091808", "IRD {v}", False),
    ("za-id-number", "8507305577005", "South African ID number {v}", False),
    ("za-id-number", "850730 5577 005", "ID number {v}", False),
    ("il-id-number", "039784558", "Teudat Zehut {v}", False),
    ("il-id-number", "03978455-8", "Teudat Zehut {v}", False),
    ("jp-my-number", "1234 5678 9018", "マイナンバー {v}", False),
    ("jp-my-number", "123456789018", "個人番号 {v}", False),
    ("my-nric", "850730-14-5230", "MyKad {v}", True),
    ("my-nric", "850730145230", "NRIC {v}", False),
    ("th-tnin", "1-1017-00230-70-8", "Thai ID {v}", True),
    ("th-tnin", "1 1017 00230 70 8", "Thai ID {v}", True),
    ("th-tnin", "1101700230708", "Thai ID {v}", False),
    ("id-nik", "32.71.06.520785.0000", "NIK {v}", True),
    ("id-nik", "3271065207850000", "NIK {v}", False),
    ("ru-inn", "500412689545", "ИНН {v}", False),
    ("ru-inn", "7707083808", "ИНН {v}", False),
    ("pk-cnic", "35202-1234567-1", "CNIC {v}", True),
    ("pk-cnic", "3520212345671", "CNIC {v}", False),
]

NO_NEAR_MISS = {"in-pan"}
"""Keys whose check adds nothing to the regex shape, so no shape-keeping near-miss exists."""

TRAILING_DIGIT_IN_SHAPE = {"au-medicare"}
"""Keys whose shape has an optional last digit (the Medicare IRN): a digit more is still valid."""

NEUTRAL = "Record {v} was updated."


def _detector(key: str) -> NationalIdDetector:
    det = detectors.get(key)
    assert isinstance(det, NationalIdDetector)
    return det


@functools.cache
def _engine(key: str, backend: str) -> Engine:
    return Engine([_detector(key)], backend=backend)  # type: ignore[arg-type]


def _spans(engine: Engine, text: str, **kwargs: object) -> list[tuple[str, int, int]]:
    return [(f.entity, f.start, f.end) for f in engine.detect(text, **kwargs)]  # type: ignore[arg-type]


def _fullmatch(det: PatternDetector, value: str) -> bool:
    for p in det.patterns:
        flags = re.ASCII | (re.IGNORECASE if p.ignore_case else 0)
        if re.fullmatch(p.regex, value, flags):
            return True
    return False


def _near_miss(det: NationalIdDetector, value: str) -> str | None:
    """``value`` with one character changed so that the shape holds and the checksum fails."""
    spec = det.spec
    for i in range(len(value) - 1, -1, -1):
        c = value[i]
        if c.isdigit():
            pool = "0123456789"
        elif c.isalpha():
            pool = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
        else:
            continue
        for r in pool:
            if r == c.upper():
                continue
            cand = value[:i] + r + value[i + 1 :]
            compact = cand.translate({ord(x): None for x in spec.strip})
            if _fullmatch(det, cand) and not spec.check(compact):
                return cand
    return None


@pytest.fixture(scope="module", params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.mark.parametrize(("key", "value", "text", "alone"), CASES)
def test_valid_value_found_with_context(
    key: str, value: str, text: str, alone: bool, backend: str
) -> None:
    det = _detector(key)
    engine = _engine(key, backend)
    sentence = text.format(v=value)
    start = sentence.index(value)
    findings = engine.detect(sentence, explain=True)
    assert [(f.entity, f.start, f.end) for f in findings] == [
        (det.entity, start, start + len(value))
    ]
    assert findings[0].score >= 0.5
    assert findings[0].explanation is not None
    assert findings[0].explanation.context_words


@pytest.mark.parametrize(("key", "value", "text", "alone"), CASES)
def test_without_context_only_distinctive_shapes(
    key: str, value: str, text: str, alone: bool, backend: str
) -> None:
    engine = _engine(key, backend)
    found = _spans(engine, NEUTRAL.format(v=value))
    assert bool(found) is alone


@pytest.mark.parametrize(("key", "value", "text", "alone"), CASES)
def test_checksum_near_miss_not_found(
    key: str, value: str, text: str, alone: bool, backend: str
) -> None:
    det = _detector(key)
    near = _near_miss(det, value)
    if near is None:
        assert key in NO_NEAR_MISS
        return
    engine = _engine(key, backend)
    assert _spans(engine, text.format(v=near)) == []


@pytest.mark.parametrize(("key", "value", "text", "alone"), CASES)
def test_embedded_in_longer_token_not_found(
    key: str, value: str, text: str, alone: bool, backend: str
) -> None:
    engine = _engine(key, backend)
    wraps = [f"7{value}3", f"A{value}", f"{value}Z"]
    if key not in TRAILING_DIGIT_IN_SHAPE:
        wraps.append(f"{value}9")
    for wrapped in wraps:
        assert _spans(engine, text.format(v=wrapped)) == [], wrapped


def test_backends_agree_on_all_detectors() -> None:
    dets = [_detector(k) for k in specs()]
    text = "\n".join(t.format(v=v) for _, v, t, _ in CASES)
    results = [[f.to_dict() for f in Engine(dets, backend=b).detect(text)] for b in BACKENDS]
    assert results[0]
    assert all(r == results[0] for r in results)


@pytest.mark.parametrize(("key", "value", "text", "alone"), CASES)
def test_right_country_wins_among_all_national_ids(
    key: str, value: str, text: str, alone: bool
) -> None:
    dets = [_detector(k) for k in specs()]
    engine = _all_engine(tuple(dets))
    sentence = text.format(v=value)
    start = sentence.index(value)
    assert _spans(engine, sentence) == [(_detector(key).entity, start, start + len(value))]


_ENGINES: dict[int, Engine] = {}


def _all_engine(dets: tuple[NationalIdDetector, ...]) -> Engine:
    if not _ENGINES:
        _ENGINES[0] = Engine(list(dets), backend="re")
    return _ENGINES[0]


def test_every_pattern_has_a_case() -> None:
    hit: set[str] = set()
    for key, value, text, _ in CASES:
        engine = Engine([_detector(key)], backend="re")
        for f in engine.detect(text.format(v=value), explain=True):
            assert f.explanation is not None and f.explanation.pattern is not None
            hit.add(f.explanation.pattern)
    every = {p.name for k in specs() for p in _detector(k).patterns}
    assert every - hit == set()


def test_digit_runs_need_context() -> None:
    """Bare digit patterns (named ``*-digits``) score below the threshold.

    Two exceptions: the Swiss AHV number, whose fixed ``756`` prefix is a shape of its own, and
    the Chinese resident ID, whose region code, birth date and check digit together pass about
    one random 18-digit run in four million.
    """
    strong = {"ch-ahv-digits", "cn-resident-id-digits"}
    for key in specs():
        for p in _detector(key).patterns:
            if p.name.endswith("-digits") and p.name not in strong:
                assert p.score < 0.5, p.name


def test_at_least_thirty_countries() -> None:
    countries = {s.country for s in specs().values()} - {"EU"}
    assert len(countries) >= 30
    assert len(specs()) >= 40


def test_entities_are_in_the_taxonomy_with_their_country() -> None:
    tax = taxonomy()
    for key, spec in specs().items():
        entity = tax.get(spec.entity)
        assert entity.country == spec.country, key
        assert "GOVERNMENT_ID" in entity.categories
        assert entity.data_category.startswith("user.")


def test_context_words_are_matchable() -> None:
    """A single-word entry must be one token, or the engine's matcher can never see it."""
    for key in specs():
        det = _detector(key)
        for group in (det.context, det.negative_context):
            for words in group.values():
                for w in words:
                    assert w == w.lower(), (key, w)
                    if " " not in w:
                        assert tokens(w) == [w], (key, w)


def test_classes_are_module_attributes_and_pickle() -> None:
    import importlib

    for key in specs():
        det = _detector(key)
        cls = type(det)
        assert cls.__name__ == class_name(key)
        module = importlib.import_module(cls.__module__)
        assert getattr(module, cls.__name__) is cls
        clone = pickle.loads(pickle.dumps(det))
        assert type(clone) is cls
        assert clone.name == key


def test_engine_pickles_with_national_ids() -> None:
    dets = [_detector(k) for k in ("es-nif", "pl-pesel", "eu-vat-number")]
    engine = Engine(dets, backend=BACKENDS[0])
    clone = pickle.loads(pickle.dumps(engine))
    text = "PESEL 85071004502, DNI 12345670Y"
    assert _spans(clone, text) == _spans(engine, text)
    assert len(_spans(clone, text)) == 2


def test_negative_context_lowers_a_digit_run() -> None:
    engine = Engine([_detector("pl-pesel")], backend="re")
    assert _spans(engine, "PESEL 85071004502") != []
    assert _spans(engine, "phone 85071004502") == []


def test_value_never_in_explanation() -> None:
    engine = Engine([_detector("it-fiscal-code")], backend="re")
    (f,) = engine.detect("codice fiscale RSSMRA85T10A562S", explain=True)
    assert "RSSMRA85T10A562S" not in repr(f.to_dict(explain=True))
