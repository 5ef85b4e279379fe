"""The content model: cheap features of a document and a calibrated linear classifier over them.

A document (a file, a column, a record) becomes a :class:`Sample`: its name, its format, its
column names and up to :data:`MAX_TEXT` characters of its text. :func:`features` turns it into
a sparse vector: the extension and format, words of the name and of the column names, the
text's words (log counts, L2-normalised) and a few structural shares (indented lines, lines
ending in ``;``/``{``, timestamped lines, ``key=value`` lines, speaker turns). The model is a
multinomial logistic regression trained by ``scripts/train_content.py`` on
:mod:`dataward.classify.content_corpus` and calibrated by temperature scaling on a second,
separately seeded set; its weights ship as JSON (``data/content_model.json``) and are scored in
plain Python (no numpy, no scikit-learn at run time).

Features are computed with string methods and one linear-time tokenising regular expression
(no nested quantifiers), so an adversarial file cannot make the model slow.
"""

from __future__ import annotations

import json
import math
import re
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib.resources import files
from typing import Any

CLASSES: Mapping[str, tuple[str, ...]] = {
    "SOURCE_CODE": ("INTELLECTUAL_PROPERTY", "CONFIDENTIAL"),
    "CREDENTIALS_CONFIG": ("CONFIDENTIAL",),
    "CONTRACT_LEGAL": ("CONFIDENTIAL",),
    "FINANCIAL_REPORT": ("CONFIDENTIAL",),
    "HR_RECORD": ("CONFIDENTIAL",),
    "MEDICAL_RECORD": ("CONFIDENTIAL",),
    "CHAT_TRANSCRIPT": ("INTERNAL",),
    "PROMPT_COMPLETION_LOG": ("INTERNAL",),
    "MODEL_OUTPUT": ("INTERNAL",),
    "SYSTEM_LOG": ("INTERNAL",),
    "MARKETING_PUBLIC": ("PUBLIC",),
    "OTHER": (),
}
"""Each built-in content class and the sensitivity tags it implies. ``OTHER`` (records none of
the classes fits: reference tables, lists) implies none: such a dataset is ``PUBLIC`` when no
identifier is found, as before content classes."""

CLASS_NAMES: tuple[str, ...] = tuple(CLASSES)
CONTENT_TAGS = ("INTELLECTUAL_PROPERTY", "CONFIDENTIAL", "INTERNAL", "PUBLIC")

MAX_TEXT = 32_000
"""Characters of a document the features look at (the head: enough for every class here)."""
MAX_LINES = 400

_TOKEN = re.compile(r"[a-z][a-z0-9]+")
"""Words: a letter then letters or digits; one character class each, linear time."""
_NAME_SPLIT = re.compile(r"[^a-z0-9]+")
_CODE_EXT = frozenset(
    {
        ".py",
        ".js",
        ".ts",
        ".tsx",
        ".jsx",
        ".go",
        ".java",
        ".kt",
        ".rs",
        ".c",
        ".h",
        ".cc",
        ".cpp",
        ".hpp",
        ".cs",
        ".rb",
        ".php",
        ".swift",
        ".scala",
        ".sql",
        ".sh",
        ".bash",
        ".ps1",
        ".r",
        ".m",
        ".lua",
        ".pl",
        ".ipynb",
    }
)


@dataclass(frozen=True, slots=True)
class Sample:
    """What the model sees of one document; never stored or shown (it holds data)."""

    name: str
    fmt: str
    columns: tuple[str, ...]
    text: str

    @property
    def ext(self) -> str:
        base = self.name.rsplit("/", 1)[-1].lower()
        if base.startswith(".env") or base.endswith(".env"):
            return ".env"
        return "." + base.rsplit(".", 1)[-1] if "." in base.strip(".") else ""


def name_words(name: str) -> list[str]:
    """Lower-case words of a file or column name (``hire_date`` → ``hire``, ``date``)."""
    stem = name.rsplit("/", 1)[-1].lower()
    return [w for w in _NAME_SPLIT.split(stem) if len(w) > 1 and not w.isdigit()]


@dataclass(frozen=True, slots=True)
class Structure:
    """Shares of the text's lines with a shape (each in [0, 1]); also feeds the reasons."""

    lines: int
    indented: float
    code_end: float
    keyvalue: float
    timestamped: float
    speaker: float
    numbered: float
    digits: float
    upper: float
    mean_len: float


_NO_DIGITS = str.maketrans("", "", "0123456789")
_NO_UPPER = str.maketrans("", "", "ABCDEFGHIJKLMNOPQRSTUVWXYZ")


