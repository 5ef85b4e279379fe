"""Custom content classes without code: a YAML file of keywords, file globs, column-name hints,
example texts and the tags the class implies, listed under ``content: classes:`` in
``dataward.yaml`` (as custom detectors are under ``detect: detectors:``).

.. code-block:: yaml

    classes:
      - name: PROMPT_DATA                 # UPPER_SNAKE_CASE, not a built-in class
        description: our own prompt-log schema
        keywords: [system_prompt, user_turn, model_answer]
        globs: ["**/prompt-logs/*.jsonl", "*.prompts.json"]
        columns: [prompt_id, system_prompt, model_answer]
        examples: ["system_prompt: you are a support bot; user_turn: reset my password"]
        tags: [INTERNAL]                  # tags the class implies (dataset tags)
        min_confidence: 0.5               # reported from this confidence up

Each kind of evidence adds to the confidence: a glob matching the file's path (0.5), column
names among the hints (0.3, +0.1 for each further one), keywords in the text (up to 0.4, by the
share of keywords found), and the closest example by shared words (up to 0.4). The reasons say
which evidence matched, naming only the class's own keywords, globs and hints.
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from dataward.classify.content_model import CLASSES, Sample, name_words
from dataward.errors import ConfigError, yaml_problem

_WORD = re.compile(r"[a-z][a-z0-9_]+")


class _ClassSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str = Field(pattern=r"^[A-Z][A-Z0-9_]{1,60}$")
    description: str = ""
    keywords: list[str] = []
    globs: list[str] = []
    columns: list[str] = []
    examples: list[str] = []
    tags: list[str] = []
    min_confidence: float = Field(default=0.5, ge=0.0, le=1.0)


class _FileSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")
    classes: list[_ClassSpec] = Field(min_length=1)


@dataclass(frozen=True, slots=True)
class CustomClass:
    """One class from a YAML file, ready to match samples."""

    name: str
    description: str
    keywords: tuple[str, ...]
    globs: tuple[str, ...]
    columns: frozenset[str]
    examples: tuple[frozenset[str], ...]
    tags: tuple[str, ...]
    min_confidence: float
    source: str

    def match(self, sample: Sample, path: str = "") -> tuple[float, list[str]]:
        """Confidence in [0, 0.99] and the reasons; 0 when no evidence matched."""
        score = 0.0
        reasons: list[str] = []
        target = (path or sample.name).replace("\\", "/")
        base = target.rsplit("/", 1)[-1]
        for g in self.globs:
            if (
                fnmatch.fnmatch(target, g)
                or fnmatch.fnmatch(base, g)
                or (g.startswith("**/") and fnmatch.fnmatch(target, "*/" + g[3:]))
            ):
                score += 0.5
                reasons.append(f"path matches {g}")
                break
        cols = {c.lower() for c in sample.columns} | {
            "_".join(name_words(c)) for c in sample.columns
        }
        hits = sorted(self.columns & cols)
        if hits:
            score += 0.3 + 0.1 * (len(hits) - 1)
            reasons.append("column names " + ", ".join(hits[:5]))
        lower = sample.text.lower()
        if self.keywords:
            found = [k for k in self.keywords if k in lower]
            if found:
                score += 0.4 * len(found) / len(self.keywords)
                reasons.append("keywords " + ", ".join(found[:6]))
        if self.examples:
            words = frozenset(_WORD.findall(lower[:20_000]))
            best = max(
                (len(words & ex) / len(ex) if ex else 0.0 for ex in self.examples), default=0.0
            )
            if best >= 0.3:
                score += 0.4 * best
                reasons.append(f"{best:.0%} of an example's words")
        return min(score, 0.99), reasons


def load_classes(path: Path) -> list[CustomClass]:
    """The classes of one YAML file; any problem is a :class:`ConfigError` naming the file."""
    from dataward.taxonomy import DATASET_TAGS, did_you_mean

    try:
        raw: Any = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError(
            f"cannot read content class file {path}: {exc.strerror}", path=str(path)
        ) from None
    except yaml.YAMLError as exc:
        raise ConfigError(
            f"content class file {path} is not valid YAML: {yaml_problem(exc)}", path=str(path)
        ) from None
    try:
        spec = _FileSpec.model_validate(raw)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors()
        )
        raise ConfigError(f"content class file {path}: {problems}", path=str(path)) from None
    out: list[CustomClass] = []
    seen: set[str] = set()
    for c in spec.classes:
        if c.name in CLASSES or c.name in seen:
            raise ConfigError(
                f"content class file {path}: class {c.name!r} is already defined "
                "(built-in classes cannot be replaced)",
                path=str(path),
            )
        seen.add(c.name)
        for tag in c.tags:
            if tag not in DATASET_TAGS:
                raise ConfigError(
                    f"content class file {path}: class {c.name}: unknown tag {tag!r}."
                    f"{did_you_mean(tag, DATASET_TAGS)} Dataset tags: {', '.join(DATASET_TAGS)}",
                    path=str(path),
                )
        if not (c.keywords or c.globs or c.columns or c.examples):
            raise ConfigError(
                f"content class file {path}: class {c.name} has no keywords, globs, columns "
                "or examples to match",
                path=str(path),
            )
        out.append(
            CustomClass(
                name=c.name,
                description=c.description,
                keywords=tuple(k.lower() for k in c.keywords),
                globs=tuple(c.globs),
                columns=frozenset(c.lower() for c in c.columns),
                examples=tuple(frozenset(_WORD.findall(e.lower())) for e in c.examples),
                tags=tuple(dict.fromkeys(c.tags)),
                min_confidence=c.min_confidence,
                source=str(path),
            )
        )
    return out


@lru_cache(maxsize=8)
def load_many(keyed: tuple[tuple[Path, float], ...]) -> tuple[CustomClass, ...]:
    """Classes of several files, keyed by (path, mtime) so an edited file is read again."""
    out: list[CustomClass] = []
    for path, _mtime in keyed:
        got = load_classes(path)
        clash = {c.name for c in got} & {c.name for c in out}
        if clash:
            raise ConfigError(
                f"content class file {path}: {sorted(clash)} defined in another file too",
                path=str(path),
            )
        out.extend(got)
    return tuple(out)


def keyed(paths: Sequence[Path]) -> tuple[tuple[Path, float], ...]:
    return tuple((p, p.stat().st_mtime if p.exists() else 0.0) for p in paths)
