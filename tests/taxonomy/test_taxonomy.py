"""The entity taxonomy: loading, validation against the vocabularies, and coverage of detectors."""

from __future__ import annotations

import pickle
import re
import textwrap
from importlib.resources import files
from pathlib import Path

import pytest
import yaml

from dataward.errors import ConfigError, UnknownNameError
from dataward.taxonomy import EntityType, Sensitivity, load_taxonomy, taxonomy
from dataward.taxonomy.vocabulary import (
    CATEGORIES,
    DATA_CATEGORY_RE,
    REGULATIONS,
    SENSITIVITIES,
)

ENTITIES_DIR = Path(str(files("dataward.taxonomy").joinpath("entities")))
TYPES = list(taxonomy())
NAMES = [t.name for t in TYPES]

GOOD = """\
- name: {name}
  description: A test type.
  categories: [PII]
  sensitivity: low
  regulations: [GDPR_PERSONAL]
  data_category: user.unique_id
"""


def _write(folder: Path, filename: str, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / filename
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def _entry(**overrides: object) -> str:
    raw: dict[str, object] = {
        "name": "TEST_TYPE",
        "description": "A test type.",
        "categories": ["PII"],
        "sensitivity": "low",
        "regulations": ["GDPR_PERSONAL"],
        "data_category": "user.unique_id",
    }
    for key, value in overrides.items():
        if value is None:
            raw.pop(key, None)
        else:
            raw[key] = value
    return yaml.safe_dump([raw], sort_keys=False)


# --- the built-in taxonomy -----------------------------------------------------------------


def test_builtin_taxonomy_loads_every_family_file() -> None:
    on_disk = sorted(p.name for p in ENTITIES_DIR.glob("*.yaml"))
    assert "general.yaml" in on_disk
    assert "contact.yaml" in on_disk
    per_file = {
        p.name: [e["name"] for e in yaml.safe_load(p.read_text(encoding="utf-8")) or []]
        for p in ENTITIES_DIR.glob("*.yaml")
    }
    assert sorted(n for names in per_file.values() for n in names) == sorted(NAMES)
    assert len(per_file["general.yaml"]) >= 45


def test_builtin_taxonomy_has_at_least_120_types() -> None:
    assert len(taxonomy()) >= 120, f"only {len(taxonomy())} entity types"


def test_taxonomy_is_cached_and_iterates_sorted() -> None:
    assert taxonomy() is taxonomy()
    assert sorted(NAMES) == NAMES
    assert all(isinstance(t, EntityType) for t in TYPES)


@pytest.mark.parametrize("entity", TYPES, ids=NAMES)
def test_entry_uses_the_vocabularies(entity: EntityType) -> None:
    assert re.fullmatch(r"[A-Z][A-Z0-9]*(_[A-Z0-9]+)*", entity.name)
    assert entity.description.strip(), "description must not be empty"
    assert entity.description.rstrip().endswith((".", ")")), "description is one sentence"
    assert isinstance(entity.sensitivity, Sensitivity)
    assert entity.sensitivity.name.lower() in SENSITIVITIES
    assert entity.categories, "at least one category"
    assert set(entity.categories) <= set(CATEGORIES)
    assert set(entity.regulations) <= set(REGULATIONS)
    assert DATA_CATEGORY_RE.fullmatch(entity.data_category)
    assert entity.data_category == entity.data_category.lower()
    assert entity.data_category.split(".")[0] in ("user", "system")
    assert entity.country is None or re.fullmatch(r"[A-Z]{2}", entity.country)


@pytest.mark.parametrize("entity", TYPES, ids=NAMES)
def test_gdpr_special_and_special_category_go_together(entity: EntityType) -> None:
    assert ("GDPR_SPECIAL" in entity.regulations) == ("SPECIAL_CATEGORY" in entity.categories)


@pytest.mark.parametrize("entity", TYPES, ids=NAMES)
def test_pci_category_and_pci_dss_go_together(entity: EntityType) -> None:
    if "PCI" in entity.categories:
        assert "PCI_DSS" in entity.regulations


def test_to_dict_round_trips_the_fields() -> None:
    person = taxonomy().get("PERSON").to_dict()
    assert person == {
        "name": "PERSON",
        "description": person["description"],
        "categories": ["PII"],
        "sensitivity": "moderate",
        "regulations": ["GDPR_PERSONAL", "HIPAA_SAFE_HARBOR", "CCPA"],
        "data_category": "user.name",
        "presidio": True,
        "country": None,
    }


# --- what the general family says ------------------------------------------------------------


@pytest.mark.parametrize(
    "name",
    [
        "PERSON",
        "FIRST_NAME",
        "LAST_NAME",
        "LOCATION",
        "STREET_ADDRESS",
        "CITY",
        "POSTAL_CODE",
        "USERNAME",
        "DEVICE_ID",
        "LICENSE_PLATE",
        "BIOMETRIC",
        "FACE_IMAGE",
        "EMPLOYEE_ID",
        "PROFESSIONAL_LICENSE",
        "INSURANCE_POLICY_NUMBER",
    ],
)
def test_hipaa_safe_harbor_identifiers_are_tagged(name: str) -> None:
    assert "HIPAA_SAFE_HARBOR" in taxonomy().get(name).regulations


@pytest.mark.parametrize(
    "name",
    [
        "ETHNICITY",
        "RELIGION",
        "PHILOSOPHICAL_BELIEF",
        "POLITICAL_OPINION",
        "SEXUAL_ORIENTATION",
        "TRADE_UNION_MEMBERSHIP",
        "GENETIC",
        "BIOMETRIC",
        "MEDICAL_CONDITION",
        "MEDICATION",
        "MEDICAL_PROCEDURE",
        "NRP",
    ],
)
def test_gdpr_article_9_types_are_special_categories(name: str) -> None:
    entity = taxonomy().get(name)
    assert "GDPR_SPECIAL" in entity.regulations
    assert "SPECIAL_CATEGORY" in entity.categories
    assert entity.sensitivity >= Sensitivity.HIGH


def test_health_facts_are_phi() -> None:
    for name in ("MEDICAL_CONDITION", "MEDICATION", "MEDICAL_PROCEDURE", "GENETIC", "BLOOD_TYPE"):
        assert "PHI" in taxonomy().get(name).categories, name


def test_criminal_records_fall_under_article_10_not_9() -> None:
    entity = taxonomy().get("CRIMINAL_RECORD")
    assert "GDPR_CRIMINAL" in entity.regulations
    assert "GDPR_SPECIAL" not in entity.regulations
    assert entity.data_category == "user.criminal_history"


def test_presidio_names_are_flagged() -> None:
    for name in ("PERSON", "LOCATION", "ORGANIZATION", "NRP"):
        assert taxonomy().get(name).presidio, name
    assert not taxonomy().get("STREET_ADDRESS").presidio


def test_sensitivities_are_ordered_sensibly() -> None:
    tax = taxonomy()
    assert tax.get("COUNTRY").sensitivity is Sensitivity.PUBLIC
    assert tax.get("UUID").sensitivity is Sensitivity.LOW
    assert "IDENTIFIER" in tax.get("UUID").categories
    assert tax.get("CVV").sensitivity is Sensitivity.CRITICAL
    assert tax.get("CARD_EXPIRY").sensitivity < tax.get("CVV").sensitivity
    assert tax.get("POSTAL_CODE").sensitivity < tax.get("STREET_ADDRESS").sensitivity


# --- unknown names ---------------------------------------------------------------------------


def test_unknown_name_suggests_close_matches() -> None:
    with pytest.raises(UnknownNameError) as info:
        taxonomy().get("PERSN")
    err = info.value
    assert "Did you mean 'PERSON'" in str(err)
    assert "`dataward entities`" in str(err)
    assert err.suggestions[0] == "PERSON"
    assert err.kind == "entity"
    assert isinstance(err, KeyError)
    assert isinstance(err, ConfigError)


def test_unknown_name_far_from_everything_has_no_suggestion() -> None:
    with pytest.raises(UnknownNameError) as info:
        taxonomy().get("QQQQQQQQQQQQ")
    assert "Did you mean" not in str(info.value)
    assert info.value.suggestions == []


def test_unknown_name_error_pickles() -> None:
    with pytest.raises(UnknownNameError) as info:
        taxonomy().get("GENDR")
    again = pickle.loads(pickle.dumps(info.value))
    assert type(again) is UnknownNameError
    assert str(again) == str(info.value)
    assert again.suggestions == ["GENDER"]


def test_unknown_name_error_says_where_the_names_are_listed() -> None:
    assert "`dataward entities`" in str(UnknownNameError("entity", "nope", ["other"]))
    assert "`dataward policy packs`" in str(UnknownNameError("policy pack", "nope", ["hipaa"]))
    # no list command for operators: a short list is printed, never a command that does not exist
    message = str(UnknownNameError("operator", "mask2", ["mask", "token"]))
    assert "Known: mask, token." in message
    assert "`dataward" not in message


def test_contains_and_len() -> None:
    tax = taxonomy()
    assert "PERSON" in tax
    assert "PERSN" not in tax
    assert 42 not in tax
    assert len(tax) == len(NAMES)


# --- loading from a folder -------------------------------------------------------------------


def test_load_taxonomy_reads_every_yaml_file_of_a_folder(tmp_path: Path) -> None:
    _write(tmp_path, "a.yaml", GOOD.format(name="ALPHA"))
    _write(tmp_path, "b.yaml", GOOD.format(name="BETA") + GOOD.format(name="GAMMA"))
    _write(tmp_path, "empty.yaml", "# nothing yet\n")
    _write(tmp_path, "notes.txt", GOOD.format(name="IGNORED"))
    tax = load_taxonomy(tmp_path)
    assert [t.name for t in tax] == ["ALPHA", "BETA", "GAMMA"]
    assert load_taxonomy(str(tmp_path)).get("BETA").sensitivity is Sensitivity.LOW


def test_load_taxonomy_parses_every_field(tmp_path: Path) -> None:
    _write(
        tmp_path,
        "x.yaml",
        """\
        - name: XX_TEST_ID
          description: "  A national test number.  "
          categories: [PII, GOVERNMENT_ID]
          sensitivity: critical
          regulations: [GDPR_PERSONAL, CCPA]
          data_category: user.government_id.national_identification_number
          presidio: true
          country: XX
        """,
    )
    (entity,) = load_taxonomy(tmp_path)
    assert entity == EntityType(
        name="XX_TEST_ID",
        description="A national test number.",
        categories=("PII", "GOVERNMENT_ID"),
        sensitivity=Sensitivity.CRITICAL,
        regulations=("GDPR_PERSONAL", "CCPA"),
        data_category="user.government_id.national_identification_number",
        presidio=True,
        country="XX",
    )


def test_regulations_default_to_none(tmp_path: Path) -> None:
    _write(tmp_path, "x.yaml", _entry(regulations=None))
    (entity,) = load_taxonomy(tmp_path)
    assert entity.regulations == ()
    assert entity.presidio is False
    assert entity.country is None


def test_duplicate_name_across_files_raises_config_error(tmp_path: Path) -> None:
    _write(tmp_path, "one.yaml", GOOD.format(name="TWICE"))
    _write(tmp_path, "two.yaml", GOOD.format(name="TWICE"))
    with pytest.raises(
        ConfigError, match=r"'TWICE' is defined twice \(in one\.yaml and two\.yaml\)"
    ):
        load_taxonomy(tmp_path)


def test_duplicate_name_within_a_file_raises_config_error(tmp_path: Path) -> None:
    _write(tmp_path, "one.yaml", GOOD.format(name="TWICE") + GOOD.format(name="TWICE"))
    with pytest.raises(ConfigError, match="defined twice"):
        load_taxonomy(tmp_path)


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"categories": ["PII", "PERSONAL"]}, "unknown category PERSONAL"),
        ({"categories": []}, "missing field"),
        ({"categories": "PII"}, "must be a list of strings"),
        ({"categories": ["PII", "PII"]}, "repeated entry"),
        ({"regulations": ["GDPR"]}, "unknown regulation"),
        ({"regulations": ["CCPA", "CCPA"]}, "repeated entry"),
        ({"sensitivity": "severe"}, "sensitivity must be one of public, low"),
        ({"sensitivity": "HIGH"}, "sensitivity must be one of"),
        ({"sensitivity": None}, "missing field"),
        ({"data_category": "User.Contact.Email"}, "data_category must be dotted lower case"),
        ({"data_category": "user"}, "data_category must be dotted lower case"),
        ({"data_category": "user..email"}, "data_category must be dotted lower case"),
        ({"data_category": "customer.email"}, "data_category must be dotted lower case"),
        ({"data_category": None}, "missing field"),
        ({"description": None}, "missing field"),
        ({"description": 5}, "description must be a string"),
        ({"name": "lower_case"}, "upper snake case"),
        ({"name": "TWO__UNDERSCORES"}, "upper snake case"),
        ({"name": None}, "missing field"),
        ({"presidio": "yes"}, "presidio must be true or false"),
        ({"country": "deu"}, "ISO 3166-1 alpha-2"),
        ({"regulation": ["CCPA"]}, "unknown field"),
    ],
)
def test_invalid_entry_raises_config_error(
    tmp_path: Path, overrides: dict[str, object], message: str
) -> None:
    _write(tmp_path, "bad.yaml", _entry(**overrides))
    with pytest.raises(ConfigError, match=re.escape(message)) as info:
        load_taxonomy(tmp_path)
    assert "bad.yaml" in str(info.value)


