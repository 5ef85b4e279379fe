"""The clinical register: medical words are no names; context names clinicians, places, dates.

The notes below are written for these tests in the style of ICU nursing notes (all caps,
abbreviations, drugs, lab values); none is taken from an evaluation corpus.
"""

from __future__ import annotations

import pytest

from dataward.detect import Engine
from dataward.detect.clinical import clinical_share, is_clinical, refine
from dataward.detect.model import Finding

NOTE = (
    "NPN 7P-7A\n"
    "NEURO: A&O X3, MAE. PERRLA.\n"
    "CV: HR 80-90 NSR, NO ECTOPY. K 5.9 - HYPERKALEMIA RX C KAYEXALATE. DIGOXIN HELD.\n"
    "PMH: NIDDM, CHF. HEPARIN GTT AT 1100 UNITS POST BOLUS. ABG 7.38/41/92/24.\n"
    "BP 95-110/60-70. LASIX 40MG IV GIVEN AT 4PM WITH GOOD EFFECT.\n"
    "SOCIAL: DAUGHTER MARISOL IN TO VISIT, UPDATED BY DR. OKONKWO.\n"
    "PT TRANSFERRED FROM BRIGHTWATER HOSPITAL 7/22 S/P CABG. F/U PAGER # 45821.\n"
    "Tamsin Whitlow, RN\n"
)


def _values(text: str, entities: set[str] | None = None) -> dict[str, str]:
    return {
        text[f.start : f.end]: f.entity
        for f in Engine.default().detect(text)
        if entities is None or f.entity in entities
    }


def test_register_is_told_from_prose_chat_and_addresses() -> None:
    assert is_clinical(NOTE)
    assert is_clinical("correction: ETT in correct position, see flowsheet.")
    for text in (
        "Patient Amit Martinez, DOB 1936-02-27, SSN 506-16-4622.",
        "hey mike, are we still on for lunch with grace tomorrow?",
        "Name: Susan Ruelas Address: PSC 3357, Box 1530 APO AE 74402",
        "The quarterly report is attached; please review the figures before Friday.",
        "Robert lives at 38 C/ Señores Curas 88, Villafranca del Cid",
    ):
        assert not is_clinical(text), text
    assert clinical_share("too short") == 0.0


@pytest.mark.parametrize(
    "word",
    ["DIGOXIN", "NIDDM", "KAYEXALATE", "HYPERKALEMIA", "1100 UNITS POST BOLUS"],
)
def test_drugs_abbreviations_and_doses_are_no_names_or_places(word: str) -> None:
    start = NOTE.index(word)
    end = start + len(word)
    over = [
        f
        for f in Engine.default().detect(NOTE)
        if f.start < end
        and f.end > start
        and f.entity in ("PERSON", "LOCATION", "STREET_ADDRESS", "ORGANIZATION")
    ]
    assert over == []


def test_context_names_clinicians_relatives_hospitals_dates_and_pagers() -> None:
    found = _values(NOTE)
    assert found.get("OKONKWO") == "PERSON"
    assert found.get("MARISOL") == "PERSON"
    assert found.get("Tamsin Whitlow") == "PERSON"
    assert found.get("BRIGHTWATER") in ("ORGANIZATION", "LOCATION")
    assert found.get("7/22") == "DATE_TIME"
    assert found.get("45821") == "PHONE_NUMBER"


def test_lab_values_clock_times_and_ages_under_90_are_not_reported() -> None:
    found = _values(NOTE)
    assert "7.38/41/92/24" not in found
    assert "95-110/60-70" not in found
    assert not any(v == "DATE_TIME" and "PM" in k for k, v in found.items())
    aged = "67 YO MALE ADMITTED WITH CHF, PMH: CAD S/P CABG, NIDDM. ON LASIX GTT, HR 80 NSR."
    assert "AGE" not in _values(aged).values()


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("ADMITTED 8/14. PT ON PS 10/5 WITH FIO2 40%, ABG PENDING, HR 90 NSR.", "10/5"),
        ("ADMITTED 8/14. PT C/O CP 5/10, EKG DONE, NTG SL GIVEN, HR 80 NSR.", "5/10"),
        ("ADMITTED 8/14. IVF CHANGED TO 1/2 NS AT 75CC/HR, K 3.9, MAG REPLETED.", "1/2"),
    ],
)
def test_settings_pain_scores_and_fractions_are_not_dates(text: str, value: str) -> None:
    assert is_clinical(text)
    dates = _values(text, {"DATE_TIME"})
    assert "8/14" in dates
    assert value not in dates