def structure(text: str) -> Structure:
    lines = [ln for ln in text.split("\n", MAX_LINES)[:MAX_LINES] if ln.strip()]
    n = len(lines) or 1
    indented = code_end = keyvalue = stamped = speaker = numbered = 0
    for ln in lines:
        if ln[:1] in (" ", "\t"):
            indented += 1
        last = ln.rstrip()[-1:]
        if last in (";", "{", "}", ")", ":", ","):
            code_end += 1
        head = ln.lstrip()
        eq = head.find("=")
        colon = head.find(": ")
        cut = eq if eq > 0 else colon
        if 0 < cut <= 40 and " " not in head[:cut].strip():
            keyvalue += 1
        if (
            (head[:4].isdigit() and head[4:5] in ("-", "/"))
            or (head[:1] == "[" and head[1:3].isdigit())
            or (head[:3] in _MONTHS and head[3:4] == " ")
        ):
            stamped += 1
        who = head[:colon] if 0 < colon <= 30 else ""
        if who.startswith("["):
            who = who.partition("] ")[2]
        if who[:1].isupper() and len(who.split()) <= 2 and who.replace(" ", "").isalpha():
            speaker += 1
        section = head[:8].lower() == "section "
        if (head[:1].isdigit() and head[1:3] in (". ", ") ")) or section:
            numbered += 1
    sample = text[:4000]
    size = len(sample) or 1
    return Structure(
        lines=len(lines),
        indented=indented / n,
        code_end=code_end / n,
        keyvalue=keyvalue / n,
        timestamped=stamped / n,
        speaker=speaker / n,
        numbered=numbered / n,
        digits=(len(sample) - len(sample.translate(_NO_DIGITS))) / size,
        upper=(len(sample) - len(sample.translate(_NO_UPPER))) / size,
        mean_len=sum(len(ln) for ln in lines) / n,
    )


_MONTHS = frozenset(
    {"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"}
)
_PUNCT = ("{", "}", ";", "(", "=", "#", "//", "=>", "->", "::", "$", "%", "@", "[", "<", '":')


def features(sample: Sample, shape: Structure | None = None) -> dict[str, float]:
    """The sparse feature vector of ``sample`` (names are stable across versions); ``shape``:
    its :func:`structure`, when the caller has it already."""
    text = sample.text[:MAX_TEXT]
    out: dict[str, float] = {"bias:1": 1.0}
    ext = sample.ext
    if ext:
        out["x:" + ext] = 1.0
        if ext in _CODE_EXT:
            out["x:code"] = 1.0
    out["f:" + sample.fmt] = 1.0
    for w in name_words(sample.name):
        out["n:" + w] = 1.0
    cols = [c for c in sample.columns if c not in ("line", "text")]
    for col in cols[:200]:
        for w in name_words(col):
            out["c:" + w] = 1.0
    if cols:
        out["s:columns"] = min(len(cols), 30) / 30
    lower = text.lower()
    counts = Counter(_TOKEN.findall(lower))
    if counts:
        words = {w: 1.0 + math.log(c) for w, c in counts.items()}
        norm = math.sqrt(sum(v * v for v in words.values()))
        for w, v in words.items():
            out["w:" + w] = v / norm
    size = len(text) or 1
    for p in _PUNCT:
        k = text.count(p)
        if k:
            out["p:" + p] = min(1.0, 20.0 * k / size)
    s = shape if shape is not None else structure(text)
    out["s:indented"] = s.indented
    out["s:code_end"] = s.code_end
    out["s:keyvalue"] = s.keyvalue
    out["s:timestamped"] = s.timestamped
    out["s:speaker"] = s.speaker
    out["s:numbered"] = s.numbered
    out["s:digits"] = s.digits
    out["s:upper"] = s.upper
    out["s:mean_len"] = min(s.mean_len, 200) / 200
    out["s:lines"] = min(s.lines, 200) / 200
    out["s:short"] = 1.0 if size < 200 else 0.0
    return out


