"""Decoding rules around the built-in NER model: what the CRF's labels become before they are
reported. Each rule is one function over tokens and labels (or token spans), with the lexicon
(gazetteers, word frequency, whole place names) as its only knowledge; docs/ner.md lists them.
"""

from __future__ import annotations

from dataward.detect.ner.features import Lexicon

_KEEP_DOT = frozenset({"org", "st", "ttl"})
"""A trailing period stays in a span after words of these gazetteers (``Ltd.``, ``St.``)."""
BREAKS = frozenset({"\n", ".", "!", "?", ";"})
PARTICLES = frozenset(
    [
        "van",
        "der",
        "den",
        "de",
        "da",
        "das",
        "do",
        "dos",
        "du",
        "von",
        "zu",
        "la",
        "le",
        "di",
        "del",
        "della",
        "bin",
        "binti",
        "ibn",
        "al",
        "el",
        "ter",
        "ten",
        "y",
        "e",
    ]
)
"""Lower-case words that belong inside names (Ludwig van Beethoven, José da Silva)."""
_PROPER = ("fn", "ln", "city", "ctry", "reg", "org", "st")


def _line_of(words: list[str], a: int) -> tuple[int, int]:
    """The token range of the line holding token ``a``."""
    start = a
    while start > 0 and words[start - 1] != "\n":
        start -= 1
    end = a
    while end < len(words) and words[end] != "\n":
        end += 1
    return start, end


def towns_in_blocks(
    lex: Lexicon, words: list[str], found: list[tuple[int, int, str, float]]
) -> None:
    """In a postal block, the line between an address line and a line that opens with a known
    country is the town: a "person" or "company" filling that line is a place (``12 Oak St`` /
    ``Dozwil`` / ``Mongolia 34161``). Changes ``found`` in place."""
    for k in range(1, len(found) - 1):
        a, b, entity, score = found[k]
        if entity not in ("PERSON", "ORGANIZATION"):
            continue
        start, end = _line_of(words, a)
        if any(_wordy(w) for w in words[start:a] + words[b:end]):
            continue  # the span is not the whole line
        before, after = found[k - 1], found[k + 1]
        if before[2] != "STREET_ADDRESS" or after[2] != "LOCATION":
            continue
        if before[1] > start or after[0] < end:
            continue
        if any(_wordy(w) for w in words[before[1] : start] + words[end : after[0]]):
            continue  # the neighbours are not on the lines around it
        country = " ".join(w.lower() for w in words[after[0] : after[1]])
        if "ctry" in lex.phrases.get(country, ()):
            found[k] = (a, b, "LOCATION", score)


def join_blocks(
    words: list[str], found: list[tuple[int, int, str, float]]
) -> list[tuple[int, int, str, float]]:
    """An address that starts after words on its line (``ship to 12 Oak St`` / ``Address: 12
    Oak St``) or right after a line ending in a colon runs on over the following lines while
    they hold only its parts (unit, town, country, postcode): one ``STREET_ADDRESS`` from street
    to postcode. A letter-style block, whose street opens its own line after a name, keeps its
    town and country as places."""
    out: list[tuple[int, int, str, float]] = []
    k = 0
    while k < len(found):
        a, b, entity, score = found[k]
        k += 1
        if entity != "STREET_ADDRESS" or not _after_words(words, a):
            out.append((a, b, entity, score))
            continue
        scores = [score]
        while True:
            line = _rest_of_line(words, b)
            if line is None:
                break
            # the next line: every word in it must belong to the next findings
            start, end = line
            q = k
            pos = start
            while pos < end and not _wordy(words[pos]):
                pos += 1
            covered_to = pos
            while q < len(found) and found[q][0] >= pos and found[q][0] < end:
                gap = words[covered_to : found[q][0]]
                if found[q][2] not in ("STREET_ADDRESS", "LOCATION") or any(
                    _wordy(w) and not w.isdigit() and not (w.islower() and len(w) <= 3) for w in gap
                ):
                    break
                covered_to = found[q][1]
                scores.append(found[q][3])
                q += 1
            while covered_to < end and (
                words[covered_to].isdigit() or not _wordy(words[covered_to])
            ):
                covered_to += 1  # a trailing postcode or punctuation
            if q == k:
                break
            b = covered_to
            k = q
            if covered_to < end:
                break  # the sentence goes on after the address on this line
        while b > a and not _wordy(words[b - 1]):
            b -= 1
        out.append((a, b, entity, sum(scores) / len(scores)))
    return out


