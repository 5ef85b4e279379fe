"""The NER detector: built-in CRF on names and places of many cultures, any case; backends."""

from __future__ import annotations

import ast
import pickle
import sys
from pathlib import Path

import pytest

from dataward.detect import Engine
from dataward.detect.detectors import load_builtins
from dataward.detect.ner import NerDetector, NerSettings, make_backend, map_label, ner_settings
from dataward.detect.ner.backends import GlinerBackend, HuggingFaceBackend, SpacyBackend, require
from dataward.detect.ner.builtin import MODEL_DIR, BuiltinBackend
from dataward.detect.ner.features import case_mode, tokenize
from dataward.detect.registry import detectors
from dataward.errors import ConfigError

NER = NerDetector(BuiltinBackend())


def found(text: str) -> set[tuple[str, str]]:
    return {(f.entity, text[f.start : f.end]) for f in NER.detect(text)}


def entities_over(text: str, value: str) -> set[str]:
    """Entities of findings that overlap ``value`` in ``text``."""
    start = text.index(value)
    end = start + len(value)
    return {f.entity for f in NER.detect(text) if f.start < end and f.end > start}


PEOPLE = [
    "Nguyễn Văn An",
    "Oluwaseun Adeyemi",
    "Priya Raghunathan",
    "José María García",
    "Zhang Wei",
    "Søren Kierkegaard",
    "Aleksandra Wiśniewska",
    "Mohammed Al-Farsi",
    "Siobhán O'Connor",
    "Kenji Watanabe",
]

PERSON_TEMPLATES = [
    "My name is {} and I need help with my order.",
    "Yesterday {} called the support line twice.",
    "Please forward the contract to {}.",
]


@pytest.mark.parametrize("name", PEOPLE)
@pytest.mark.parametrize("template", PERSON_TEMPLATES)
@pytest.mark.parametrize("case", ["original", "upper", "lower"])
def test_people_of_many_cultures_any_case(name: str, template: str, case: str) -> None:
    text = template.format(name)
    if case == "upper":
        text = text.upper()
    elif case == "lower":
        text = text.lower()
    value = name.upper() if case == "upper" else name.lower() if case == "lower" else name
    assert "PERSON" in entities_over(text, value)


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("My name is Priya Raghunathan and I live in Chennai.", "Priya Raghunathan"),
        ("Please forward the contract to Oluwaseun Adeyemi.", "Oluwaseun Adeyemi"),
        ("Yesterday José María García called the support line twice.", "José María García"),
    ],
)
def test_exact_person_spans(text: str, value: str) -> None:
    assert ("PERSON", value) in found(text)


PLACES = ["Lagos", "Hanoi", "Chennai", "Reykjavík", "Buenos Aires", "Kraków", "Nairobi", "Osaka"]


@pytest.mark.parametrize("place", PLACES)
@pytest.mark.parametrize("case", ["original", "upper", "lower"])
def test_places_any_case(place: str, case: str) -> None:
    text = f"She moved to {place} last year and loves it."
    if case == "upper":
        text, place = text.upper(), place.upper()
    elif case == "lower":
        text, place = text.lower(), place.lower()
    assert "LOCATION" in entities_over(text, place)


@pytest.mark.parametrize("country", ["Germany", "Nigeria", "Vietnam", "Peru", "New Zealand"])
def test_countries_exact(country: str) -> None:
    text = f"We flew to {country} in March."
    assert ("LOCATION", country) in found(text)


