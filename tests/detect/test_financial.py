"""Financial detectors through the engine: exact spans, near-misses, both backends agree."""

from __future__ import annotations

import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dataward.detect.detectors.bank import IBAN_LENGTHS, BankAccountDetector, IbanDetector
from dataward.detect.detectors.financial import (
    AbaRoutingDetector,
    CardExpiryDetector,
    CardVerificationDetector,
    CreditCardDetector,
    SwiftCodeDetector,
    UsBankNumberDetector,
    card_brand,
)
from dataward.detect.engine import Engine
from dataward.detect.model import Finding
from dataward.detect.validators import aba_check_digit, iban_check_digits, luhn_check_digit
from dataward.taxonomy import taxonomy

BACKENDS = ("hyperscan", "re")
DETECTORS = {
    "card": CreditCardDetector(),
    "iban": IbanDetector(),
    "bank": BankAccountDetector(),
    "swift": SwiftCodeDetector(),
    "aba": AbaRoutingDetector(),
    "usbank": UsBankNumberDetector(),
}
_ENGINES = {(k, b): Engine([d], backend=b) for k, d in DETECTORS.items() for b in BACKENDS}


def run(kind: str, text: str) -> list[Finding]:
    """Findings of one detector; asserts both backends give identical results."""
    results = [_ENGINES[kind, b].detect(text) for b in BACKENDS]
    assert results[0] == results[1]
    return results[0]


def spans(kind: str, text: str) -> list[tuple[str, str]]:
    return [(f.entity, text[f.start : f.end]) for f in run(kind, text)]


def with_luhn(payload: str) -> str:
    return payload + luhn_check_digit(payload)


def rand_card(prefix: str, length: int, seed: int = 0) -> str:
    rng = random.Random(f"{prefix}{length}{seed}")
    body = prefix + "".join(rng.choice("0123456789") for _ in range(length - len(prefix) - 1))
    return with_luhn(body)


# -- CREDIT_CARD -----------------------------------------------------------------------------------

CARD_HITS = [
    "4111111111111111",
    "4012888888881881",
    "5555555555554444",
    "5105105105105100",
    "2221000000000009",
    "378282246310005",
    "371449635398431",
    "6011111111111117",
    "6011000990139424",
    "30569309025904",
    "3530111333300000",
    "3566002020360505",
    "6200000000000005",
    "6759649826438453",
    rand_card("2200", 16),  # Mir
    rand_card("506700", 16),  # Elo
    rand_card("606282", 16),  # Hipercard
    rand_card("9792", 16),  # Troy
    rand_card("506100", 19),  # Verve
    rand_card("8100", 17),  # UnionPay 81
    rand_card("4", 19),  # Visa 19
    rand_card("6304", 18),  # Maestro
    rand_card("3841", 16),  # Hipercard 3841
]


@pytest.mark.parametrize("number", CARD_HITS)
def test_card_contiguous_hits(number: str) -> None:
    text = f"Paid with {number}, thanks"
    assert spans("card", text) == [("CREDIT_CARD", number)]
    assert card_brand(number) is not None


@pytest.mark.parametrize(
    "printed",
    [
        "4111 1111 1111 1111",
        "4111-1111-1111-1111",
        "5555 5555 5555 4444",
        "3782 822463 10005",
        "3056 930902 5904",
        "6759 6498 2643 8453",
        "4000 0000 0000 0000 006",  # 19 digits; check digit fixed below
    ],
)
def test_card_grouped_hits(printed: str) -> None:
    digits = printed.replace(" ", "").replace("-", "")
    if len(digits) == 19:
        printed = printed[:-1] + luhn_check_digit(digits[:-1])
    text = f"card: {printed}."
    assert spans("card", text) == [("CREDIT_CARD", printed)]
    (f,) = run("card", text)
    assert f.score >= 0.9