def _after_words(words: list[str], a: int) -> bool:
    """Whether a word stands before token ``a`` on its line, or the line before ends with a
    colon (``Address:`` / ``here is my address:`` on a line of its own)."""
    k = a - 1
    while k >= 0 and words[k] != "\n":
        if _wordy(words[k]):
            return True
        k -= 1
    while k >= 0 and words[k] == "\n":
        k -= 1
    return k >= 0 and words[k] == ":"


def _rest_of_line(words: list[str], b: int) -> tuple[int, int] | None:
    """When only punctuation or a postcode follows token ``b`` on its line: the token range of
    the next non-empty line."""
    k = b
    while k < len(words) and words[k] != "\n":
        if _wordy(words[k]) and not words[k].isdigit():
            return None
        k += 1
    while k < len(words) and words[k] == "\n":
        k += 1
    if k >= len(words):
        return None
    end = k
    while end < len(words) and words[end] != "\n":
        end += 1
    return k, end


TITLES = frozenset(
    ["dr", "mr", "mrs", "ms", "mx", "prof", "herr", "frau", "mme", "mlle", "sra", "dott"]
)
"""Personal titles after which a name-like word is a person (Dr Okafor, MRS LINDQVIST)."""
_AMBIGUOUS_TITLES = frozenset(["dr", "mr", "ms"])
"""Titles that are also abbreviations (Drive; mitral regurgitation, multiple sclerosis): in
all-caps or lower-case text they only vouch for a word the gazetteers hold or no word list has."""
_SPAN_GAZ = ("sfx", "org", "st", "cal", "med", "ttl")


def after_titles(lex: Lexicon, words: list[str], labels: list[str], mode: str) -> None:
    """Decoding rule: a title followed by a name-like word makes that word a person, whatever
    the model said (``Dr. Mbeki`` where the model saw nothing; ``DR PATEL`` tagged as a place).
    Up to three name-like words are taken (``Dr Ana María Ruiz``). Changes ``labels`` in place."""
    n = len(words)
    gaz = lex.gazetteers
    for i in range(n - 1):
        low = words[i].lower()
        if low not in TITLES or labels[i] != "O":
            continue
        if i > 0 and labels[i - 1] != "O":
            continue
        j = i + 2 if words[i + 1] == "." else i + 1
        if j >= n:
            continue
        if _street_before(words, i):
            # "12 Oak Dr Springfield": Drive, and what follows is the town, not a person
            if labels[j] == "B-PER":
                k = j + 1
                while k < n and labels[k] == "I-PER":
                    k += 1
                town = all(w.lower() in gaz.get("city", ()) for w in words[j:k])
                labels[j] = "B-LOC" if town else "O"
                for q in range(j + 1, k):
                    labels[q] = "I-LOC" if town else "O"
            continue
        strict = mode != "N" and low in _AMBIGUOUS_TITLES
        lab = labels[j]
        if lab in ("B-LOC", "B-ORG"):
            k = j + 1
            while k < n and labels[k] == "I-" + lab[2:]:
                k += 1
            span = [w.lower() for w in words[j:k]]
            if k - j <= 3 and not any(w in gaz.get(g, ()) for w in span for g in _SPAN_GAZ):
                labels[j] = "B-PER"
                for q in range(j + 1, k):
                    labels[q] = "I-PER"
            continue
        if lab != "O" or not _name_like(lex, words[j], mode, strict):
            continue
        labels[j] = "B-PER"
        k = j + 1
        while k < n and k - j < 3 and labels[k] == "O" and _name_like(lex, words[k], mode, True):
            labels[k] = "I-PER"
            k += 1


_COUNTRY_HOMOGRAPHS = frozenset(
    ["turkey", "china", "guinea", "chad", "jordan", "georgia", "jersey", "niger", "wales"]
)
"""Country names that are also common English words or given names."""