@pytest.mark.parametrize(
    "text",
    [
        "The meeting is moved to Monday afternoon.",
        "Please restart the server and check the logs.",
        "THE PATIENT WAS STABLE OVERNIGHT. CONTINUE CURRENT MEDICATIONS.",
        "thanks, that fixed it!",
        "Invoice 4411 was paid in full on 2024-03-02.",
        "Open the Settings page and click Save.",
        "GET /api/v2/orders/1234 200 31ms",
        "",
    ],
)
def test_sentences_with_no_entity(text: str) -> None:
    assert found(text) == set()


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("Dr. Okafor will see you at 10.", "Okafor"),
        ("Appointment with Mrs. Lindqvist confirmed.", "Lindqvist"),
        ("PT SEEN BY DR MBEKI TODAY, STABLE.", "MBEKI"),
    ],
)
def test_titles_are_not_part_of_the_name(text: str, value: str) -> None:
    spans = found(text)
    assert ("PERSON", value) in spans
    assert not any(v.lower().startswith(("dr", "mrs")) for e, v in spans if e == "PERSON")


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("Please ship it to 221 Baker Street, London.", "221 Baker Street"),
        ("Ship it to Hauptstraße 5, 10115 Berlin.", "Hauptstraße 5"),
        ("I live at 45 Nguyen Trai Street in Hanoi.", "45 Nguyen Trai Street"),
        ("The office is at Calle de Alcalá 42, Madrid.", "Calle de Alcalá 42"),
        ("DELIVER TO 1600 PENNSYLVANIA AVENUE TOMORROW", "1600 PENNSYLVANIA AVENUE"),
    ],
)
def test_street_addresses(text: str, value: str) -> None:
    assert "STREET_ADDRESS" in entities_over(text, value)


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("She works for Siemens AG in Munich.", "Siemens AG"),
        ("The refund from Acme Widgets Ltd. never arrived.", "Acme Widgets Ltd."),
    ],
)
def test_organizations(text: str, value: str) -> None:
    assert "ORGANIZATION" in entities_over(text, value)


@pytest.mark.parametrize(
    ("text", "value"),
    [
        # names no gazetteer holds, closed by a company word (rules.organizations)
        ("Ewan works at Weather Decision Technologies in Boston.", "Weather Decision Technologies"),
        ("During the 1990s, Qorvanix Incorporated invested heavily.", "Qorvanix Incorporated"),
        ("Invoices go to Brenlow & Associates by Friday.", "Brenlow & Associates"),
        ("Ingrid is from Business Monitor International", "Business Monitor International"),
        (
            "We met at the Department of Better Technology in Paris.",
            "Department of Better Technology",
        ),
        ("He paid Bank of America and Smith & Associates.", "Bank of America"),
        ("He paid Bank of America and Smith & Associates.", "Smith & Associates"),
    ],
)
def test_organizations_closed_by_a_company_word(text: str, value: str) -> None:
    assert ("ORGANIZATION", value) in found(text)


@pytest.mark.parametrize(
    ("text", "person"),
    [
        # a name before "the X Group" stays a person: "the" joins nothing
        ("Tell Kelsey the Mannion Group team is waiting.", "Kelsey"),
        ("Tell Patricio the McKenna Note Corp. team is waiting.", "Patricio"),
    ],
)
def test_a_company_word_does_not_swallow_the_name_before_it(text: str, person: str) -> None:
    assert entities_over(text, person) == {"PERSON"}


@pytest.mark.parametrize(
    "text",
    ["I went to the bank with my sister.", "Our company is great.", "The services were fine."],
)
def test_company_words_alone_are_no_organization(text: str) -> None:
    assert not {e for e, _ in found(text)} & {"ORGANIZATION"}


def test_clinical_all_caps_note() -> None:
    text = "78 YO F ADMITTED FROM HOME IN SPRINGFIELD. SEEN BY DR HALVORSEN. DAUGHTER MARIA LOPEZ AT BEDSIDE."
    spans = found(text)
    assert ("PERSON", "HALVORSEN") in spans
    assert ("PERSON", "MARIA LOPEZ") in spans
    assert ("LOCATION", "SPRINGFIELD") in spans


def test_engine_merges_ner_with_patterns() -> None:
    load_builtins()
    assert "ner" in detectors
    engine = Engine.default()
    text = "Contact Zhang Wei at zhang.wei@example.com or +44 20 7946 0958."
    got = {(f.entity, text[f.start : f.end]) for f in engine.detect(text)}
    assert ("PERSON", "Zhang Wei") in got
    assert ("EMAIL_ADDRESS", "zhang.wei@example.com") in got
    assert not any(e == "PERSON" and "@" in v for e, v in got)


def test_engine_entity_filter_keeps_ner_only_when_asked() -> None:
    text = "Søren Kierkegaard was born in Copenhagen."
    only_email = Engine.default(entities=["EMAIL_ADDRESS"])
    assert only_email.detect(text) == []
    people = Engine.default(entities=["PERSON", "EMAIL_ADDRESS"])
    assert [text[f.start : f.end] for f in people.detect(text)] == ["Søren Kierkegaard"]


