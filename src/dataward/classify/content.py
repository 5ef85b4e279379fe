"""Content classes: what a dataset *is* (source code, a contract, a prompt log...), beside which
identifiers it holds.

A scan gives each dataset and each text column a list of content classes, each with a
confidence and the reasons (``"42 function definitions", "12 imports", "a license header"``),
from three places, best first:

- the content model (:mod:`dataward.classify.content_model`), offline and fast;
- custom classes from YAML (:mod:`dataward.classify.content_custom`), listed in
  ``dataward.yaml`` under ``content: classes:``;
- an optional LLM review (:mod:`dataward.classify.content_llm`) of low-confidence datasets,
  off unless ``content: llm:`` names an endpoint.

Classes imply sensitivity tags (:data:`~dataward.classify.content_model.CLASSES`): source code
``INTELLECTUAL_PROPERTY`` and ``CONFIDENTIAL``; contracts, financial, HR and medical records
``CONFIDENTIAL``; chats, prompt logs, model outputs and system logs ``INTERNAL``; marketing text
``PUBLIC``. A dataset is tagged ``PUBLIC`` only when no identifier was found and no class of
confidence :attr:`ContentConfig.imply` or more implies another tag (``OTHER``, records no class
fits, implies none).

>>> from dataward.classify.content import classify_text
>>> [c.name for c in classify_text("def f(x):\\n    return x\\n", name="util.py")][:1]
['SOURCE_CODE']
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pyarrow as pa
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from dataward.classify.content_custom import CustomClass, keyed, load_many
from dataward.classify.content_llm import LlmSettings
from dataward.classify.content_model import (
    CLASSES,
    MAX_TEXT,
    ContentClass,
    Sample,
    bundled_model,
    features,
    reasons,
    structure,
    top,
)
from dataward.errors import ConfigError

if TYPE_CHECKING:
    from dataward.classify.dataset import Tag
    from dataward.detect.engine import Engine

COLUMN_TEXT = 8_000
"""Characters of one column a column's classes are computed from."""
COLUMN_MIN_CHARS = 200
"""A column with less text than this (ids, codes, numbers) gets no content class."""


class ContentSettings(BaseModel):
    """The ``content:`` section of ``dataward.yaml``."""

    model_config = ConfigDict(extra="forbid")
    classes: list[Path] = []
    """Custom class files (YAML), relative to ``dataward.yaml``'s folder."""
    imply: float = Field(default=0.5, ge=0.0, le=1.0)
    """A class implies its tags from this confidence up."""
    llm: LlmSettings | None = None


@dataclass(frozen=True, slots=True)
class ContentConfig:
    """The content settings in use: custom classes loaded, LLM review settings."""

    custom: tuple[CustomClass, ...] = ()
    imply: float = 0.5
    llm: LlmSettings | None = None


def content_config() -> ContentConfig:
    """The configuration of the runtime in use (``content:`` in ``dataward.yaml``); a bad file or
    key is a :class:`ConfigError` naming it."""
    from dataward.settings import get_settings

    settings = get_settings()
    raw = settings.content
    if not raw:
        return ContentConfig()
    try:
        parsed = ContentSettings.model_validate(raw)
    except ValidationError as exc:
        problems = "; ".join(
            f"content.{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors()
        )
        raise ConfigError(f"dataward.yaml: {problems}") from None
    base = settings.config_file.parent if settings.config_file is not None else Path.cwd()
    paths = [p if p.is_absolute() else base / p for p in parsed.classes]
    return ContentConfig(load_many(keyed(paths)), parsed.imply, parsed.llm)


@dataclass(frozen=True, slots=True)
class ContentResult:
    """The content classes of one dataset and of its text columns."""

    classes: tuple[ContentClass, ...]
    columns: Mapping[str, tuple[ContentClass, ...]] = field(default_factory=dict)
    review: Mapping[str, Any] | None = None
    """The LLM review, when one ran: ``{"class", "reason", "model"}`` or ``{"error"}``."""
    imply: float = 0.5
    """The confidence from which a class implies its tags."""

    @property
    def best(self) -> ContentClass | None:
        return self.classes[0] if self.classes else None

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"content_classes": [c.to_dict() for c in self.classes]}
        if self.review is not None:
            out["content_review"] = dict(self.review)
        return out


def classify_sample(
    sample: Sample,
    *,
    path: str = "",
    entities: Mapping[str, int] | None = None,
    config: ContentConfig | None = None,
) -> tuple[ContentClass, ...]:
    """Content classes of one sample, best first: the model's top classes and every custom
    class that reached its ``min_confidence``."""
    config = config if config is not None else ContentConfig()
    shape = structure(sample.text)
    probs = bundled_model().probabilities(features(sample, shape))
    found = [
        ContentClass(
            n, round(p, 4), tuple(reasons(n, sample, entities or {}, shape)), "model", CLASSES[n]
        )
        for n, p in top(probs)
    ]
    for c in config.custom:
        score, why = c.match(sample, path)
        if score >= c.min_confidence and score > 0:
            found.append(ContentClass(c.name, round(score, 4), tuple(why), "custom", c.tags))
    found.sort(key=lambda c: -c.confidence)
    return tuple(found)