def countries(
    lex: Lexicon, words: list[str], labels: list[str], mode: str, kinds: list[tuple[str, ...]]
) -> None:
    """Decoding rule: a whole country name the model left outside is a place (``In Hungary
    they ...``, where ``In March they ...`` taught it otherwise), unless it is written in lower
    case in normally cased text, is a common word in text without capitals (``roast turkey``),
    or is a name (``Jordan Peterson``, ``Mr Chad``). Changes ``labels`` in place."""
    if not any("ctry" in k for k in kinds):
        return
    lows = [w.lower() for w in words]
    gaz = lex.gazetteers
    names = (gaz.get("fn", ()), gaz.get("ln", ()))
    i, n = 0, len(words)
    while i < n:
        if "ctry" not in kinds[i]:
            i += 1
            continue
        j = i + 1
        while j < n and kinds[j] is kinds[i] and lows[j] != "\n":
            j += 1
        run = range(i, j)
        if (
            all(labels[k] == "O" for k in run)
            and not (mode == "N" and words[i][:1].islower())
            # without capitals, a country that is also a common word (turkey, china) may be one
            and not (mode != "N" and j - i == 1 and lows[i] in _COUNTRY_HOMOGRAPHS)
            and not (i > 0 and lows[i - 1].rstrip(".") in TITLES)
            and not (
                j < n
                and words[j][:1].isupper()
                and mode == "N"
                and any(lows[j] in g for g in names)
            )
        ):
            labels[i] = "B-LOC"
            for k in range(i + 1, j):
                labels[k] = "I-LOC"
        i = j


def _street_before(words: list[str], i: int) -> bool:
    """Whether ``words[i]`` follows a house number and up to three street-name words."""
    k = i - 1
    while k >= 0 and i - k <= 3 and words[k].isalpha() and words[k].lower() not in _EDGE_WORDS:
        k -= 1
    return k >= 0 and k < i - 1 and words[k].isdigit()


def _name_like(lex: Lexicon, tok: str, mode: str, strict: bool) -> bool:
    """Whether ``tok`` may be (part of) a name: a word, capitalised in normally cased text, not a
    frequent word; ``strict``: also a word the name gazetteers hold or no word list knows."""
    if len(tok) < 2 or not tok.replace("-", "").replace("'", "").isalpha():
        return False
    low = tok.lower()
    if low in _EDGE_WORDS or low in TITLES:
        return False
    if mode == "N" and not tok[0].isupper():
        return False
    gaz = lex.gazetteers
    named = low in gaz.get("fn", ()) or low in gaz.get("ln", ())
    if not named and any(low in gaz.get(g, ()) for g in ("cal", "med", "sfx", "st")):
        return False
    band = lex.freq.get(low, 0)
    if strict:
        return named or band == 0
    return named or band < (5 if mode == "N" else 4)


def _wordy(tok: str) -> bool:
    return any(ch.isalnum() for ch in tok)


def pieces(
    lex: Lexicon, words: list[str], i: int, j: int, kind: str, mode: str
) -> list[tuple[int, int]]:
    """The token ranges to report for a model span ``words[i:j]`` of type ``kind``.

    Names, places and companies end before a possessive ``'s``; names and places are split at
    ordinary words the model ran over (``Anna could visit Lyon`` → ``Anna``, ``Lyon``); all but
    street addresses lose ordinary words at their edges, and every span loses edge punctuation.
    """
    if kind == "ADDR":
        ranges = _split_at_labels(words, i, j)
    else:
        j = _before_possessive(words, i, j)
        ranges = []
        a = i
        for k in range(i, j):
            if _breaker(lex, words[k], mode, kind) or is_label(words[k]):
                if a < k:
                    ranges.append((a, k))
                a = k + 1
        if a < j:
            ranges.append((a, j))
    out = []
    for a, b in ranges:
        first = a
        while a < b and (not _wordy(words[a]) or _filler(lex, words[a], mode, kind)):
            a += 1
        if (
            a < b
            and mode == "N"
            and kind != "ADDR"
            and (a == 0 or words[a - 1] in BREAKS)
            and a == first
            and _common(lex, words[a], 4)
        ):
            a += 1  # a capitalised ordinary word opening a sentence: "Tell Anna" → "Anna"
        while b > a and (not _wordy(words[b - 1]) or _filler(lex, words[b - 1], mode, kind)):
            if words[b - 1] == "." and b - 1 > a and _keeps_dot(lex, words[b - 2]):
                break
            b -= 1
        if b - a == 1 and kind != "ADDR" and lex.freq.get(words[a].lower(), 0) >= 6:
            continue  # a lone very frequent word ("An", "Will" opening a sentence) is no name
        if a < b and kind != "ADDR" and not any(ch.isalpha() for w in words[a:b] for ch in w):
            continue  # a name, place or company has letters ("in 1965" is no place)
        if a < b and kind == "ADDR" and not _address_like(lex, words[a:b]):
            continue  # "roast turkey": an address has a number or a street word
        if a < b and kind == "ADDR" and _measure(words[a:b]):
            continue  # "20 cm", "1100 UNITS POST BOLUS": a number with its unit
        if a < b and kind == "ADDR" and _account_like(lex, words[a:b]):
            continue  # "Card 4111 1111 1111 1111": a long number with a word is no address
        if a < b and not (kind == "ADDR" and _phone_like(words[a:b])):
            out.append((a, b))
    return out