def test_detector_pickles_and_loads_lazily() -> None:
    det = NerDetector()
    clone = pickle.loads(pickle.dumps(det))
    assert isinstance(clone.backend, BuiltinBackend)
    used = NerDetector(BuiltinBackend())
    used.detect("Ada Lovelace lives in London")
    again = pickle.loads(pickle.dumps(used))
    assert found("Ada Lovelace lives in London") == {
        (f.entity, "Ada Lovelace lives in London"[f.start : f.end])
        for f in again.detect("Ada Lovelace lives in London")
    }


def test_findings_carry_scores_and_explanations() -> None:
    (f,) = [f for f in NER.detect("Please call Priya Raghunathan.") if f.entity == "PERSON"]
    assert 0.5 <= f.score <= 0.99
    assert f.detector == "ner"
    assert f.explanation is not None and f.explanation.pattern == "ner:builtin"


def test_long_text_is_tagged_in_windows() -> None:
    para = "Nothing happened today. " * 60 + "Then Oluwaseun Adeyemi arrived from Lagos."
    spans = found(para)
    assert ("PERSON", "Oluwaseun Adeyemi") in spans
    assert ("LOCATION", "Lagos") in spans


def test_tokenizer_keeps_emails_and_possessives_apart() -> None:
    toks = [t for t, _, _ in tokenize("Mary's mail: mary.ann@example.org\nO'Brien")]
    assert toks == ["Mary", "'", "s", "mail", ":", "mary.ann@example.org", "\n", "O'Brien"]
    assert case_mode(["PT", "SEEN", "BY", "DR", "X"]) == "U"
    assert case_mode(["pt", "seen"]) == "L"


# -- model files and runtime dependencies ---------------------------------------------------------


def test_model_ships_in_the_package() -> None:
    sizes = {p.name: p.stat().st_size for p in MODEL_DIR.iterdir()}
    assert {"crf.bin", "lexicon.json.gz", "meta.json"} <= set(sizes)
    assert sum(sizes.values()) < 20_000_000


RUNTIME = Path(__file__).resolve().parents[2] / "src" / "dataward" / "detect" / "ner"
ALLOWED = {"pycrfsuite", "pydantic", "dataward", "__future__"}