class Model:
    """Weights per feature (one per class), biases and a temperature; scores in pure Python."""

    def __init__(self, data: Mapping[str, Any]) -> None:
        self.classes: tuple[str, ...] = tuple(data["classes"])
        self.temperature = float(data.get("temperature", 1.0))
        self.weights: dict[str, tuple[float, ...]] = {
            k: tuple(v) for k, v in data["weights"].items()
        }
        self.version = str(data.get("version", ""))
        self.metrics: dict[str, Any] = dict(data.get("metrics", {}))

    def probabilities(self, feats: Mapping[str, float]) -> dict[str, float]:
        """Calibrated class probabilities (they sum to 1)."""
        logits = [0.0] * len(self.classes)
        weights = self.weights
        for name, value in feats.items():
            w = weights.get(name)
            if w is not None:
                logits = [a + value * b for a, b in zip(logits, w, strict=True)]
        t = self.temperature
        top = max(logits)
        exps = [math.exp((x - top) / t) for x in logits]
        total = sum(exps)
        return {c: e / total for c, e in zip(self.classes, exps, strict=True)}

    def to_dict(self, digits: int = 4) -> dict[str, Any]:
        return {
            "version": self.version,
            "classes": list(self.classes),
            "temperature": round(self.temperature, 4),
            "metrics": self.metrics,
            "weights": {k: [round(x, digits) for x in v] for k, v in sorted(self.weights.items())},
        }


@dataclass(frozen=True, slots=True)
class ContentClass:
    """One content class of a dataset, column or record."""

    name: str
    confidence: float
    reasons: tuple[str, ...]
    source: str = "model"
    """``model``, ``custom`` (a YAML class) or ``llm`` (the review's answer)."""
    tags: tuple[str, ...] = ()
    """The sensitivity tags the class implies."""

    def to_dict(self) -> dict[str, Any]:
        return {
            "class": self.name,
            "confidence": round(self.confidence, 4),
            "reasons": list(self.reasons),
            "source": self.source,
            "tags": list(self.tags),
        }

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> ContentClass:
        return cls(
            str(d["class"]),
            float(d["confidence"]),
            tuple(d.get("reasons", ())),
            str(d.get("source", "model")),
            tuple(d.get("tags", ())),
        )


MODEL_FILE = "content_model.json"


@lru_cache(maxsize=1)
def bundled_model() -> Model:
    """The model shipped in ``dataward/classify/data`` (read once per process: package data
    never changes while it runs)."""
    from dataward.errors import ConfigError

    try:
        text = files("dataward.classify").joinpath("data", MODEL_FILE).read_text("utf-8")
        return Model(json.loads(text))
    except (OSError, ValueError, KeyError) as exc:
        raise ConfigError(
            f"the content model {MODEL_FILE} cannot be read ({type(exc).__name__}); reinstall "
            "dataward or rebuild it with scripts/train_content.py"
        ) from None


# -- reasons -----------------------------------------------------------------------------------

_DEF_HEADS = (
    "def ",
    "async def ",
    "function ",
    "export function ",
    "export async function ",
    "func ",
    "fn ",
    "pub fn ",
    "public ",
    "private ",
    "protected ",
    "static ",
)
_IMPORT_HEADS = ("import ", "from ", "#include", "package ", "using ", "require ", "use ")
TERMS: Mapping[str, tuple[str, ...]] = {
    "CONTRACT_LEGAL": (
        "agreement",
        "parties",
        "hereof",
        "whereas",
        "indemnif",
        "governing law",
        "terminat",
        "liabilit",
        "warrant",
        "in witness whereof",
        "confidential",
    ),
    "FINANCIAL_REPORT": (
        "revenue",
        "ebitda",
        "net income",
        "balance",
        "debit",
        "credit",
        "cash flow",
        "fiscal",
        "quarter",
        "dividend",
        "assets",
        "liabilities",
        "margin",
        "variance",
        "budget",
    ),
    "HR_RECORD": (
        "employee",
        "salary",
        "hire",
        "department",
        "performance",
        "payroll",
        "manager",
        "leave",
        "promot",
        "offer",
        "onboarding",
        "headcount",
    ),
    "MEDICAL_RECORD": (
        "patient",
        "diagnosis",
        "medication",
        " mg",
        "mrn",
        "icd",
        "blood pressure",
        "allerg",
        "encounter",
        "discharge",
        "clinic",
        "bpm",
    ),
    "PROMPT_COMPLETION_LOG": (
        "prompt",
        "completion",
        "messages",
        "role",
        "assistant",
        "tokens",
        "model",
        "temperature",
        "response",
    ),
    "MODEL_OUTPUT": (
        "here is",
        "here's",
        "i hope this helps",
        "as an ai",
        "in summary",
        "generated",
        "prediction",
        "score",
        "certainly",
        "finish_reason",
    ),
    "MARKETING_PUBLIC": (
        "sign up",
        "learn more",
        "free",
        "subscribe",
        "customers",
        "announce",
        "©",
        "all rights reserved",
        "newsletter",
        "offer",
        "discover",
    ),
    "CREDENTIALS_CONFIG": (
        "password",
        "secret",
        "token",
        "api_key",
        "apikey",
        "client_secret",
        "private_key",
        "credentials",
    ),
    "CHAT_TRANSCRIPT": ("thanks", "channel", "user", "lol", "ok", "meeting"),
    "SYSTEM_LOG": ("info", "warn", "error", "debug", "http/1.1", "timeout", "started"),
}
"""Fixed words whose presence a reason names (never a word taken from the data)."""