def test_entry_that_is_not_a_mapping_raises(tmp_path: Path) -> None:
    _write(tmp_path, "bad.yaml", "- just a string\n")
    with pytest.raises(ConfigError, match="must be a mapping"):
        load_taxonomy(tmp_path)


def test_file_that_is_not_a_list_raises(tmp_path: Path) -> None:
    _write(tmp_path, "bad.yaml", "name: PERSON\n")
    with pytest.raises(ConfigError, match=r"bad\.yaml must hold a list"):
        load_taxonomy(tmp_path)


def test_malformed_yaml_raises_config_error(tmp_path: Path) -> None:
    _write(tmp_path, "bad.yaml", "- name: [unclosed\n")
    with pytest.raises(ConfigError, match=r"bad\.yaml is not valid YAML"):
        load_taxonomy(tmp_path)


# --- every detector's entities are described ------------------------------------------------


def test_every_registered_detector_emits_only_taxonomy_entities() -> None:
    from dataward.detect.detectors import load_builtins
    from dataward.detect.registry import detectors

    load_builtins()
    names = detectors.names()
    assert names, "no detector registered"
    tax = taxonomy()
    missing = {
        f"{name}: {entity}"
        for name in names
        for entity in detectors.get(name).entities
        if entity not in tax
    }
    assert not missing, f"entities missing from the taxonomy: {sorted(missing)}"


# --- the vocabularies are documented ---------------------------------------------------------

DOCS = Path(__file__).resolve().parents[2] / "docs" / "entities.md"


def test_sensitivity_vocabulary_matches_the_enum() -> None:
    assert [s.name.lower() for s in Sensitivity] == list(SENSITIVITIES)


@pytest.mark.parametrize("term", [*CATEGORIES, *REGULATIONS, *SENSITIVITIES])
def test_every_vocabulary_term_is_documented(term: str) -> None:
    assert f"| `{term}` |" in DOCS.read_text(encoding="utf-8")


def test_public_api_of_the_taxonomy_package() -> None:
    import dataward.taxonomy as module

    assert sorted(module.__all__) == [
        "DATASET_TAGS",
        "EntityType",
        "Sensitivity",
        "Taxonomy",
        "did_you_mean",
        "known_tags",
        "load_taxonomy",
        "taxonomy",
    ]