@pytest.mark.parametrize(
    "text",
    [
        "4111111111111112",  # Luhn failure
        "4111 1111 1111 1112",
        "411111111111111",  # Visa with 15 digits
        "37828224631000",  # Amex with 14 digits
        "34111111111111111111",  # 20 digits
        "94111111111111111",  # digits before a valid PAN
        "41111111111111110",  # digit after
        "ref 004111111111111111 end",
        "4111 1111-1111 1111",  # mixed separators
        "0000000000000000",  # Luhn-valid, repeated
        "1234567812345670",  # Luhn-valid, no scheme, no context
        "4111.1111.1111.1111",
        "550e8400-e29b-41d4-a716-446655440000",  # UUID
        "d41d8cd98f00b204e9800998ecf8427e",  # md5 hash
        "Order 4111 1111 1111 1111 shipped",  # negative context
    ],
)
def test_card_near_misses(text: str) -> None:
    assert spans("card", text) == []


def test_card_no_scheme_needs_context() -> None:
    n = with_luhn("123456781234567")
    assert spans("card", f"id {n}") == []
    assert spans("card", f"credit card number {n}") == [("CREDIT_CARD", n)]


def test_card_random_16_digit_order_numbers_rarely_hit() -> None:
    rng = random.Random(7)
    numbers = ["".join(rng.choice("0123456789") for _ in range(16)) for _ in range(400)]
    failing = [n for n in numbers if with_luhn(n[:-1]) != n]
    hits = [n for n in failing if run("card", f"no {n}")]
    assert hits == []


@settings(max_examples=60, deadline=None)
@given(
    st.text(alphabet="0123456789", min_size=14, max_size=14),
    st.sampled_from([" ", "-", ""]),
)
def test_every_luhn_valid_visa_is_found(body: str, sep: str) -> None:
    number = with_luhn("4" + body)
    printed = sep.join(number[i : i + 4] for i in range(0, 16, 4))
    if len(set(number)) == 1:
        return
    text = f"x {printed} y"
    assert spans("card", text) == [("CREDIT_CARD", printed)]


def test_card_explanation_never_holds_value() -> None:
    text = "visa 4111111111111111"
    (f,) = Engine([CreditCardDetector()], backend="re").detect(text, explain=True)
    assert f.explanation is not None
    assert "4111" not in repr(f.explanation.to_dict())
    assert "visa" in f.explanation.context_words


# -- IBAN_CODE -------------------------------------------------------------------------------------

IBAN_HITS = [
    "DE89370400440532013000",
    "DE89 3704 0044 0532 0130 00",
    "GB29NWBK60161331926819",
    "GB29 NWBK 6016 1331 9268 19",
    "FR14 2004 1010 0505 0001 3M02 606",
    "ES91 2100 0418 4502 0005 1332",
    "NL91ABNA0417164300",
    "IT60X0542811101000000123456",
    "CH9300762011623852957",
    "BE68539007547034",
    "NO9386011117947",
    "MT84MALT011000012345MTLCAST001S",
    "de89370400440532013000",
]


@pytest.mark.parametrize("iban", IBAN_HITS)
def test_iban_hits(iban: str) -> None:
    text = f"Bitte überweisen an {iban} bis Freitag."
    assert spans("iban", text) == [("IBAN_CODE", iban)]


def test_iban_every_country_generated() -> None:
    rng = random.Random(1)
    fmt = {c: n for c, n in IBAN_LENGTHS.items()}
    assert len(fmt) >= 80 and fmt["DE"] == 22 and fmt["NO"] == 15 and fmt["RU"] == 33
    from dataward.detect.detectors import bank

    for item in bank._BBAN_FORMATS.split():
        country, spec = item.split(":")
        classes = bank._bban_classes(spec)
        pools = {
            "[0-9]": "0123456789",
            "[A-Z]": "ABCDEFGHIJKLMNOPQRSTUVWXYZ",
            "[A-Z0-9]": "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ",
        }
        bban = "".join(rng.choice(pools[c]) for c in classes)
        iban = country + iban_check_digits(country, bban) + bban
        printed = " ".join(iban[i : i + 4] for i in range(0, len(iban), 4))
        assert spans("iban", f"IBAN {iban}") == [("IBAN_CODE", iban)], country
        assert spans("iban", f"IBAN {printed} ok") == [("IBAN_CODE", printed)], country