def classify_text(
    text: str, *, name: str = "", fmt: str = "text", config: ContentConfig | None = None
) -> tuple[ContentClass, ...]:
    """Content classes of a text (a document, a record's text), best first."""
    sample = Sample(name=name, fmt=fmt, columns=(), text=text[:MAX_TEXT])
    return classify_sample(sample, config=config)


def classify_record(
    record: Mapping[str, Any], *, config: ContentConfig | None = None
) -> tuple[ContentClass, ...]:
    """Content classes of one record (a dict): its keys are its columns, its string values its
    text (``{"prompt": ..., "completion": ...}`` reads as a prompt log)."""
    cols = tuple(str(k) for k in record)
    text = "\n".join(
        v if isinstance(v, str) else json.dumps(v, default=str) for v in record.values()
    )
    sample = Sample(name="", fmt="json", columns=cols, text=text[:MAX_TEXT])
    return classify_sample(sample, config=config)


# -- sampling a dataset while it is scanned -----------------------------------------------------


def _is_text(t: pa.DataType) -> bool:
    if pa.types.is_dictionary(t):
        return _is_text(t.value_type)
    return bool(pa.types.is_string(t) or pa.types.is_large_string(t))


class ContentSampler:
    """Keeps the head of a dataset's text while its batches go by (bounded: :data:`MAX_TEXT`
    characters for the dataset, :data:`COLUMN_TEXT` per column); the scan reads each file once."""

    def __init__(self) -> None:
        self.columns: dict[str, list[str]] = {}
        self._chars: dict[str, int] = {}
        self._lines: list[str] = []
        self._line_chars = 0
        self._shape_lines: bool | None = None

    def add(self, batch: pa.RecordBatch | pa.Table, names: Sequence[str]) -> None:
        if self._shape_lines is None:
            self._shape_lines = list(batch.schema.names) == ["line", "text"]
        for i, name in enumerate(names):
            self.columns.setdefault(name, [])
            have = self._chars.get(name, 0)
            limit = MAX_TEXT if self._shape_lines else COLUMN_TEXT
            if have >= limit:
                continue
            col = batch.column(i)
            if not _is_text(col.type):
                self._chars[name] = limit  # no text: nothing to keep
                continue
            kept = self.columns[name]
            for v in col.slice(0, 2_000).to_pylist():
                if v is None or not v.strip():
                    if self._shape_lines:
                        kept.append("")
                    continue
                kept.append(v)
                have += len(v) + 1
                if have >= limit:
                    break
            self._chars[name] = have

    @property
    def lines_shaped(self) -> bool:
        return bool(self._shape_lines)

    def full(self) -> bool:
        """Whether every column has its text (later batches add nothing)."""
        limit = MAX_TEXT if self._shape_lines else COLUMN_TEXT
        return bool(self._chars) and all(v >= limit for v in self._chars.values())

    def sample(self, name: str, fmt: str) -> Sample:
        """The dataset's sample: a text file's lines in order; a table's columns one after the
        other."""
        cols = tuple(self.columns)
        parts: list[str] = []
        size = 0
        for values in self.columns.values():
            block = "\n".join(values)
            parts.append(block)
            size += len(block)
            if size >= MAX_TEXT:
                break
        return Sample(name=name, fmt=fmt, columns=cols, text="\n".join(parts)[:MAX_TEXT])

    def column_samples(self, fmt: str) -> dict[str, Sample]:
        """Samples of the columns holding enough text for a class of their own (a table's text
        columns; a text file's one text column is the dataset itself)."""
        if self._shape_lines:
            return {}
        out = {}
        for name, values in self.columns.items():
            text = "\n".join(values)
            if len(text) >= COLUMN_MIN_CHARS:
                out[name] = Sample(name=name, fmt=fmt, columns=(name,), text=text[:COLUMN_TEXT])
        return out


def sample_file(path: str | Path) -> tuple[ContentSampler, str]:
    """Read a file the way a scan does (its format's reader, its first batches) into a sampler;
    returns it and the format. For the training script, the benchmark and tests."""
    from dataward.errors import SourceError
    from dataward.sources import open_source

    try:
        return _read(open_source(path))
    except SourceError:  # an INI file whose first line is "[section]" sniffed as JSON
        return _read(open_source(path, format="text"))


def _read(source: Any) -> tuple[ContentSampler, str]:
    sampler = ContentSampler()
    for batch in source.batches():
        sampler.add(batch, batch.schema.names)
        if sampler.full():
            break
    return sampler, str(source.format)


