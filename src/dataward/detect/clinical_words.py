"""Word lists and the finding shape shared by the clinical register's modules
(:mod:`dataward.detect.clinical`, :mod:`~dataward.detect.clinical_cues`,
:mod:`~dataward.detect.clinical_dates`); a leaf, so that those import it and not each other."""

from __future__ import annotations

from dataward.detect.model import Explanation, Finding


def word_set(words: str) -> frozenset[str]:
    """A word list written as one string (``"pt pmh s/p"``)."""
    return frozenset(words.split())


MARKERS = word_set(
    """pt pts pmh pmhx hx s/p c/o w/ abg cxr ekg ecg bp hr rr sbp map cvp gtt gtts iv ivf po
    prn npo bid tid qid qd q mg mcg meq cc ml ccu icu micu sicu ed er npn neuro resp cv gi
    gu sats sat o2 fio2 peep vent intubated extubated sedated afebrile lasix heparin insulin
    propofol foley ngt ogt ett prbc plt hct wbc bun cr creat mag lytes abx dx rx sx tx labs
    cath cabg mi chf copd htn dm iddm niddm cad afib nsr vt pvc pvcs a-line aline swan dnr
    cmo s/p c/o w/ w/o s/s h/o d/c n/v r/o f/u"""
)
"""Words whose density marks a clinical note (general usage; see ``is_clinical``)."""

MED_SUFFIXES = (
    "emia", "itis", "osis", "ectomy", "otomy", "ostomy", "plasty", "scopy", "gram", "pathy",
    "algia", "uria", "penia", "cytosis", "oma", "aemia", "ase", "azole", "cillin", "mycin",
    "olol", "pril", "sartan", "statin", "dipine", "oxacin", "tidine", "prazole", "parin",
    "ide", "ine", "one", "ate", "ol", "ics", "ia", "ive", "ing", "ed", "ly", "al",
)  # fmt: skip
"""Endings of medical and ordinary words; a word with one that no name list holds is no name."""


CUE_SCORE = 0.8


def cue_finding(entity: str, start: int, end: int, why: str) -> Finding:
    """A finding of a context rule (:mod:`dataward.detect.clinical_cues`, ``clinical_dates``)."""
    return Finding(
        entity,
        start,
        end,
        CUE_SCORE,
        "clinical",
        Explanation(pattern=f"clinical:{why}", base_score=CUE_SCORE, notes=("clinical register",)),
    )