@pytest.mark.parametrize(
    "module",
    ["__init__.py", "backends.py", "builtin.py", "config.py", "detector.py", "features.py"],
)
def test_runtime_imports_no_training_or_network_libraries(module: str) -> None:
    tree = ast.parse((RUNTIME / module).read_text(encoding="utf-8"))
    imported: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            imported.update(a.name.split(".")[0] for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            imported.add(node.module.split(".")[0])
    third_party = {m for m in imported if m not in sys.stdlib_module_names}
    assert third_party <= ALLOWED, third_party


def test_model_loads_without_faker_or_network(monkeypatch: pytest.MonkeyPatch) -> None:
    import socket

    for blocked in ("faker", "wordfreq", "pycountry", "spacy", "transformers", "gliner"):
        monkeypatch.setitem(sys.modules, blocked, None)  # import fails

    def no_network(*args: object, **kwargs: object) -> None:
        raise AssertionError("network used")

    monkeypatch.setattr(socket.socket, "connect", no_network)
    from dataward.runtime import Runtime, use

    with Runtime() as fresh, use(fresh):  # a runtime of its own: the model loads again
        spans = NerDetector(BuiltinBackend()).detect("Kenji Watanabe moved to Osaka.")
    assert {f.entity for f in spans} >= {"PERSON", "LOCATION"}


# -- configuration and optional backends ---------------------------------------------------------


def test_settings_default_to_builtin(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("DATAWARD_NER__BACKEND", raising=False)
    monkeypatch.delenv("DATAWARD_NER__MODEL", raising=False)
    assert ner_settings().backend == "builtin"
    assert isinstance(make_backend(NerSettings()), BuiltinBackend)


def test_settings_from_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("DATAWARD_NER__BACKEND", "SpaCy")
    monkeypatch.setenv("DATAWARD_NER__MODEL", str(tmp_path))
    s = ner_settings()
    assert (s.backend, s.model) == ("spacy", tmp_path)
    backend = make_backend(s)
    assert isinstance(backend, SpacyBackend) and backend.model == tmp_path


def test_backend_none_turns_ner_off(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATAWARD_NER__BACKEND", "none")
    det = NerDetector()
    assert det.backend is None
    assert list(det.detect("Zhang Wei lives in Beijing")) == []


def test_unknown_backend_is_a_config_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATAWARD_NER__BACKEND", "flair")
    with pytest.raises(ConfigError, match=r"ner\.backend"):
        ner_settings()


@pytest.mark.parametrize("backend", ["spacy", "gliner", "hf"])
def test_optional_backends_need_a_local_model(backend: str, tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="local path"):
        make_backend(NerSettings(backend=backend))  # type: ignore[arg-type]
    with pytest.raises(ConfigError, match="does not exist"):
        make_backend(NerSettings(backend=backend, model=tmp_path / "missing"))  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("cls", "extra"),
    [(SpacyBackend, "ner-spacy"), (GlinerBackend, "ner-gliner"), (HuggingFaceBackend, "ner-hf")],
)
def test_missing_extra_gives_a_clear_error(
    cls: type[SpacyBackend], extra: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for blocked in ("spacy", "gliner", "transformers"):
        monkeypatch.setitem(sys.modules, blocked, None)
    backend = cls(tmp_path)
    with pytest.raises(ConfigError, match=rf"pip install 'dataward\[{extra}\]'"):
        backend.predict("Zhang Wei lives in Beijing")
    with pytest.raises(ConfigError):
        require(backend.name)
    clone = pickle.loads(pickle.dumps(backend))  # pickles as its configuration
    assert clone.model == tmp_path and clone._loaded is None


def test_plugged_backend_findings_are_mapped() -> None:
    class Fake:
        name = "fake"

        def predict(self, text: str) -> list[tuple[int, int, str, float]]:
            return [(0, 3, "PERSON", 0.9), (4, 8, "MISC", 0.9), (9, 14, "LOCATION", 0.2)]

    got = [(f.entity, f.start, f.end) for f in NerDetector(Fake()).detect("Ada xxxx Paris")]
    assert got == [("PERSON", 0, 3), ("LOCATION", 9, 14)]


@pytest.mark.parametrize(
    ("label", "entity"),
    [
        ("PER", "PERSON"),
        ("B-PER", "PERSON"),
        ("I-LOC", "LOCATION"),
        ("GPE", "LOCATION"),
        ("org", "ORGANIZATION"),
        ("street address", "STREET_ADDRESS"),
        ("MISC", None),
    ],
)
def test_label_mapping(label: str, entity: str | None) -> None:
    assert map_label(label) == entity


MORE_PEOPLE = [
    "Chidi Okonkwo",
    "Ana de la Cruz",
    "Ahmad bin Ismail",
    "Anna Kowalska-Nowak",
    "Jean-Luc Moreau",
    "Thandiwe Dlamini",
    "Bui Thi Thu",
    "Dmitri Sokolov",
]


@pytest.mark.parametrize("name", MORE_PEOPLE)
@pytest.mark.parametrize(
    "template",
    [
        "Hi team, {} will take over the ticket from Monday.",
        "The lease was signed by {} last spring.",
        "ATTENDING: DR {}",
    ],
)
@pytest.mark.parametrize("case", ["original", "upper", "lower"])
def test_more_cultures_in_more_registers(name: str, template: str, case: str) -> None:
    text = template.format(name)
    if case == "upper":
        text, name = text.upper(), name.upper()
    elif case == "lower":
        text, name = text.lower(), name.lower()
    assert "PERSON" in entities_over(text, name)


@pytest.mark.parametrize(
    ("text", "names"),
    [
        (
            "Attendees: Ingrid Solberg, Kwame Mensah and Yusuf.",
            ["Ingrid Solberg", "Kwame Mensah", "Yusuf"],
        ),
        (
            "cc: Maren, Tomasz Zielinski; Hiroshi Tanaka",
            ["Maren", "Tomasz Zielinski", "Hiroshi Tanaka"],
        ),
    ],
)
def test_names_in_lists(text: str, names: list[str]) -> None:
    for name in names:
        assert "PERSON" in entities_over(text, name), name


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("Appointment with Dr. Xalvarrenko at 3pm.", "Xalvarrenko"),
        ("Ask Prof. Quandt about the grant.", "Quandt"),
        ("FOLLOW UP WITH DR OYELARAN-BELLO IN 2 WEEKS.", "OYELARAN-BELLO"),
        ("Thank you, Sra. Etxeberria, the parcel has arrived.", "Etxeberria"),
    ],
)
def test_title_then_unknown_name_is_a_person(text: str, value: str) -> None:
    assert ("PERSON", value) in found(text)


def test_clinical_note_with_hospital_and_city() -> None:
    text = "PT IS A 67 YO M SEEN BY DR SMITH AT ST MARY HOSPITAL IN BOSTON FOR CHEST PAIN."
    spans = found(text)
    assert ("PERSON", "SMITH") in spans
    assert ("LOCATION", "BOSTON") in spans
    assert entities_over(text, "ST MARY HOSPITAL")
    assert not entities_over(text, "CHEST PAIN")


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("PATIENT NAME: EDWARD KOWALCZYK\nDOB: 01/02/1950", "EDWARD KOWALCZYK"),
        ("WIFE LUCIA AT BEDSIDE. PT DENIES SOB.", "LUCIA"),
        ("MRS FERREIRA SEEN IN CLINIC, HX OF DM, HTN.", "FERREIRA"),
        ("d/c home with daughter fatima ahmed, f/u with dr lindgren", "fatima ahmed"),
    ],
)
def test_clinical_lines(text: str, value: str) -> None:
    assert "PERSON" in entities_over(text, value)


