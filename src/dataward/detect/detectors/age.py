"""Ages of people, found through the words around the number ("42 years old", "âgé de 42 ans").

The finding is the number only (group 1), as clinical de-identification corpora annotate it.
Patterns are case sensitive; each word is spelled lower, Capitalized and UPPER so that non-ASCII
letters (âgé, años, età, jährig) read the same in Hyperscan, RE2 and Python ``re``.
"""

from __future__ import annotations

from dataward.detect.base import PatternDetector
from dataward.detect.model import Pattern
from dataward.detect.registry import register

_SP = "[ \u00a0]"
_N = "([0-9]{1,3})"


def _w(*words: str) -> str:
    """Alternation of ``words`` in lower, Capitalized and UPPER case, longest first."""
    forms: list[str] = []
    for word in words:
        forms.extend((word.lower(), word[:1].upper() + word[1:], word.upper()))
    return "(?:" + "|".join(sorted(dict.fromkeys(forms), key=lambda f: -len(f))) + ")"


_YEARS = _w("years", "year", "yrs", "yr")
_OLD = _w("old")
_UNIT_SMALL = _w("months", "month", "weeks", "week", "days", "day")

_STRONG: tuple[tuple[str, str], ...] = (
    # 42 years old, 42-year-old, 42 yrs. old, 6-month-old, 42 years of age
    ("en-years-old", f"{_N}(?:{_SP}|-)?{_YEARS}\\.?(?:{_SP}|-)(?:{_OLD}|{_w('of age')})"),
    ("en-months-old", f"{_N}(?:{_SP}|-){_UNIT_SMALL}(?:{_SP}|-){_OLD}"),
    # 42 y/o, 42yo, 42 y.o.
    ("en-yo", f"{_N}{_SP}?(?:y/o|Y/O|y\\.o\\.?|Y\\.O\\.?|yo|YO)"),
    # aged 42, at the age of 42, age of 42
    ("en-aged", f"(?:{_w('aged')}|{_w('age of')}|{_w('age')}){_SP}+{_N}"),
    # im Alter von 42 Jahren, 42 Jahre alt, 42-jährig, 42-Jährige
    ("de-alter-von", f"{_w('alter von')}{_SP}+{_N}"),
    ("de-jahre-alt", f"{_N}{_SP}+{_w('jahre', 'jahr')}{_SP}+{_w('alt')}"),
    ("de-jaehrig", f"{_N}(?:-|{_SP})?(?:j|J)(?:ä|Ä|ae)hrig(?:e|er|en|es|em)?"),
    # âgé de 42 ans, l'âge de 42 ans
    (
        "fr-age-de",
        f"(?:(?:â|Â|a|A)g(?:é|É|e|E)(?:e|E)?(?:s|S)?|(?:â|Â|a|A)(?:g|G)(?:e|E)){_SP}+(?:de|DE|d'){_SP}*{_N}",
    ),
    # il a 42 ans (but not "il y a 5 ans", five years ago)
    (
        "fr-a-ans",
        f"(?:y|Y){_SP}+(?:a|A){_SP}+[0-9]{{1,3}}{_SP}+{_w('ans')}"
        f"|{_w('a', 'avait', 'aura')}{_SP}+{_N}{_SP}+{_w('ans')}",
    ),
    # 42 años de edad, tiene 42 años, edad de 42
    ("es-anos-edad", f"{_N}{_SP}+(?:a|A)(?:ñ|Ñ|n|N)(?:os|OS){_SP}+{_w('de edad')}"),
    (
        "es-tiene",
        f"{_w('tiene', 'tenía', 'cumplió', 'cumple')}{_SP}+{_N}{_SP}+(?:a|A)(?:ñ|Ñ)(?:os|OS)",
    ),
    ("es-edad-de", f"{_w('edad de')}{_SP}+{_N}"),
    # all'età di 42 anni, 42 anni di età, ha 42 anni
    ("it-eta-di", f"(?:e|E)(?:t|T)(?:à|À|a|A){_SP}+(?:di|DI){_SP}+{_N}"),
    ("it-anni-eta", f"{_N}{_SP}+{_w('anni')}{_SP}+(?:di|DI){_SP}+(?:e|E)(?:t|T)(?:à|À)"),
    ("it-ha", f"{_w('ha', 'aveva', 'compie')}{_SP}+{_N}{_SP}+{_w('anni')}"),
)

_LABEL: tuple[tuple[str, str], ...] = (
    # Age: 42, Alter: 42, âge : 42, edad: 42, età: 42 (a label, so a little weaker)
    (
        "label",
        "(?:"
        + "|".join(
            (
                _w("age"),
                _w("alter"),
                "(?:â|Â)(?:ge|GE)",
                _w("edad"),
                "(?:e|E)(?:t|T)(?:à|À)",
            )
        )
        + f"){_SP}*(?::|=|-){_SP}*{_N}",
    ),
)

_WEAK: tuple[tuple[str, str], ...] = (
    # 42 years, 42 Jahre, 42 ans, 42 años, 42 anni: ages or durations; context decides
    (
        "number-years",
        f"{_N}{_SP}?(?:{_YEARS}|{_w('jahre', 'jahren')}|{_w('ans')}|(?:a|A)(?:ñ|Ñ)(?:os|OS)|{_w('anni')})",
    ),
)


@register("age")
class AgeDetector(PatternDetector):
    entity = "AGE"
    patterns = (
        *(Pattern(name, regex, 0.85, group=1) for name, regex in _STRONG),
        *(Pattern(name, regex, 0.7, group=1) for name, regex in _LABEL),
        *(Pattern(name, regex, 0.25, group=1) for name, regex in _WEAK),
    )
    context = {
        "en": (
            "age", "aged", "old", "patient", "male", "female", "man", "woman", "boy", "girl",
            "child", "son", "daughter", "turned", "turns",
        ),
        "de": ("alter", "alt", "patient", "patientin", "mann", "frau", "junge", "mädchen", "kind", "sohn", "tochter"),
        "fr": ("âge", "âgé", "âgée", "patient", "patiente", "homme", "femme", "garçon", "fille", "enfant", "fils"),
        "es": ("edad", "tiene", "paciente", "hombre", "mujer", "niño", "niña", "hijo", "hija", "cumplió"),
        "it": ("età", "ha", "paziente", "uomo", "donna", "bambino", "bambina", "figlio", "figlia"),
    }  # fmt: skip
    negative_context = {
        "en": ("ago", "experience", "warranty", "contract", "lease", "loan", "mortgage", "term", "for", "since", "anniversary"),
        "de": ("vor", "seit", "erfahrung", "garantie", "vertrag", "laufzeit", "jubiläum"),
        "fr": ("il y a", "depuis", "expérience", "garantie", "contrat", "durée", "anniversaire"),
        "es": ("hace", "desde", "experiencia", "garantía", "contrato", "plazo", "aniversario"),
        "it": ("fa", "da", "esperienza", "garanzia", "contratto", "durata", "anniversario"),
    }  # fmt: skip
    validator = "age-range"

    def validate(self, value: str, pattern: Pattern) -> float | None:
        if not value.isdigit() or int(value) > 125:
            return None
        if len(value) > 1 and value.startswith("0"):
            return None
        return pattern.score
