"""Reading Cedar policy files: statements with their lines, stable ids, validation, revisions.

Cedar's parser reports no line numbers, so each file is split into statements here (a ``;`` outside
strings, comments and brackets ends one) and each statement is parsed on its own when the file as a
whole does not parse. Every policy gets a stable id: its ``@id`` annotation, else
``<file stem>.policy<N>``; ids must be unique across the active set.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from importlib.resources import files
from pathlib import Path
from typing import Any

import cedarpy

from dataward.errors import PolicyError

SCHEMA_FILE = "dataward.cedarschema"
PACKS: dict[str, str] = {
    "baseline": "baseline.cedar",
    "gdpr": "gdpr.cedar",
    "hipaa": "hipaa.cedar",
    "pci": "pci.cedar",
    "eu-ai-act": "eu_ai_act.cedar",
    "secrets": "secrets.cedar",
    "dev-prod": "dev_prod.cedar",
}
"""Built-in policy packs, by the name users enable them with."""


@dataclass(frozen=True, slots=True)
class Statement:
    text: str
    line: int
    """1-based line of the statement's first token."""


@dataclass(frozen=True, slots=True)
class PolicyInfo:
    """One policy of the active set and where it came from."""

    id: str
    effect: str
    """``permit`` or ``forbid``."""
    source: str
    line: int
    annotations: dict[str, str]
    est: dict[str, Any] = field(repr=False, compare=False)

    @property
    def reason(self) -> str:
        return self.annotations.get("reason", "")


@dataclass(frozen=True, slots=True)
class PolicySource:
    """The text of one policy file (a built-in pack or a user file) and its display name."""

    name: str
    text: str


def split_statements(text: str) -> list[Statement]:
    """Split Cedar text at top-level ``;`` (not in strings, comments or brackets)."""
    out: list[Statement] = []
    start = 0
    first: int | None = None
    depth = 0
    line = 1
    first_line = 1
    i = 0
    n = len(text)
    while i < n:
        ch = text[i]
        if ch == "\n":
            line += 1
        elif ch == "/" and text.startswith("//", i):
            end = text.find("\n", i)
            i = n if end < 0 else end
            continue
        elif ch == '"':
            if first is None:
                first, first_line = i, line
            i += 1
            while i < n and text[i] != '"':
                if text[i] == "\\":
                    i += 1
                elif text[i] == "\n":
                    line += 1
                i += 1
        elif not ch.isspace():
            if first is None:
                first, first_line = i, line
            if ch in "([{":
                depth += 1
            elif ch in ")]}":
                depth -= 1
            elif ch == ";" and depth <= 0:
                out.append(Statement(text[start : i + 1], first_line))
                start, first, depth = i + 1, None, 0
        i += 1
    if first is not None:
        out.append(Statement(text[start:], first_line))
    return out


def _parse_error(source: str, text: str) -> PolicyError:
    """Find the first statement that does not parse and say where it is."""
    for stmt in split_statements(text):
        try:
            cedarpy.PolicySet.from_str(stmt.text)
        except ValueError as exc:
            return PolicyError(
                f"{source}:{stmt.line}: cannot parse policy: {exc}", path=source, line=stmt.line
            )
    return PolicyError(f"{source}: cannot parse policies", path=source, line=None)


def parse_source(src: PolicySource) -> list[PolicyInfo]:
    """The policies of one file, each with a stable id and its line."""
    try:
        est = json.loads(cedarpy.policies_to_json_str(src.text))
    except ValueError:
        raise _parse_error(src.name, src.text) from None
    if est.get("templates"):
        raise PolicyError(f"{src.name}: templates are not supported", path=src.name, line=None)
    stmts = [s for s in split_statements(src.text) if _is_policy(s.text)]
    stem = Path(src.name).stem
    out: list[PolicyInfo] = []
    for pos, (_key, body) in enumerate(
        sorted(est["staticPolicies"].items(), key=lambda kv: int(kv[0].removeprefix("policy")))
    ):
        annotations = {
            k: ("" if v is None else str(v)) for k, v in body.get("annotations", {}).items()
        }
        pid = annotations.get("id") or f"{stem}.policy{pos}"
        line = stmts[pos].line if pos < len(stmts) else 1
        out.append(PolicyInfo(pid, body["effect"], src.name, line, annotations, body))
    return out


