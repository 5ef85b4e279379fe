"""What the context of a clinical note names: the cue rules of :mod:`dataward.detect.clinical`.

Each rule reads the tokens around one cue word, a fixed number of tokens away at most:

* a title or role before a name (``DR. SULLIVAN``, ``NP Patty``, ``DRS JOSEPH AND ROBBINSON``),
  a relative (``DAUGHTER EMILY``, ``husband jim``) or a phrase (``SEEN BY``, ``PRONOUNCED BY``);
* a credential after a name (``Maria Silva, RN``, ``Bernard Foley CRT``);
* a facility word after its name (``UNION HOSPITAL``, ``sacred heart hosp``): the name alone is
  reported, the generic word identifies nothing;
* a move or a home (``TRANSFERRED TO``, ``ADMITTED FROM``, ``LIVES IN``) before a place that no
  word list holds as a term, and a known town after ``in``/``from``/``to``;
* dates (:mod:`dataward.detect.clinical_dates`);
* a pager or extension number.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from dataward.detect.clinical_dates import MONTHS, date_at, month_date
from dataward.detect.clinical_words import MARKERS, MED_SUFFIXES, word_set
from dataward.detect.clinical_words import cue_finding as _finding
from dataward.detect.model import Finding

if TYPE_CHECKING:
    from dataward.detect.clinical import Words

Tok = tuple[str, int, int]

TITLES = word_set("""dr drs doctor mr mrs ms miss mister md np pa ho pcp attending fellow""")
LABELS = word_set("""patient name pt""")
"""Field labels before a name and a colon (``PATIENT: JOHN SMITH``)."""
AMBIGUOUS_TITLES = word_set("""ms md np pa ho""")
"""Titles that are also clinical abbreviations (mental status, pulmonary artery, house officer):
only a word of the name lists follows them as a name (``PA CATHETER``, ``MS CONT`` are none)."""
RELATIVES = word_set(
    """wife husband hsb hus daughter dtr dau son sister sis brother bro mother mom father dad
    friend girlfriend boyfriend fiance fiancee niece neice nephew aunt uncle grandson
    granddaughter grandmother grandfather cousin spouse partner neighbor neighbour
    spokesperson"""
)
PHRASES = {
    "by": frozenset({"seen", "pronounced", "evaluated", "examined", "reviewed", "reveiwed"}),
    "is": frozenset({"name"}),
    "to": frozenset({"reported", "spoke", "spoken", "talked"}),
    "with": frozenset({"discussed", "spoke", "consulted", "talked"}),
}
"""Phrase cues: the last word → the words that may stand before it (``SEEN BY``)."""
CREDENTIALS = word_set("""rn md np pa crt rrt rt lpn cna rph pharmd msw lcsw ccrn bsn slp pt-a""")
FACILITIES = word_set(
    """hospital hosp hospitals rehab rehabilitation clinic infirmary hospice va house manor"""
)
MOVES = word_set(
    """transferred transfered transfer transfering transferring xfer xferred admitted adm sent
    taken brought arrived returned discharged transported lives living resides moved
    returning going live"""
)
PLACE_PREPS = frozenset({"to", "from", "in", "at"})
PAGERS = frozenset({"pager", "pgr", "beeper", "beep", "pg", "ext", "extension"})
UNIVERSITY = word_set("""u univ university""")
TRANSFER_PREPS = PLACE_PREPS | {"by"}


def findings(text: str, toks: list[Tok], words: Words) -> list[Finding]:
    out: list[Finding] = []
    lows = [t.lower() for t, _, _ in toks]
    n = len(toks)
    first, last = words.first, words.last
    # the tokens a rule starts from, by set look-ups; most tokens start none
    starts = {i for i, low in enumerate(lows) if low in _CUES or low in first or low[:1].isdigit()}
    starts.update(i - 1 for i, low in enumerate(lows) if i and low in last)
    for i in sorted(starts):
        low = lows[i]
        if low in TITLES or low in RELATIVES:
            _names_after(toks, lows, i, words, out, relative=low in RELATIVES)
        elif (
            low in LABELS and i + 2 < n and (toks[i + 1][0] == ":" or _named_after(i, lows, words))
        ):
            _names_after(toks, lows, i, words, out, relative=False)
        elif low in UNIVERSITY and i + 1 < n:
            _university(toks, lows, i, words, out)
        elif low in PHRASES and i > 0 and lows[i - 1] in PHRASES[low]:
            _names_after(toks, lows, i, words, out, relative=False)
        elif i + 1 < n and (low in words.first or lows[i + 1] in words.last):
            _full_name(toks, lows, i, words, out)
        if low in CREDENTIALS and i > 0:  # NP, MD: a credential after a name, a title before
            _names_before(toks, lows, i, words, out)
        if (low in RELATIVES or low == "family") and i > 0:
            _names_before_relative(toks, lows, i, words, out)
        if low in FACILITIES and i > 0:
            _facility(toks, lows, i, words, out)
        elif low in TRANSFER_PREPS and i + 1 < n:
            _place_after(toks, lows, i, words, out)
        elif low in ("on", "per") and _ward(toks, lows, i + 1, words):
            out.append(_finding("LOCATION", toks[i + 1][1], toks[i + 1][2], "ward"))
        if low in PAGERS:
            _pager(toks, lows, i, out)
        tok = toks[i][0]
        if tok[:1].isdigit():
            date_at(text, toks, lows, i, out)
        elif low in MONTHS:
            month_date(toks, lows, i, out)
    return out


_CUES = (
    TITLES
    | RELATIVES
    | LABELS
    | UNIVERSITY
    | frozenset(PHRASES)
    | CREDENTIALS
    | FACILITIES
    | TRANSFER_PREPS
    | PAGERS
    | MONTHS
    | {"family", "on", "per"}
)
"""Every word a rule of :func:`findings` starts from (with given names, words before a surname
and numbers)."""


def _named_after(i: int, lows: list[str], words: Words) -> bool:
    """``Patient Amit Martinez``: a label without a colon, then a word of the name lists (one of
    the next two)."""
    if lows[i] != "patient" or lows[i + 1] in _STOP:
        return False
    return words.named(lows[i + 1]) or (i + 2 < len(lows) and words.named(lows[i + 2]))


def _is_word(tok: str) -> bool:
    return tok[:1].isalpha()


def _initial(toks: list[Tok], k: int) -> bool:
    """A one-letter initial followed by a period (``L.``)."""
    return (
        len(toks[k][0]) == 1
        and toks[k][0].isalpha()
        and k + 1 < len(toks)
        and toks[k + 1][0] == "."
    )


def _name_run(
    toks: list[Tok], lows: list[str], k: int, words: Words, relative: bool
) -> tuple[int, int] | None:
    """The tokens of a name opening at ``k`` (an initial, then one to three name words)."""
    n = len(toks)
    start = k
    if k < n and _initial(toks, k):
        k += 2
    if k >= n or not _is_word(toks[k][0]):
        return None
    first = toks[k][0]
    if not words.name_word(first, strict=True):
        return None
    if relative and not (words.named(lows[k]) or words.rare(lows[k])):
        return None
    end = k + 1
    while end < n and end - k < 3:
        if _initial(toks, end) and end + 2 < n and words.name_word(toks[end + 2][0], True):
            end += 2
            continue
        tok = toks[end][0]
        if toks[end][1] > toks[end - 1][2] + 2 or "\n" in tok:
            break  # not on the same stretch of text
        if not _is_word(tok) or not words.name_word(tok, strict=True):
            break
        end += 1
    return start, end


def _names_after(
    toks: list[Tok], lows: list[str], i: int, words: Words, out: list[Finding], relative: bool
) -> None:
    k = i + 1
    while k < len(toks) and toks[k][0] in (".", ",", ":", "-", "(") and k - i <= 2:
        k += 1
    run = _name_run(toks, lows, k, words, relative)
    if run is None:
        return
    a, b = run
    if lows[i] in AMBIGUOUS_TITLES and not any(
        words.named(lows[q]) or (lows[i] == "md" and words.rare(lows[q])) for q in range(a, b)
    ):
        return
    out.append(_finding("PERSON", toks[a][1], toks[b - 1][2], "name-after-cue"))
    # DRS JOSEPH AND ROBBINSON: a second name after "and"
    if lows[i] == "drs" and b + 1 < len(toks) and lows[b] in ("and", "&"):
        run2 = _name_run(toks, lows, b + 1, words, False)
        if run2 is not None:
            out.append(_finding("PERSON", toks[run2[0]][1], toks[run2[1] - 1][2], "drs"))


def _names_before(
    toks: list[Tok], lows: list[str], i: int, words: Words, out: list[Finding]
) -> None:
    k = i - 1
    if toks[k][0] == ",":
        k -= 1
    end = k + 1
    count = 0
    while k >= 0 and count < 3:
        tok = toks[k][0]
        if tok == "." and k > 0 and len(toks[k - 1][0]) == 1 and toks[k - 1][0].isalpha():
            k -= 2  # an initial
            count += 1
            continue
        if not _is_word(tok) or not words.name_word(tok, strict=True):
            break
        if lows[k] in MARKERS and lows[i] in AMBIGUOUS_TITLES:
            break  # FOLEY, PA LINE: a catheter, not Mr Foley
        if not (words.named(lows[k]) or words.rare(lows[k])):
            break
        if k + 1 < end and toks[k + 1][1] > toks[k][2] + 2:
            break
        k -= 1
        count += 1
    if count == 0:
        return
    start = k + 1
    if not any(words.named(lows[q]) for q in range(start, end)) and count < 2:
        return  # one unknown word before "RN" is too little (a unit, a ward)
    out.append(_finding("PERSON", toks[start][1], toks[end - 1][2], "name-before-credential"))


def _full_name(toks: list[Tok], lows: list[str], i: int, words: Words, out: list[Finding]) -> None:
    """A given name and a surname without a cue (``LINDSEY CARDARELLI``, ``Olga Hopper``): both
    capitalised, three letters or more, neither a medical term nor a clinical abbreviation; a
    given name of the lists before a surname of the lists or a word no list knows, or a word
    no list knows or a rare one before a surname of the lists."""
    if i > 0 and (lows[i - 1] in TITLES or lows[i - 1] in RELATIVES or lows[i - 1] in LABELS):
        return  # the title, relative and label cues read it
    tok, nxt = toks[i], toks[i + 1]
    if i > 0 and toks[i - 1][2] == tok[1] and lows[i - 1][:1].isalnum():
        return  # glued to what stands before it (4AMPS)
    if nxt[1] != tok[2] + 1 or not (tok[0][:1].isupper() and nxt[0][:1].isupper()):
        return  # names are capitalised (in an all-caps note, everything is)
    one, two = lows[i], lows[i + 1]
    if len(one) < 3 or len(two) < 3 or two in _FUNCTION_NAMES:
        return
    for word, low in ((tok[0], one), (nxt[0], two)):
        if not word.isalpha() or not words.name_word(word, strict=False):
            return
        if low in MARKERS or low in _STOP:
            return
    given, family = one in words.first, two in words.last
    if given and family:
        ok = words.band(one) <= 5 and words.band(two) <= 5
    elif given:
        ok = (
            words.band(one) <= 4
            and words.band(two) <= 3
            and len(two) >= 4
            and not two.endswith(_WORD_ENDINGS)  # BIL PLEURAL, SEVER ISCHEMIC
        )
    elif family:
        ok = words.band(two) <= 4 and (words.rare(one) or words.band(one) <= 3)
    else:
        ok = False
    if ok:
        out.append(_finding("PERSON", tok[1], nxt[2], "full-name"))


_WORD_ENDINGS = (*MED_SUFFIXES, "ic", "ant", "ent")
"""Endings of ordinary and medical words: a surname no list holds has none of them."""

_FUNCTION_NAMES = word_set("""family aware called notified paged updated""")


def _names_before_relative(
    toks: list[Tok], lows: list[str], i: int, words: Words, out: list[Finding]
) -> None:
    """A name before the relative it is (``URSLA MORETTI (DAUGHTER)``, ``Nancy Cetrone his
    niece``) or before ``FAMILY`` (``KEEP ROMERO FAMILY AWARE``)."""
    j = i - 1
    while j > 0 and i - j <= 2 and lows[j] in ("(", "-", ",", "his", "her", "their", "pt's"):
        j -= 1
    if lows[i] == "family":
        low = lows[j]
        if j == i - 1 and low in words.last and words.band(low) <= 3 and not words.term(low):
            out.append(_finding("PERSON", toks[j][1], toks[j][2], "name-before-family"))
        return
    if j < i - 1:
        _names_before(toks, lows, j + 1, words, out)


def _facility(toks: list[Tok], lows: list[str], i: int, words: Words, out: list[Finding]) -> None:
    k = i - 1
    while k >= 0 and i - k <= 3:
        low = lows[k]
        tok = toks[k][0]
        if not _is_word(tok) or low in _STOP or words.term(low) or low in FACILITIES:
            break
        if toks[k + 1][1] > toks[k][2] + 2:
            break
        k -= 1
    start = k + 1
    if start >= i:
        return
    lead = lows[start]
    if not (words.named(lead) or lead in words.city or words.rare(lead) or words.band(lead) <= 4):
        return  # OUTSIDE HOSPITAL, LOCAL HOSPITAL
    out.append(_finding("ORGANIZATION", toks[start][1], toks[i - 1][2], "facility"))


_STOP = word_set(
    """a an the to from at in of on for and or with by his her their your our my this that
    outside local other previous prior same new old another nearest community osh"""
)


def _place_after(
    toks: list[Tok], lows: list[str], i: int, words: Words, out: list[Finding]
) -> None:
    k = i + 1
    if k < len(toks) and lows[k] == "the":
        k += 1
    if k >= len(toks) or not _is_word(toks[k][0]):
        return
    moved = False
    for q in range(i - 1, max(-1, i - 6), -1):
        if lows[q] == "\n":
            break
        if lows[q] in MOVES:
            moved = True
            break
    if _hospital_acronym(toks[k][0], lows[k], words, moved):
        out.append(_finding("ORGANIZATION", toks[k][1], toks[k][2], "hospital-acronym"))
        return
    if _ward(toks, lows, k, words) and lows[i] != "by":
        out.append(_finding("LOCATION", toks[k][1], toks[k][2], "ward"))
        return
    if lows[i] == "by":
        return
    # a known town, whole (San Diego, Lansdowne)
    for size in (3, 2, 1):
        key = " ".join(lows[k : k + size])
        kinds = words.lex.phrases.get(key, ())
        if "city" in kinds and k + size <= len(toks):
            if size == 1 and (words.term(key) or key in _STOP or words.band(key) >= 5):
                continue
            if size == 1 and words.named(key) and not moved:
                continue
            if any(words.term(w) for w in lows[k : k + size]):
                continue
            out.append(_finding("LOCATION", toks[k][1], toks[k + size - 1][2], "town"))
            return
    if not moved:
        return
    low = lows[k]
    if words.term(low) or low in _STOP or low in FACILITIES or low in TITLES:
        return
    if len(low) < 5 or not (words.rare(low) or (words.band(low) <= 3 and words.named(low))):
        return  # short unknown words are units and abbreviations (MICU, SBP)
    out.append(_finding("LOCATION", toks[k][1], toks[k][2], "moved-to"))


def _pager(toks: list[Tok], lows: list[str], i: int, out: list[Finding]) -> None:
    k = i + 1
    while k < len(toks) and k - i <= 3 and lows[k] in ("#", ":", "no", "number", ".", "-"):
        k += 1
    if k < len(toks) and toks[k][0].isdigit() and 4 <= len(toks[k][0]) <= 6:
        out.append(_finding("PHONE_NUMBER", toks[k][1], toks[k][2], "pager"))


_HOSPITAL_ENDS = ("h", "mc", "hc")
"""How hospital acronyms end: ``...H`` (hospital), ``...MC`` (medical center), ``...HC``."""


def _hospital_acronym(tok: str, low: str, words: Words, moved: bool) -> bool:
    """``GH``, ``GBMC`` after ``TO``/``AT``/``BY``: two to four letters written in capitals,
    ending as hospital acronyms do, no care-unit abbreviation; a medical term (``GH``: growth
    hormone) only after a move (``TRANSFERRED TO GH``)."""
    if not (2 <= len(tok) <= 4 and tok.isalpha() and tok.isupper()):
        return False
    if not low.endswith(_HOSPITAL_ENDS) or low in MARKERS or low in _STOP or words.band(low) > 3:
        return False  # HIGH, MOUTH, TOUCH: English words
    return moved or not words.term(low)


def _ward(toks: list[Tok], lows: list[str], k: int, words: Words) -> bool:
    """A ward: a word no list knows (five letters or more) and a floor number (``ON
    QUARTERMAIN 6``)."""
    if k + 1 >= len(toks):
        return False
    low = lows[k]
    if len(low) < 5 or not low.isalpha() or not words.rare(low):
        return False
    nxt = toks[k + 1]
    if not (nxt[0].isdigit() and 1 <= int(nxt[0]) <= 12 and nxt[1] == toks[k][2] + 1):
        return False  # a floor number, not a rate or a dose (aflutter 80's, reinsert 30 french)
    after = lows[k + 2] if k + 2 < len(toks) else ""
    if after in CREDENTIALS:
        return True  # PER QUARTERMAIN 3 RN
    return after not in ("'", "%", "x") and not (after[:1].isalpha() and words.term(after))


def _university(toks: list[Tok], lows: list[str], i: int, words: Words, out: list[Finding]) -> None:
    """``U MARYLAND``, ``University of Utah``: a university named by a known place."""
    k = i + 1
    if lows[k] == "of" and k + 1 < len(toks):
        k += 1
    for size in (3, 2, 1):
        kinds = words.lex.phrases.get(" ".join(lows[k : k + size]), ())
        if ("city" in kinds or "reg" in kinds) and toks[k][0][:1].isupper():
            out.append(_finding("ORGANIZATION", toks[i][1], toks[k + size - 1][2], "university"))
            return