def person_like(lex: Lexicon, words: list[str]) -> bool:
    """An "organization" of two to four words with no company word (Inc, Ltd, Bank, ...) is a
    person when its words are all known first or last names with a first name among them
    (Zhang Wei), or when it opens with a known first name and every other word is a known name
    or a word no word list holds (Ekmel Qafarov)."""
    names = [w.lower() for w in words if w.replace("-", "").isalpha()]
    if not 2 <= len(names) <= 4 or len(names) != len(words):
        return False
    gaz = lex.gazetteers
    first, last = gaz.get("fn", ()), gaz.get("ln", ())
    if any(w in gaz.get("sfx", ()) or w in gaz.get("org", ()) for w in names):
        return False
    if any(w in gaz.get("st", ()) and w not in first and w not in last for w in names):
        return False  # Main Street, not Simpson (a surname streets are named after)
    names = [w for w in names if w not in PARTICLES]  # Pieter van der Berg
    if not names:
        return False  # "le la": particles only
    if all(w in first or w in last for w in names) and any(w in first for w in names):
        return True
    freq = lex.freq
    return names[0] in first and all(
        w in first or w in last or freq.get(w, 0) == 0 for w in names[1:]
    )


def name_not_place(lex: Lexicon, words: list[str]) -> bool:
    """A "place" of two to five words that no place list holds whole, opening with a known
    first name and closing with a known last name, all its words names or particles, is a
    person (Ana de la Cruz; Santa Cruz stays a place)."""
    low = [w.lower() for w in words]
    if not 2 <= len(low) <= 5 or " ".join(low) in lex.phrases:
        return False
    gaz = lex.gazetteers
    first, last = gaz.get("fn", ()), gaz.get("ln", ())
    return (
        low[0] in first
        and low[-1] in last
        and all(w in first or w in last or w in PARTICLES for w in low)
    )


def house_number(tok: str) -> bool:
    return tok.isdigit() and len(tok) <= 5


def _address_like(lex: Lexicon, words: list[str]) -> bool:
    """Whether an address span holds a digit or a street word (Street, Via, Calle, Apt)."""
    street = lex.gazetteers.get("st", ())
    return any(ch.isdigit() for w in words for ch in w) or any(
        w.lower().rstrip(".") in street for w in words
    )


def address_text_plausible(span: str) -> bool:
    """Whether a model's STREET_ADDRESS span, as text, can be an address: two or more words,
    and where it holds a hash- or key-like word (``19757bb929ddbe81``, as a protected value
    reads), a house number or a street word besides (a token is no house number)."""
    words = [w for w in span.split() if any(ch.isalnum() for ch in w)]
    if len(words) < 2:  # "box", "Road", "54d122933b9721f2" alone; a postcode ("66298") may be
        word = words[0].strip(".,;:()")
        return any(ch.isdigit() for ch in word) and len(word) <= 8 and not _keyish(word)
    lower = [w.lower().strip(".,;:") for w in words]
    if "box" in lower and not set(lower) & (_PO | STREET_WORDS):
        at = lower.index("box")  # "Box 3210", "PO Box 12", not "refund box card" or "3034 box"
        if at + 1 == len(words) or not any(ch.isdigit() for ch in words[at + 1]):
            return False
    keyish = [w for w in words if _keyish(w)]
    if not keyish:
        return True
    rest = [w for w in words if not _keyish(w)]
    return any(any(ch.isdigit() for ch in w) for w in rest) or any(
        w.lower().strip(".,") in STREET_WORDS for w in rest
    )