def classify_dataset(
    sampler: ContentSampler,
    *,
    path: str,
    fmt: str,
    entities: Mapping[str, int] | None = None,
    config: ContentConfig | None = None,
    engine: Engine | None = None,
) -> ContentResult:
    """Content classes of a scanned dataset and of its text columns; with ``content: llm:``
    set and an ``engine`` to mask with, an uncertain dataset is reviewed by the LLM."""
    config = config if config is not None else content_config()
    sample = sampler.sample(path.rsplit("/", 1)[-1], fmt)
    classes = classify_sample(sample, path=path, entities=entities, config=config)
    columns = {
        name: classify_sample(s, entities=entities, config=config)
        for name, s in sampler.column_samples(fmt).items()
    }
    if sampler.lines_shaped and "text" in sampler.columns:
        columns["text"] = classes  # a text file's one text column is the document
    review: dict[str, Any] | None = None
    llm = config.llm
    due = llm is not None and (llm.below >= 1.0 or classes[0].confidence < llm.below)
    if llm is not None and engine is not None and classes and due:
        from dataward.classify.content_llm import review as ask

        implied = dict(CLASSES) | {c.name: c.tags for c in config.custom}
        answer, review = ask(
            llm, sample, path=path, engine=engine, guesses=classes[:3], implied=implied
        )
        if answer is not None:
            classes = (answer, *(c for c in classes if c.name != answer.name))
    return ContentResult(classes, columns, review, config.imply)


# -- tags --------------------------------------------------------------------------------------


def content_tags(
    tags: Sequence[Tag],
    classes: Iterable[ContentClass],
    imply: float = 0.5,
    unresolved: str = "",
) -> tuple[Tag, ...]:
    """``tags`` (from identifiers) with the tags the content classes imply. ``PUBLIC`` stays
    only when no identifier tag is there and no class of confidence ``imply`` or more implies
    a tag other than ``PUBLIC``; then its reason names the class. ``unresolved`` (why an LLM
    review that was due gave no answer), or a best class under ``imply``, makes such a dataset
    ``INTERNAL``: it is not called public on a guess."""
    from dataward.classify.dataset import TAG_ORDER, Tag

    classes = tuple(classes)
    found: dict[str, tuple[float, list[str]]] = {
        t.name: (t.confidence, list(t.reasons)) for t in tags if t.name != "PUBLIC"
    }
    public_why: list[str] = []
    for c in classes:
        if c.confidence < imply:
            continue
        why = f"content {c.name} ({c.confidence:.0%}): {'; '.join(c.reasons[:3])}"
        for tag in c.tags:
            if tag == "PUBLIC":
                public_why.append(why)
                continue
            conf, reasons_ = found.get(tag, (0.0, []))
            reasons_.append(why)
            found[tag] = (max(conf, c.confidence), reasons_)
    if not found and unresolved:
        found["INTERNAL"] = (1.0, [f"content uncertain and not reviewed: {unresolved}"])
    best = next(iter(classes), None)
    if not found and best is not None and best.confidence < imply:
        # no class is sure enough to call the content public: not public on a guess
        found["INTERNAL"] = (1.0, [f"content uncertain: {best.name} ({best.confidence:.0%})"])
    if not found:
        base = next((t for t in tags if t.name == "PUBLIC"), None)
        held = list(base.reasons) if base is not None else ["no sensitive value found"]
        if not public_why and best is not None:
            public_why.append(f"content {best.name} ({best.confidence:.0%}) implies no tag")
        return (Tag("PUBLIC", 1.0, tuple(held + public_why)),)
    return tuple(Tag(n, round(found[n][0], 4), tuple(found[n][1])) for n in TAG_ORDER if n in found)


def summarize(results: Iterable[ContentResult | None]) -> str:
    """``"2 files are contracts; 1 file is source code"``, or ``""``: the datasets whose best
    class is one of the confidential or internal classes, counted by class."""
    counts: dict[str, int] = {}
    for r in results:
        best = r.best if r is not None else None
        if best is not None and best.name not in ("OTHER", "MARKETING_PUBLIC"):
            counts[best.name] = counts.get(best.name, 0) + 1
    parts = []
    for name, k in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])):
        one, many = _WORDS.get(name, (name.lower().replace("_", " "),) * 2)
        parts.append(f"1 file is {one}" if k == 1 else f"{k:,} files are {many}")
    return "; ".join(parts)


_WORDS: Mapping[str, tuple[str, str]] = {
    "SOURCE_CODE": ("source code", "source code"),
    "CREDENTIALS_CONFIG": ("a credentials config", "credentials configs"),
    "CONTRACT_LEGAL": ("a contract", "contracts"),
    "FINANCIAL_REPORT": ("a financial report", "financial reports"),
    "HR_RECORD": ("HR records", "HR records"),
    "MEDICAL_RECORD": ("medical records", "medical records"),
    "CHAT_TRANSCRIPT": ("a chat transcript", "chat transcripts"),
    "PROMPT_COMPLETION_LOG": ("a prompt log", "prompt logs"),
    "MODEL_OUTPUT": ("model output", "model outputs"),
    "SYSTEM_LOG": ("a system log", "system logs"),
}
