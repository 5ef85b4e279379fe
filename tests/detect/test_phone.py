"""Phone numbers: many countries and formats, hard negatives, context, both backends agree."""

from __future__ import annotations

import pytest

from dataward.detect.detectors.phone import PhoneDetector
from dataward.detect.engine import Backend, Engine

BACKENDS: tuple[Backend, ...] = ("hyperscan", "re")
_ENGINES = {b: Engine([PhoneDetector()], backend=b) for b in BACKENDS}


def found(text: str) -> list[tuple[int, int]]:
    results = [_ENGINES[b].detect(text) for b in BACKENDS]
    assert results[0] == results[1]
    assert all(f.entity == "PHONE_NUMBER" and f.detector == "phone" for f in results[0])
    return [(f.start, f.end) for f in results[0]]


def span(text: str, value: str) -> tuple[int, int]:
    start = text.index(value)
    return start, start + len(value)


# (sentence, the phone number in it): found with no help from context words
HITS = [
    # international, +CC
    ("Reach the desk on +1 (202) 555-0143 tomorrow.", "+1 (202) 555-0143"),
    ("+1-202-555-0143", "+1-202-555-0143"),
    ("US office: +1.202.555.0143.", "+1.202.555.0143"),
    ("London +44 20 7946 0958 and more", "+44 20 7946 0958"),
    ("London +44 (0)20 7946 0958", "+44 (0)20 7946 0958"),
    ("Berlin: +49 30 12345678", "+49 30 12345678"),
    ("München +49 (0)89 1234567, Zentrale", "+49 (0)89 1234567"),
    ("Zentrale +49 89 12345-0", "+49 89 12345-0"),
    ("+4915112345678", "+4915112345678"),
    ("Paris +33 1 23 45 67 89", "+33 1 23 45 67 89"),
    ("Madrid +34 912 345 678", "+34 912 345 678"),
    ("Roma +39 06 6982 1234 ext 22", "+39 06 6982 1234 ext 22"),
    ("Amsterdam +31 20 123 4567", "+31 20 123 4567"),
    ("Zürich +41 44 668 18 00", "+41 44 668 18 00"),
    ("Wien +43 1 5134567", "+43 1 5134567"),
    ("Dublin +353 1 234 5678", "+353 1 234 5678"),
    ("Sydney +61 2 9876 5432", "+61 2 9876 5432"),
    ("Mumbai +91 98765 43210", "+91 98765 43210"),
    ("Moscow +7 495 123-45-67", "+7 495 123-45-67"),
    ("Tokyo +81 3-1234-5678", "+81 3-1234-5678"),
    ("São Paulo +55 11 91234-5678", "+55 11 91234-5678"),
    ("(+44) 20 7946 0958", "(+44) 20 7946 0958"),
    ("sip tel:+15551234567", "+15551234567"),
    ("+1-555-123-4567", "+1-555-123-4567"),  # possible (fictional area code), formatted with +
    # international, 00 prefix
    ("0044 20 7946 0958", "0044 20 7946 0958"),
    ("001-555-123-4567x890", "001-555-123-4567x890"),
    # national
    ("My number is 202-555-0143.", "202-555-0143"),
    ("(555) 123-4567x8901", "(555) 123-4567x8901"),
    ("(555)123-4567", "(555)123-4567"),
    ("555.123.4567", "555.123.4567"),
    ("1-800-555-0199", "1-800-555-0199"),
    ("202-555-0143 ext. 12", "202-555-0143 ext. 12"),
    ("020 7946 0958", "020 7946 0958"),
    ("0117 496 0123", "0117 496 0123"),
    ("030 12345678", "030 12345678"),
    ("(030) 1234567", "(030) 1234567"),
    ("0171/1234567", "0171/1234567"),
    ("06 12 34 56 78", "06 12 34 56 78"),
    ("01.23.45.67.89", "01.23.45.67.89"),
    ("612 345 678", "612 345 678"),
    ("347 123 4567", "347 123 4567"),
    ("06 1234 5678", "06 1234 5678"),
    ("98765 43210", "98765 43210"),
    ("(02) 9876 5432", "(02) 9876 5432"),
]


@pytest.mark.parametrize(("text", "value"), HITS)
def test_hits(text: str, value: str) -> None:
    assert found(text) == [span(text, value)]


# found only with a context word near them (a bare run of digits, a local number)
NEEDS_CONTEXT = [
    ("2025550143", "Phone: {}"),
    ("555-1234", "call {} after six"),
    ("0012025550143", "Tel. {}"),
    ("0301234567", "Telefon: {}"),
]