def test_outside_the_register_findings_pass_unchanged() -> None:
    text = "Ada Lovelace met Charles Babbage in London to talk about the engine."
    findings = [Finding("PERSON", 0, 12, 0.9, "ner"), Finding("LOCATION", 37, 43, 0.8, "ner")]
    assert refine(text, findings) == findings


def test_words_no_list_knows_after_a_title_are_names_but_status_words_are_not() -> None:
    text = (
        "HR 70 NSR, BP STABLE ON NEO GTT. DIGOXIN LEVEL PENDING. DR AWARE. MD NOTIFIED.\n"
        "DR. QUILLFEATHER AT BEDSIDE."
    )
    people = [k for k, v in _values(text).items() if v == "PERSON"]
    assert people == ["QUILLFEATHER"]


def test_relative_dates_are_not_dates_of_the_patient() -> None:
    text = "ADMITTED 8/14 FROM HOME. PLAN FOR OR ON MONDAY, F/U NEXT WEEK. HR 80 NSR, BP STABLE."
    assert is_clinical(text)
    assert list(_values(text, {"DATE_TIME"})) == ["8/14"]


def test_phone_numbers_keep_their_shape_and_glued_sentences_are_no_domains() -> None:
    text = (
        "BL GLUCOSE @ 0600-281, INSULIN SS GIVEN. ART LINE D/C PM SHIFT.HR 89-91 NSR.\n"
        "WIFE REACHED AT 410 555-0142, UPDATED. PT RESTING, BP STABLE ON LASIX GTT."
    )
    found = _values(text)
    assert found.get("410 555-0142") == "PHONE_NUMBER"
    assert "0600-281" not in found
    assert "SHIFT.HR" not in found


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("PT C/O CP, EKG + TROPONIN POS. TRANSFERRED TO BMH FOR CATH, HEPARIN GTT, HR 80.", "BMH"),
        ("PT C/O CP, EKG + TROPONIN POS. SENT TO ED AT WHMC, HEPARIN GTT, HR 80.", "WHMC"),
        ("hr 80 nsr, bp stable. insulin gtt per U Oregon scale, k 4.1, mag repleted.", "U Oregon"),
        (
            "RESP DISTRESS ON BLACKTHORNE 4; CODE CALLED, PT INTUBATED, TO CCU, HR 110.",
            "BLACKTHORNE",
        ),
    ],
)
def test_hospital_acronyms_universities_and_wards_are_places(text: str, value: str) -> None:
    assert is_clinical(text)
    assert _values(text).get(value) in ("ORGANIZATION", "LOCATION")


@pytest.mark.parametrize(
    ("text", "values"),
    [
        ("PMH: CHF, CAD S/P CABG 11/94, NIDDM. HR 80 NSR, BP STABLE ON LASIX.", ["11/94"]),
        ("pmh: chf, cad s/p cabg in march of 1994, niddm. hr 80 nsr.", ["march", "1994"]),
        ("Nursing note 14 Feb, 97 0700-1500. HR 80 NSR, PMH CHF, LASIX GTT.", ["14 Feb, 97"]),
    ],
)
def test_month_names_and_month_years_are_dates(text: str, values: list[str]) -> None:
    assert is_clinical(text)
    dates = _values(text, {"DATE_TIME"})
    assert all(dates.get(v) == "DATE_TIME" for v in values), dates


def test_abbreviations_that_are_titles_elsewhere_need_a_name_after_them() -> None:
    text = "HR 80 NSR. PA CATHETER MANIPULATED, MS CONT TO IMPROVE, HO AWARE. NP GOMEZ IN."
    people = [k for k, v in _values(text).items() if v == "PERSON"]
    assert people == ["GOMEZ"]
    # high, mouth, synch: English words after "to" and "in" are no hospitals
    text = "SATS IN HIGH 90'S, TRIES TO MOUTH WORDS, BREATHING IN SYNCH WITH VENT. HR 80 NSR."
    assert "ORGANIZATION" not in _values(text).values()