_PO = frozenset({"po", "p.o", "p.o.", "post", "pob", "bp", "postfach", "apartado"})


def _keyish(word: str) -> bool:
    """Eight or more letters and digits mixed: a hash, token or key, not a house number
    (``12B``) or postcode part (``SW1A``, ``K1A``)."""
    core = word.strip(".,;:()[]{}\"'")
    digits = sum(ch.isdigit() for ch in core)
    return len(core) >= 8 and core.isalnum() and 0 < digits < len(core)


def _phone_like(words: list[str]) -> bool:
    """An address span with no letter and more than six digits is a phone or account number
    (postcodes have at most six digits or contain letters); the pattern detectors own those."""
    if any(ch.isalpha() for w in words for ch in w):
        return False
    return sum(ch.isdigit() for w in words for ch in w) > 6


def _account_like(lex: Lexicon, words: list[str]) -> bool:
    """An address span with no street word and more than ten digits is a card, account or ID
    number with a word beside it (house numbers and postcodes hold fewer); the pattern
    detectors own those."""
    street = lex.gazetteers.get("st", ())
    if any(w.lower().rstrip(".") in street or w.lower().rstrip(".") in STREET_WORDS for w in words):
        return False
    return sum(ch.isdigit() for w in words for ch in w) > 10


_EDGE_WORDS = frozenset(
    [
        "and",
        "or",
        "i",
        "the",
        "of",
        "to",
        "in",
        "at",
        "for",
        "with",
        "from",
        "by",
        "on",
        "is",
        "was",
        "as",
        "but",
        "if",
        "so",
        "me",
        "my",
        "we",
        "you",
        "he",
        "she",
        "it",
        "they",
    ]
)
"""Function words that never open or close a name, place or company."""
_JOINERS = frozenset({"and", "of", "the", "for", "und", "et", "y", "e", "&"})
"""Ordinary words that may stand inside a place name (Bosnia and Herzegovina)."""


def _common(lex: Lexicon, tok: str, band: int) -> bool:
    """A frequent word (frequency band >= ``band``) that no name or place gazetteer holds."""
    low = tok.lower()
    if lex.freq.get(low, 0) < band or low in PARTICLES:
        return False
    gaz = lex.gazetteers
    return not any(low in gaz.get(g, ()) for g in _PROPER)


def _breaker(lex: Lexicon, tok: str, mode: str, kind: str) -> bool:
    """An ordinary word inside a model span that cannot be part of a name or place."""
    if not tok.replace("-", "").isalpha():
        return False
    low = tok.lower()
    if low in PARTICLES or (kind in ("LOC", "ORG") and low in _JOINERS):
        return False
    if kind == "ORG":
        # company names keep their words (Home Depot), but not a verb the model ran over:
        # "Kerri Akça could visit Sofievær" is no company
        if low in lex.gazetteers.get("org", ()):
            return False
        return (mode == "N" and tok.islower() and lex.freq.get(low, 0) >= 4) or (
            mode != "N" and _common(lex, tok, 6)
        )
    if mode == "N" and tok.islower():
        return True
    return _common(lex, tok, 5)


def _filler(lex: Lexicon, tok: str, mode: str, kind: str) -> bool:
    """Whether ``tok`` at the edge of a span is an ordinary word, not part of the name: a
    lower-case word in normally cased text, or (in all-caps or lower-case text) a common word that
    no gazetteer holds. Street addresses keep their words."""
    if kind == "ADDR" or not tok.replace("-", "").isalpha():
        return False
    low = tok.lower()
    if low in _EDGE_WORDS:
        return True
    if low in PARTICLES:
        return False
    if mode == "N":
        return tok.islower()
    if lex.freq.get(low, 0) < 4:
        return False
    gaz = lex.gazetteers
    return not any(low in gaz.get(g, ()) for g in _PROPER)