@pytest.mark.parametrize(
    "text",
    [
        "DE88370400440532013000",  # check digits wrong
        "DE89370400440532013001",
        "DE8937040044053201300",  # one short
        "DE893704004405320130001",  # one long (digit after)
        "XX89370400440532013000",  # no such country
        "DE89 3704 0044 0532 0130 0",
        "DE89 37040044 0532 0130 00",  # irregular grouping
        "De89370400440532013000",  # mixed case
        "GB29NWBK6016133192681X",
        "ADE89370400440532013000",
    ],
)
def test_iban_near_misses(text: str) -> None:
    assert spans("iban", text) == []


def test_iban_followed_by_uppercase_word() -> None:
    text = "BE68 5390 0754 7034 THEN PAY"
    assert spans("iban", text) == [("IBAN_CODE", "BE68 5390 0754 7034")]


# -- BANK_ACCOUNT ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("CCC 2077 0024 00 3102575766", "2077 0024 00 3102575766"),
        ("número de cuenta 20770024003102575766", "20770024003102575766"),
        ("RIB 30006 00001 12345678901 89", "30006 00001 12345678901 89"),
        ("compte 30006000011234567890189", "30006000011234567890189"),
        ("conto X 05428 11101 000000123456", "X 05428 11101 000000123456"),
        ("rekening 539-0075470-34", "539-0075470-34"),
        ("numer 61 1090 1014 0000 0712 1981 2874", "61 1090 1014 0000 0712 1981 2874"),
        ("számla 11773016-11111018-00000000", "11773016-11111018-00000000"),
        ("účet 19-2000145399/0800", "19-2000145399/0800"),
        ("acct 01-0902-0068389-00", "01-0902-0068389-00"),
        ("kontonr 8601.11.17947", "8601.11.17947"),
        ("CLABE 032180000118359719", "032180000118359719"),
    ],
)
def test_bank_account_hits(text: str, value: str) -> None:
    assert spans("bank", text) == [("BANK_ACCOUNT", value)]


@pytest.mark.parametrize(
    "text",
    [
        "CCC 2077 0024 01 3102575766",  # check digits wrong
        "RIB 30006 00001 12345678901 88",
        "539-0075470-35",
        "11773016-11111019-00000000",
        "20770024003102575766",  # valid but contiguous and without context
        "032180000118359719",  # CLABE shape without context
        "0000 0000 00 0000000000",
        "id 12/2020",
    ],
)
def test_bank_account_near_misses(text: str) -> None:
    assert spans("bank", text) == []


# -- SWIFT_CODE ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("BIC: DEUTDEFF", "DEUTDEFF"),
        ("swift code COBADEFFXXX", "COBADEFFXXX"),
        ("send to BNPAFRPPXXX today", "BNPAFRPPXXX"),
        ("NWBKGB2L", "NWBKGB2L"),
        ("Code BIC : BNPAFRPP", "BNPAFRPP"),
        ("código swift CAIXESBBXXX", "CAIXESBBXXX"),
        ("bic DEUTDEFF500", "DEUTDEFF500"),
    ],
)
def test_swift_hits(text: str, value: str) -> None:
    assert spans("swift", text) == [("SWIFT_CODE", value)]


@pytest.mark.parametrize(
    "text",
    [
        "DEUTDEFF",  # all letters: needs context
        "THE HOSPITAL IS OPEN",
        "swift DEUTXXFF",  # no such country
        "swift DEUTDE0F",  # location starts with 0
        "bic deutdeff",  # lower case
        "swift DEUTDEFFX",  # 9 characters
        "bic DEUTDEFFX50",  # branch starting with X other than XXX
    ],
)
def test_swift_near_misses(text: str) -> None:
    assert spans("swift", text) == []