def reasons(
    label: str,
    sample: Sample,
    entities: Mapping[str, int] = {},
    shape: Structure | None = None,
) -> list[str]:
    """Why ``sample`` reads as ``label``, in words: counts and fixed terms, never a value."""
    text = sample.text[:MAX_TEXT]
    lines = text.split("\n", MAX_LINES)[:MAX_LINES]
    out: list[str] = []
    ext = sample.ext
    if label == "SOURCE_CODE":
        defs = sum(1 for ln in lines if ln.lstrip().startswith(_DEF_HEADS))
        classes = sum(1 for ln in lines if ln.lstrip().startswith(("class ", "public class ")))
        imports = sum(1 for ln in lines if ln.lstrip().startswith(_IMPORT_HEADS))
        if defs:
            out.append(_n(defs, "function definition"))
        if classes:
            out.append(_n(classes, "class definition"))
        if imports:
            out.append(_n(imports, "import"))
        head = "\n".join(lines[:15]).lower()
        if "copyright" in head or "license" in head or "(c)" in head:
            out.append("a license header")
    elif label == "SYSTEM_LOG":
        s = shape or structure(text)
        stamped = round(s.timestamped * s.lines)
        if stamped:
            out.append(_n(stamped, "timestamped line"))
        levels = [lv for lv in ("DEBUG", "INFO", "WARN", "ERROR") if lv in text]
        if levels:
            out.append("log levels " + ", ".join(levels))
    elif label == "CHAT_TRANSCRIPT":
        s = shape or structure(text)
        turns = round(s.speaker * s.lines)
        if turns:
            out.append(_n(turns, "speaker turn"))
    elif label == "CREDENTIALS_CONFIG":
        s = shape or structure(text)
        kv = round(s.keyvalue * s.lines)
        if kv:
            out.append(_n(kv, "key-value setting"))
    elif label == "CONTRACT_LEGAL":
        s = shape or structure(text)
        clauses = round(s.numbered * s.lines)
        if clauses:
            out.append(_n(clauses, "numbered clause"))
    terms = TERMS.get(label, ())
    if terms:
        lower = text.lower()
        found = [t.strip() for t in terms if t in lower]
        if found:
            out.append("terms: " + ", ".join(found[:6]))
    hints = [c for c in sample.columns if c not in ("line", "text")]
    hinted = [t for t in terms if any(t.strip() in c.lower() for c in hints)]
    if hinted:
        out.append("column names: " + ", ".join(t.strip() for t in hinted[:5]))
    config_ext = (".env", ".ini", ".cfg", ".properties")
    if (label == "SOURCE_CODE" and ext in _CODE_EXT) or (
        label == "CREDENTIALS_CONFIG" and ext in config_ext
    ):
        out.append(f"a {ext} file")
    secret = sum(v for k, v in entities.items() if k in _SECRET_ENTITIES)
    if label == "CREDENTIALS_CONFIG" and secret:
        out.append(
            _n(secret, "credential found by the detectors", "credentials found by the detectors")
        )
    return out or ["the model's vocabulary and layout features"]


_SECRET_ENTITIES = frozenset(
    {"PASSWORD", "API_KEY", "GENERIC_SECRET", "AWS_ACCESS_KEY", "PRIVATE_KEY"}
)


def _n(k: int, one: str, many: str | None = None) -> str:
    return f"{k:,} {one if k == 1 else (many or one + 's')}"


def top(probs: Mapping[str, float], k: int = 2, floor: float = 0.15) -> list[tuple[str, float]]:
    """The ``k`` likeliest classes above ``floor`` (the first always), best first."""
    ranked = sorted(probs.items(), key=lambda kv: -kv[1])
    return [ranked[0]] + [kv for kv in ranked[1:k] if kv[1] >= floor]


def check_classes(names: Sequence[str]) -> None:
    """Fail on a class name that is not upper-case snake (custom classes must look like ours)."""
    from dataward.errors import ConfigError

    for n in names:
        if not re.fullmatch(r"[A-Z][A-Z0-9_]{1,60}", n):
            raise ConfigError(f"content class {n!r}: use UPPER_SNAKE_CASE", content_class=n)