def _before_possessive(words: list[str], a: int, b: int) -> int:
    """End the span before a possessive ``'s`` (Kevin's book → Kevin)."""
    for k in range(a + 1, b - 1):
        if words[k] in ("'", "’") and words[k + 1] in ("s", "S"):
            return k
    return b


def _keeps_dot(lex: Lexicon, tok: str) -> bool:
    low = tok.lower()
    gaz = lex.gazetteers
    return any(low in gaz.get(g, ()) for g in _KEEP_DOT) or (len(tok) == 1 and tok.isalpha())


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


LABELS = _words(
    """ssn sin nin nir dob mrn id ids tel tel. phone fax email e-mail dni nie nif cpf cnpj iban
    bic swift vat ein itin npi dea pin cvv cvc zip postcode mobile cell passport licence
    license account acct ref re fw fwd subject hola hello hi hey dear regards thanks cheers
    follow-up followup fyi asap attn"""
)
"""Form labels, greetings and mail headers: the word before a value or a name, never a name
itself (``SSN: 506-16-4622``, ``Hola,``, ``Follow-up with Dr. Kim``). A span is cut there."""


def is_label(tok: str) -> bool:
    return tok.lower() in LABELS


def _split_at_labels(words: list[str], i: int, j: int) -> list[tuple[int, int]]:
    """``[i, j)`` cut at label words (``Amit Martinez, DOB 1936-02-27, SSN ...``: the model's
    "address" is a name, a label, a date, a label and a number)."""
    out: list[tuple[int, int]] = []
    a = i
    for k in range(i, j):
        if is_label(words[k]):
            if a < k:
                out.append((a, k))
            a = k + 1
    if a < j:
        out.append((a, j))
    return out


STREET_WORDS = _words(
    """street st avenue ave av road rd lane ln drive dr boulevard blvd way court ct place pl
    square sq terrace circle highway hwy route parkway pkwy alley row close crescent strasse
    straße str rue via calle avenida rua plaza"""
)


def names_only(lex: Lexicon, words: list[str], mode: str) -> bool:
    """Two to four name-like words and no street word: a name the model read as a street
    (``Amit Martinez`` before ``DOB``)."""
    alpha = [w for w in words if _wordy(w)]
    if not 2 <= len(alpha) <= 4 or len(alpha) != len(words):
        return False
    return all(
        w.lower().rstrip(".") not in STREET_WORDS and _name_like(lex, w, mode, False) for w in alpha
    )


UNITS = _words(
    """cm mm km mg mcg ml cc kg lb lbs units mmhg meq mmol mls hrs hours mins minutes sec %"""
)
"""Units of measure: a number followed by one is a quantity, never a house number."""


def _measure(words: list[str]) -> bool:
    """Whether a number in ``words`` is followed by a unit (``20 cm``, ``5 %``)."""
    return any(words[k].isdigit() and words[k + 1].lower() in UNITS for k in range(len(words) - 1))


ORG_HEADS = _words(
    """inc incorporated corp corporation llc llp ltd limited plc gmbh ag kg sa sarl srl spa bv nv
    oy ab aps pty company co technologies technology solutions services systems networks labs
    laboratories consulting associates partners holdings industries enterprises insurance agency
    international group bank bancorp analytics software ventures pharmaceuticals therapeutics
    foundation"""
)
"""Words that end a company's name and say it is one (``Kroll Bond Ratings Agency``,
``3 Round Stones Inc``): the capitalised words before one are an organization."""
RULE_SCORE = 0.85
"""The score of a token a decoding rule labelled against the model (its marginal for a label
the model did not choose says nothing)."""
ORG_OPENERS = _words("ministry department bureau office bank university college institute")
"""Words that open an organization's name before ``of`` (``Ministry of Agriculture``,
``Bank of America``)."""
_ORG_JOINERS = frozenset({"and", "&", "of", "for"})