@pytest.mark.parametrize(("value", "template"), NEEDS_CONTEXT)
def test_needs_context(value: str, template: str) -> None:
    assert found(f"the value {value} here") == []
    text = template.format(value)
    assert found(text) == [span(text, value)]


@pytest.mark.parametrize(
    "text",
    [
        "Llámame al 612 345 678",
        "Chiamami al 347 123 4567",
        "Ruf mich an: 030 12345678",
        "Mon numéro de téléphone: 06 12 34 56 78",
        "Handy 0171 1234567",
        "cellulare 347 1234567",
        "móvil 612345678",
    ],
)
def test_context_words_in_five_languages(text: str) -> None:
    (f,) = _ENGINES["re"].detect(text, explain=True)
    assert f.explanation is not None and f.explanation.context_words
    assert f.score >= 0.75


def test_several_numbers_in_one_text() -> None:
    text = "Tel. +49 30 12345678, Fax +49 30 12345679; mobile 0171 1234567."
    assert found(text) == [
        span(text, "+49 30 12345678"),
        span(text, "+49 30 12345679"),
        span(text, "0171 1234567"),
    ]


def test_negative_context_lowers_score() -> None:
    assert found("My number is 202-555-0143.") != []
    assert found("Order 202-555-0143 shipped") == []
    assert found("Invoice 020 7946 0958 paid") == []
    # a strong international number survives a negative word
    assert found("Order hotline +44 20 7946 0958") != []


NEAR_MISSES = [
    "Timestamp 1667470478 logged",
    "created_at 1667470478123",
    "value 01.696170 ok",
    "on 2021-03-04 at 12:30",
    "date 12/05/2020 ok",
    "Datum 04.03.2021",
    "2021/03/04",
    "at 12:30:45 today",
    "2023-01-15T10:30:00Z",
    "IP 192.168.100.200 here",
    "version 1.2.3.4",
    "version 10.0.19041.1",
    "build 20210304.1",
    "card 4111 1111 1111 1111",
    "card 4111-1111-1111-1111",
    "ISBN 978-3-16-148410-0",
    "ISBN 0-306-40615-2",
    "coords 48.858844, 2.294351",
    "lat 40.7128 lon -74.0060",
    "pi is 3.14159265",
    "tiny 0.000123456",
    "Order number 12345678901234",
    "invoice 2021-000123",
    "Ticket #2021-03-000451",
    "population 1 234 567",
    "price 12.345.678",
    "1,234,567 people",
    "SSN 123-45-6789",
    "from 1990-2000",
    "in 2020 and 2021",
    "SKU 123-456-789",
    "zip 90210",
    "ID 123456789",
    "tel 12345",
    "Room 12, 3rd floor",
    "MAC 00-11-22-33-44-55",
    "uuid 123e4567-e89b-12d3-a456-426614174000",
    "IBAN DE89370400440532013000",
    "DE89 3704 0044 0532 0130 00",
    "tracking 1Z999AA10123456784",
    "0000000000",
    "1.5 million and 2.5 billion",
    "+1 800 FLOWERS",
    "x123 and ext. 45",
    "The meeting is scheduled for next week in the main office.",
    "Der Termin ist am Montag um 10 Uhr.",
    "Le rendez-vous est fixé au 12/05/2020 à 14h30.",
    "",
]


@pytest.mark.parametrize("text", NEAR_MISSES)
def test_near_misses(text: str) -> None:
    assert found(text) == []


def test_adjacent_letters_reject_the_match() -> None:
    assert found("ref A202-555-0143B") == []
    assert found("202-555-0143") == [(0, 12)]


def test_explanation_never_holds_the_value() -> None:
    text = "Call +44 20 7946 0958 now"
    (f,) = _ENGINES["re"].detect(text, explain=True)
    assert f.explanation is not None
    assert f.explanation.validator == "phonenumbers"
    assert "7946" not in repr(f.explanation.to_dict())


def test_scores_follow_validity() -> None:
    det = PhoneDetector()
    (pattern,) = det.patterns
    valid = det.validate("+44 20 7946 0958", pattern)
    possible = det.validate("+1-555-123-4567", pattern)
    bare = det.validate("2025550143", pattern)
    assert valid is not None and possible is not None and bare is not None
    assert valid > possible >= 0.5 > bare
    assert det.validate("+999 1234 5678", pattern) is None  # no such country code