def _is_policy(text: str) -> bool:
    body = "\n".join(ln.split("//", 1)[0] for ln in text.splitlines())
    return any(word in body for word in ("permit", "forbid"))


def read_sources(packs: Iterable[str] = (), paths: Iterable[Path] = ()) -> list[PolicySource]:
    """Built-in packs by name, then ``.cedar`` files (a folder means all its files, sorted)."""
    sources: list[PolicySource] = []
    root = files("dataward.policy").joinpath("packs")
    for name in packs:
        if name not in PACKS:
            from dataward.errors import UnknownNameError

            raise UnknownNameError("policy pack", name, PACKS)
        sources.append(PolicySource(f"pack:{name}", root.joinpath(PACKS[name]).read_text("utf-8")))
    for path in paths:
        path = Path(path)
        if path.is_dir():
            chosen = sorted(path.rglob("*.cedar"))
        elif path.is_file():
            chosen = [path]
        else:
            raise PolicyError(f"{path}: no such policy file or folder", path=str(path), line=None)
        for file in chosen:
            sources.append(PolicySource(str(file), file.read_text("utf-8")))
    return sources


@lru_cache(maxsize=1)
def schema_text() -> str:
    return files("dataward.policy").joinpath(SCHEMA_FILE).read_text("utf-8")


@lru_cache(maxsize=1)
def schema() -> cedarpy.Schema:
    return cedarpy.Schema.from_str(schema_text())


def validate(sources: Sequence[PolicySource]) -> list[PolicyInfo]:
    """Parse and type-check every source against the schema; the first problem raises
    :class:`PolicyError` with ``path`` and ``line``."""
    policies: list[PolicyInfo] = []
    seen: dict[str, PolicyInfo] = {}
    for src in sources:
        parsed = parse_source(src)
        result = cedarpy.validate_policies(src.text, schema())
        if not result.validation_passed:
            err = result.errors[0]
            pos = int(err.policy_id.removeprefix("policy")) if err.policy_id else 0
            info = parsed[pos] if pos < len(parsed) else None
            line = info.line if info else 1
            label = f" ({info.id})" if info else ""
            raise PolicyError(
                f"{src.name}:{line}: policy{label} does not match the schema: {err.error}",
                path=src.name,
                line=line,
            )
        for info in parsed:
            if info.id in seen:
                other = seen[info.id]
                raise PolicyError(
                    f"{src.name}:{info.line}: policy id {info.id!r} is already used at "
                    f"{other.source}:{other.line}",
                    path=src.name,
                    line=info.line,
                )
            seen[info.id] = info
            _check_annotations(info)
        policies.extend(parsed)
    return policies


def _check_annotations(info: PolicyInfo) -> None:
    from dataward.policy.obligations import parse_obligation

    lifts = "obligation" in info.annotations or "approval" in info.annotations
    if lifts and info.effect != "forbid":
        raise PolicyError(
            f"{info.source}:{info.line}: @obligation/@approval belong on forbid policies "
            f"({info.id} is a permit)",
            path=info.source,
            line=info.line,
        )
    if "obligation" in info.annotations:
        try:
            parse_obligation(info.annotations["obligation"])
        except ValueError as exc:
            raise PolicyError(
                f"{info.source}:{info.line}: {exc}", path=info.source, line=info.line
            ) from None
    if "approval" in info.annotations and not info.annotations["approval"].strip():
        raise PolicyError(
            f"{info.source}:{info.line}: @approval needs an approver role, e.g. "
            '@approval("data-steward")',
            path=info.source,
            line=info.line,
        )


def build_policy_set(policies: Sequence[PolicyInfo]) -> cedarpy.PolicySet:
    """One Cedar policy set whose policy ids are the stable ids."""
    est = {
        "staticPolicies": {p.id: p.est for p in policies},
        "templates": {},
        "templateLinks": [],
    }
    return cedarpy.PolicySet.from_json_str(json.dumps(est))


def revision(sources: Sequence[PolicySource]) -> str:
    """Hash of the schema and the active policy texts: ``sha256:<hex>``. The same texts give the
    same revision wherever they are loaded from and in whatever order."""
    h = hashlib.sha256()
    h.update(schema_text().encode())
    for digest in sorted(hashlib.sha256(src.text.encode()).hexdigest() for src in sources):
        h.update(b"\x00" + digest.encode())
    return "sha256:" + h.hexdigest()