def organizations(words: list[str], labels: list[str], mode: str) -> set[int]:
    """Decoding rule: in normally cased text, capitalised words (or a number) closed by a
    company word make an organization whatever the model said (``Weather Decision Technologies``,
    ``Galorath Incorporated``, ``Marlin Alter And Associates``), as do ``Ministry``,
    ``Department``, ``Bank``, ``University`` (...) followed by ``of`` and capitalised words. Up
    to five words before the head; ``of``/``for`` only between capitalised words, ``and``/``&``
    only right before the head (``Smith & Associates``, not ``Bank of America and Smith``). In
    all-caps or lower-case text capitals say nothing, so only a span the model already tagged
    right before a company word is extended over it and made an organization. Changes ``labels``
    in place; returns the tokens it labelled, which score as :data:`RULE_SCORE`."""
    n = len(words)
    ruled: set[int] = set()
    for h in range(n):
        low = words[h].lower().rstrip(".")
        a = _org_start(words, labels, h, mode) if low in ORG_HEADS and h else None
        if a is not None:
            _label(labels, a, h + 1, "ORG")
            ruled.update(range(a, h + 1))
        elif (
            low in ORG_OPENERS
            and mode == "N"
            and words[h][0].isupper()
            and h + 2 < n
            and words[h + 1].lower() == "of"
            and _capital(words[h + 2])
        ):
            b = h + 3
            while b < n and b - h < 6 and (_capital(words[b]) or _inner_joiner(words, b)):
                b += 1
            _label(labels, h, b, "ORG")
            ruled.update(range(h, b))
    return ruled


def _org_start(words: list[str], labels: list[str], h: int, mode: str) -> int | None:
    """Where the organization closed by the company word at ``h`` starts, or ``None``."""
    if mode != "N":
        if labels[h] != "O" or labels[h - 1] == "O" or not _wordy(words[h - 1]):
            return None
        a = h - 1
        while a > 0 and labels[a].startswith("I-"):
            a -= 1
        return a
    if not (words[h][0].isupper()):
        return None
    a = h
    while a > 0 and h - a < 5:
        prev = words[a - 1]
        if (
            _capital(prev)
            or prev.isdigit()
            or (
                a - 1 > 0
                and _inner_joiner(words, a - 1)
                and (a == h or prev.lower() not in ("and", "&"))
            )
        ):
            a -= 1
        else:
            break
    while a < h and words[a].lower() in _ORG_JOINERS:
        a += 1
    if a == h or words[a].lower() in TITLES:
        return None
    return a


def _capital(tok: str) -> bool:
    return tok[:1].isupper() and tok.replace("-", "").replace("'", "").isalnum()


def _inner_joiner(words: list[str], k: int) -> bool:
    """A joiner between two capitalised words (``Hoover, Morris and Johnson``: the ``and``)."""
    return (
        words[k].lower() in _ORG_JOINERS
        and 0 < k < len(words) - 1
        and _capital(words[k - 1])
        and _capital(words[k + 1])
    )


def _label(labels: list[str], a: int, b: int, kind: str) -> None:
    labels[a] = "B-" + kind
    for k in range(a + 1, b):
        labels[k] = "I-" + kind
    if b < len(labels) and labels[b].startswith("I-"):
        labels[b] = "B-" + labels[b][2:]


CHAT_CUES = _words("hey hi hello hiya yo thanks thx thank ok okay ping ask tell dear cc bye")
"""Words that address someone by name in chat: ``hey mike``, ``ping grace``, ``thanks kim``."""


def chat_names(lex: Lexicon, words: list[str], labels: list[str]) -> None:
    """Decoding rule for chat: a known first name right after a word that addresses someone
    (``hey mike``, ``ok mike thanks``) is a person, and so is a known first name joined by
    ``and`` to a person (``ping mike and grace``). Changes ``labels`` in place."""
    first = lex.gazetteers.get("fn", frozenset())
    n = len(words)
    for i in range(n - 1):
        j = i + 1
        low = words[j].lower()
        if labels[j] != "O" or low not in first or low in _EDGE_WORDS or lex.freq.get(low, 0) > 5:
            continue
        cue = words[i].lower()
        joined = (cue in ("and", "&") and i > 0 and labels[i - 1].endswith("-PER")) or (
            j + 2 < n and words[j + 1].lower() == "and" and labels[j + 2] == "B-PER"
        )
        if cue in CHAT_CUES or joined:
            labels[j] = "B-PER"