@pytest.mark.parametrize(
    "text",
    [
        "PT DENIES CP, SOB. CONTINUE LASIX 40 MG PO BID.",
        "HX OF PARKINSON'S DISEASE AND HTN, S/P CABG.",
        "MILD MR AND TR ON ECHO. EF 55%.",
        "Take the Monday train and bring the Excel report.",
        "The quarterly budget review moved to next Thursday.",
        "vitals stable, afebrile, plan to discharge tomorrow",
    ],
)
def test_sentences_without_names(text: str) -> None:
    assert not any(e == "PERSON" for e, _ in found(text))


@pytest.mark.parametrize(
    "text", ["SHIP TO 12 OAK DR SPRINGFIELD", "Ship to 12 Oak Dr Springfield, IL"]
)
def test_street_abbreviation_is_not_a_title(text: str) -> None:
    town = "SPRINGFIELD" if "SPRINGFIELD" in text else "Springfield"
    assert "PERSON" not in entities_over(text, town)


def test_script_and_vowel_features() -> None:
    from dataward.detect.ner.builtin import _loaded

    feats = _loaded(MODEL_DIR).featurizer.features(["Иван", "HCP", "张伟", "Anna"])
    assert "sc=cyr" in feats[0]
    assert "novowel" in feats[1]
    assert "sc=han" in feats[2]
    assert not any(f.startswith("sc=") or f == "novowel" for f in feats[3])


@pytest.mark.parametrize(
    ("text", "places"),
    [
        ("I'm originally from Hungary", ["Hungary"]),
        ("In Israel the shops close early on Fridays.", ["Israel"]),
        ("We spent a month in Trinidad and Tobago.", ["Trinidad and Tobago"]),
        ("she grew up in bosnia and herzegovina", ["bosnia and herzegovina"]),
    ],
)
def test_whole_place_names(text: str, places: list[str]) -> None:
    for place in places:
        assert ("LOCATION", place) in found(text)


def test_whole_place_names_become_features() -> None:
    from dataward.detect.ner.features import Featurizer, Lexicon

    lexicon = Lexicon({}, {}, {"new zealand": ("ctry",), "york": ("city",)})
    feats = Featurizer(lexicon).features(["to", "New", "Zealand", "and", "York"])
    assert ["G=ctry" in f for f in feats] == [False, True, True, False, False]
    assert "G=city" in feats[4]


def test_lexicon_holds_common_given_names() -> None:
    """Faker's whole name lists, not a sample of them: common names are known names."""
    fn = BuiltinBackend().lexicon.gazetteers["fn"]
    for name in ("megan", "nicholas", "brandi", "kyle", "ashley", "oluwaseun", "søren"):
        assert name in fn


def test_given_names_in_a_long_list() -> None:
    text = "Our children are Megan, Nicholas, Brandi, Kyle and Ashley."
    for name in ("Megan", "Nicholas", "Brandi", "Kyle", "Ashley"):
        assert ("PERSON", name) in found(text)


def test_address_started_in_a_sentence_runs_over_its_lines() -> None:
    text = "The parcel went to 14 Birch Lane\n Apt. 3\n Springfield\n Canada 40211 last week."
    assert ("STREET_ADDRESS", "14 Birch Lane\n Apt. 3\n Springfield\n Canada 40211") in found(text)


def test_letter_block_keeps_town_and_country_as_places() -> None:
    text = "Maria Lopez\n\n14 Birch Lane\n Apt. 3\n Springfield\n Canada 40211"
    got = found(text)
    assert ("PERSON", "Maria Lopez") in got
    assert ("LOCATION", "Canada") in got
    assert not any(e == "STREET_ADDRESS" and "Canada" in v for e, v in got)