def test_the_model_reads_prose_but_not_clinical_notes() -> None:
    from dataward.detect.clinical import model_spans

    prose = "Ada Lovelace met Charles Babbage in London to talk about the engine."
    assert model_spans(prose) == [(0, len(prose))]
    assert model_spans(NOTE) == []


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("HR 80 NSR, BP 110/60. LUCINDA OKAFOR CALLED TO BEDSIDE, LASIX GTT.", "LUCINDA OKAFOR"),
        (
            "PT RESTING, HR 80 NSR. GWENDA VASSALLO (DAUGHTER) UPDATED, LASIX GTT.",
            "GWENDA VASSALLO",
        ),
        ("PT SEDATED ON PROPOFOL GTT, HR 80 NSR. KEEP MORALES FAMILY AWARE.", "MORALES"),
    ],
)
def test_names_without_a_title_in_notes(text: str, name: str) -> None:
    assert is_clinical(text)
    assert _values(text).get(name) == "PERSON"
    # ordinary words after a first name are no surname, and lower case is no name in a note
    for other in ("PT HR 80 NSR. LARGE AMY LIX STOOL, LASIX GTT.", "hr 80 nsr, tan pluggy sxn."):
        assert "PERSON" not in _values(other).values()


def test_a_name_before_np_or_md_and_a_ward_before_rn() -> None:
    text = "HR 80 NSR. STERNAL INCISION OOZING, J. THORNQUIST NP AWARE. FOLEY, PA LINE D/C'D."
    assert _values(text, {"PERSON"}) == {"J. THORNQUIST": "PERSON"}
    text = "LASIX GTT AT 12 MG/HR. PER BLACKTHORNE 3 RN, UO 20CC/HR, K 3.9, MAG REPLETED."
    assert _values(text).get("BLACKTHORNE") == "LOCATION"


@pytest.mark.parametrize(
    "text",
    [
        "DISCHARGE SUMMARY\nPATIENT: JOHN SMITH\nSSN 523-71-6604  DOB 1950-02-03\nAdmitted with "
        "CHF exacerbation; stable at discharge. Follow up with Dr. Brown in 2 weeks.\n",
        "Patient Amit Martinez (DOB 1936-02-27) seen for CHF exacerbation, PMH CAD, on lasix gtt.",
    ],
)
def test_the_patient_name_after_a_label_in_a_note(text: str) -> None:
    # the model does not read notes: the label names the patient
    assert is_clinical(text)
    people = [k for k, v in _values(text).items() if v == "PERSON"]
    assert people[0] in ("JOHN SMITH", "Amit Martinez")


@pytest.mark.parametrize(
    ("text", "name"),
    [
        (
            "pt resting, hr 80 nsr, lasix gtt at 10, k 4.1. Olga Hopper visited, updated.",
            "Olga Hopper",
        ),
        (
            "PT RESTING, HR 80 NSR, LASIX GTT, K 4.1. LENA HOPPER VISITED THIS AFTERNOON.",
            "LENA HOPPER",
        ),
        (
            "HR 80 NSR, BP 110/60, lasix gtt. Olga Hopper (son) at bedside, questions answered.",
            "Olga Hopper",
        ),
    ],
)
def test_a_given_name_and_a_surname_without_a_cue(text: str, name: str) -> None:
    assert is_clinical(text)
    assert _values(text).get(name) == "PERSON"
    text = "LABS=ICA 0.98-RX W TOTAL 4AMPS CAL GLUC-AM'S PENDING. PDA-PATENT LIMA TO LAD. HR 80."
    assert "PERSON" not in _values(text).values()


def test_a_short_text_with_a_two_letter_abbreviation_is_not_a_note() -> None:
    # German "er" (he) is also ER, the emergency room
    assert not is_clinical("Er ist 42 Jahre alt")
    assert is_clinical("correction: ETT in correct position, see flowsheet.")