# -- ABA_ROUTING_NUMBER / US_BANK_NUMBER ----------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("routing number 021000021", "021000021"),
        ("ABA 011000015", "011000015"),
        ("RTN: 1210-0035-8", "1210-0035-8"),
        (
            "routing " + "26" + "123456" + aba_check_digit("26123456"),
            "26123456" + aba_check_digit("26123456"),
        ),
    ],
)
def test_aba_hits(text: str, value: str) -> None:
    assert spans("aba", text) == [("ABA_ROUTING_NUMBER", value)]


@pytest.mark.parametrize(
    "text",
    [
        "021000021",
        "routing 021000022",
        "routing 131000015",
        "routing 0210000210",
        "routing 000000000",
    ],
)
def test_aba_near_misses(text: str) -> None:
    assert spans("aba", text) == []


def test_us_bank_number_needs_context() -> None:
    assert spans("usbank", "checking account 123456789012") == [("US_BANK_NUMBER", "123456789012")]
    assert spans("usbank", "the value 123456789012") == []
    assert spans("usbank", "account 1234567") == []  # too short
    assert spans("usbank", "account 123456789012345678") == []  # too long
    assert spans("usbank", "account 00000000000") == []
    assert spans("usbank", "account order 123456789012") == []


# -- Taxonomy ---------------------------------------------------------------------------------------


def test_entities_are_in_the_taxonomy() -> None:
    tax = taxonomy()
    for det in DETECTORS.values():
        for name in det.entities:
            entity = tax.get(name)
            assert entity.data_category.startswith("user.financial")
    assert "PCI_DSS" in tax.get("CREDIT_CARD").regulations
    assert tax.get("IBAN_CODE").presidio


_CARD_EXTRAS = {
    (k, b): Engine([d], backend=b)
    for k, d in (("cvv", CardVerificationDetector()), ("expiry", CardExpiryDetector()))
    for b in BACKENDS
}


def _extras(kind: str, text: str) -> list[str]:
    results = [_CARD_EXTRAS[kind, b].detect(text) for b in BACKENDS]
    assert results[0] == results[1]
    return [text[f.start : f.end] for f in results[0]]


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("CVV 123", "123"),
        ("cvc2: 4821", "4821"),
        ("Security code is 907", "907"),
        ("card verification value #552", "552"),
        ("visa card, CID 1234", "1234"),
    ],
)
def test_cvv_after_its_label(text: str, code: str) -> None:
    assert _extras("cvv", text) == [code]


@pytest.mark.parametrize(
    "text", ["I paid 123 dollars", "the cid 123 of the process", "cvv12345", "CVV: 12"]
)
def test_cvv_needs_a_label_and_a_card_word_for_ambiguous_ones(text: str) -> None:
    assert _extras("cvv", text) == []


@pytest.mark.parametrize(
    ("text", "date"),
    [
        ("card exp 04/27", "04/27"),
        ("Expiry date: 9/28", "9/28"),
        ("visa valid thru 11/2029", "11/2029"),
        ("expiration 09-2028 on the card", "09-2028"),
    ],
)
def test_card_expiry_after_its_label(text: str, date: str) -> None:
    assert _extras("expiry", text) == [date]


@pytest.mark.parametrize("text", ["exp 13/27", "exp 5-10 mins", "on 04/27 we met", "exp 3/4"])
def test_card_expiry_near_misses(text: str) -> None:
    assert _extras("expiry", text) == []


def test_card_details_in_one_sentence_are_all_found() -> None:
    import dataward as dw

    text = "Paid with card 4539 1774 0826 9130 exp 04/27 CVV 123."
    found = {(f.entity, text[f.start : f.end]) for f in dw.detect(text)}
    assert {
        ("CREDIT_CARD", "4539 1774 0826 9130"),
        ("CARD_EXPIRY", "04/27"),
        ("CVV", "123"),
    } <= found
