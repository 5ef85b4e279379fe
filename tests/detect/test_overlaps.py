"""Overlapping findings: the best wins and the parts of a loser that no winner covers stay."""

from __future__ import annotations

import pytest

from dataward.detect import Engine
from dataward.detect.model import Finding
from dataward.detect.overlaps import resolve

RECORD = "Patient Amit Martinez, DOB 1936-02-27, SSN 506-16-4622."


def test_a_name_read_into_a_losing_address_is_still_reported() -> None:
    street = Finding("STREET_ADDRESS", 8, 54, 0.9, "ner")
    dob = Finding("DATE_OF_BIRTH", 27, 37, 0.9, "date")
    ssn = Finding("US_SSN", 43, 54, 0.95, "us-ssn")
    kept = resolve([street, dob, ssn], frozenset({"ner"}), RECORD)
    assert [(f.entity, RECORD[f.start : f.end]) for f in kept] == [
        ("STREET_ADDRESS", "Amit Martinez, DOB"),
        ("DATE_OF_BIRTH", "1936-02-27"),
        ("US_SSN", "506-16-4622"),
    ]
    assert kept[0].explanation is not None
    assert "remainder after an overlap" in kept[0].explanation.notes


def test_a_label_left_between_winners_is_not_reported() -> None:
    text = "DOB 1936-02-27 SSN 506-16-4622"
    wide = Finding("STREET_ADDRESS", 4, 30, 0.9, "ner")
    dob = Finding("DATE_OF_BIRTH", 4, 14, 0.9, "date")
    ssn = Finding("US_SSN", 19, 30, 0.95, "us-ssn")
    kept = resolve([wide, dob, ssn], frozenset({"ner"}), text)
    assert [text[f.start : f.end] for f in kept] == ["1936-02-27", "506-16-4622"]


def test_a_loser_inside_a_winner_leaves_nothing() -> None:
    card = Finding("CREDIT_CARD", 0, 16, 0.99, "credit-card")
    phone = Finding("PHONE_NUMBER", 4, 14, 0.6, "phone")
    assert resolve([card, phone]) == [card]


@pytest.mark.parametrize(
    ("text", "name"),
    [
        (RECORD, "Amit Martinez"),
        ("Patient Oskar Wendell, DOB 1961-11-03, SSN 523-71-6604.", "Oskar Wendell"),
    ],
)
def test_the_engine_reports_the_name_beside_the_ids(text: str, name: str) -> None:
    found = {text[f.start : f.end]: f.entity for f in Engine.default().detect(text)}
    assert found.get(name) == "PERSON"
    assert "SSN" not in " ".join(v for v in found if v != name)


def test_a_pattern_keeps_only_remainders_with_digits() -> None:
    text = "s/p avr '84 and call 555-0142-77"
    month_year = Finding("DATE_TIME", 4, 11, 0.5, "date")  # "avr '84"
    year = Finding("DATE_TIME", 8, 11, 0.8, "clinical")  # "'84"
    phone = Finding("PHONE_NUMBER", 21, 32, 0.6, "phone")
    account = Finding("ACCOUNT", 21, 29, 0.9, "acct")
    kept = resolve([month_year, year, phone, account], frozenset(), text)
    assert [text[f.start : f.end] for f in kept] == ["'84", "555-0142", "77"]


def test_an_address_remainder_without_number_or_street_word_is_dropped() -> None:
    """The model read ``Card 4111 1111 1111 1111`` as an address; after the card won, the
    word ``Card`` alone was reported as STREET_ADDRESS and protect replaced it."""
    import dataward as dw

    text = "Card 4111 1111 1111 1111, thanks"
    assert [(f.entity, text[f.start : f.end]) for f in dw.detect(text)] == [
        ("CREDIT_CARD", "4111 1111 1111 1111")
    ]


def test_a_card_number_with_a_word_is_no_address() -> None:
    """The model read ``Card 4111 1111 1111 1111`` as an address; after the card won, the
    word ``Card`` alone was reported as STREET_ADDRESS and protect replaced it."""
    import dataward as dw

    text = "Card 4111 1111 1111 1111, thanks"
    assert [(f.entity, text[f.start : f.end]) for f in dw.detect(text)] == [
        ("CREDIT_CARD", "4111 1111 1111 1111")
    ]


@pytest.mark.parametrize(
    "text",
    [
        "note from 948a46c654679665 refund fine",  # a keyed hash where an IP address was
        "box great refund note card 4521371259198890 box refund see",
        "great order card 4493060487248809 <STREET_ADDRESS>  shipped great order late",
    ],
)
def test_protected_outputs_read_as_no_address(text: str) -> None:
    """A hash, a lone "box" or a placeholder beside a card read as STREET_ADDRESS, so
    protect's own verification stopped runs whose output held nothing of the input (found by
    the property tests in tests/protect/test_protect_property.py)."""
    import dataward as dw

    assert [f for f in dw.detect(text) if f.entity == "STREET_ADDRESS"] == []


@pytest.mark.parametrize(
    "text, address",
    [
        ("Send it to Unit 8411 Box 3596\nDPO AP 34698 please", "Unit 8411 Box 3596"),
        ("Write to P.O. Box 1234, Springfield, IL 62701", "Box 1234"),
    ],
)
def test_box_addresses_stay_addresses(text: str, address: str) -> None:
    import dataward as dw

    spans = [text[f.start : f.end] for f in dw.detect(text) if f.entity == "STREET_ADDRESS"]
    assert any(address in s for s in spans), spans