def test_address_after_a_label_line_is_one_address() -> None:
    text = "Here is my new address:\n\n14 Birch Lane\n Apt. 3\n Springfield\n Canada 40211"
    assert ("STREET_ADDRESS", "14 Birch Lane\n Apt. 3\n Springfield\n Canada 40211") in found(text)


@pytest.mark.parametrize(
    "text",
    [
        "The company was renamed in 1965.",
        "We found a nice new Thai place downtown.",
        "He speaks Polish and a little Italian.",
    ],
)
def test_years_and_nationalities_are_no_places(text: str) -> None:
    assert not {e for e, _ in found(text)} & {"LOCATION", "PERSON", "ORGANIZATION"}


def test_town_line_between_address_and_country_is_a_place() -> None:
    """Whatever the model makes of an unknown town, its place in a postal block decides."""
    text = "Jan Novak\n> 41 Via dalla Staziun 87\n> Apt. 033\n> Qwertzwil\n> Mongolia 34161"
    assert ("LOCATION", "Qwertzwil") in found(text)
    assert ("LOCATION", "Mongolia") in found(text)


def test_short_lower_case_phrases_are_not_names() -> None:
    """Danish ``Line`` is a name, but in lower-case text ``first line`` is just words."""
    assert found("first line") == set()
    assert ("PERSON", "grace") in found("i met grace in paris")


@pytest.mark.parametrize(
    ("text", "place"),
    [
        ("In Hungary they sing company songs.", "Hungary"),
        ("IN ISRAEL THEY CLOSE EARLY", "ISRAEL"),
        ("she moved to hungary", "hungary"),
    ],
)
def test_country_names_the_model_missed(text: str, place: str) -> None:
    assert ("LOCATION", place) in found(text)


@pytest.mark.parametrize(
    "text", ["Jordan Peterson wrote a book.", "the china cabinet", "roast turkey for dinner"]
)
def test_country_words_that_are_names_or_things(text: str) -> None:
    assert not {e for e, _ in found(text)} & {"LOCATION", "STREET_ADDRESS"}


@pytest.mark.parametrize(
    ("text", "label"),
    [
        ("Name: John Smith SSN: 506-16-4622 Phone: 555-1234", "SSN"),
        ("Hola, me llamo Carlos García López", "Hola"),
        ("NIR: 1 85 05 78 006 084 36", "NIR"),
        ("Follow-up with Dr. Kim next week", "Follow-up"),
    ],
)
def test_labels_and_greetings_are_context_not_names(text: str, label: str) -> None:
    """A form label, a greeting or a mail header is cut out of any span the model reads."""
    start = text.index(label)
    end = start + len(label)
    assert not any(f.start < end and f.end > start for f in NER.detect(text))


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("Patient Amit Martinez, DOB 1936-02-27, SSN 506-16-4622.", "Amit Martinez"),
        ("Name: John Smith SSN: 506-16-4622 Phone: 555-1234", "John Smith"),
        ("Hola, me llamo Carlos García López", "Carlos García López"),
        ("Follow-up with Dr. Kim next week", "Kim"),
        ("hey mike, grace said hi", "mike"),
        ("hey mike, grace said hi", "grace"),
    ],
)
def test_names_beside_labels_multi_part_short_and_lower_case(text: str, name: str) -> None:
    assert ("PERSON", name) in found(text)


def test_a_number_with_its_unit_is_no_address() -> None:
    text = "ET tube found at 20 cm at lip. BBS clear and equal."
    assert "STREET_ADDRESS" not in {e for e, _ in found(text)}


@pytest.mark.parametrize(
    ("text", "name"),
    [("ok mike thanks", "mike"), ("can you ping mike and grace", "mike")],
)
def test_lower_case_chat_names_after_an_address_word(text: str, name: str) -> None:
    assert ("PERSON", name) in found(text)
    # the same words before ordinary words make no names
    assert found("thanks will") == found("hi there") == found("ok so the plan is") == set()


def test_particles_alone_make_no_person_and_no_crash() -> None:
    # "el le" tagged ORG: every word is a particle (it raised IndexError in person_like)
    from dataward.detect.ner import rules

    assert not rules.person_like(BuiltinBackend().lexicon, ["el", "le"])
