"""The gateway's decision on one prompt or completion: scan its texts, then pass, pseudonymize
or block (:class:`Verdict`).

This runs in a worker thread under the request's time limit (the app's ``_in_time``); any
error in a detector or the vault ends the request there (fail closed), never forwards it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from dataward.detect.model import Finding
from dataward.gateway.config import GatewayError, Mode
from dataward.gateway.texts import request_texts
from dataward.gateway.vault import Vault

if TYPE_CHECKING:
    from dataward.retention.rules import Rule

Action = Literal["pass", "pseudonymize", "block"]


@dataclass(frozen=True, slots=True)
class Verdict:
    """What the gateway does with one message: ``findings`` counts entity types (never
    values); ``blocking`` names the entity types that blocked it."""

    action: Action
    findings: dict[str, int] = field(default_factory=dict)
    blocking: tuple[str, ...] = ()

    def refusal(self, stage: str) -> GatewayError:
        """The error a blocked prompt or completion answers with (entity types only)."""
        kinds = ", ".join(self.blocking)
        return GatewayError(
            f"the {stage} was blocked by Dataward: it holds {kinds}",
            code="dataward_blocked",
            status=400 if stage == "prompt" else 422,
            entities=list(self.blocking),
        )


def categories_of(entity: str) -> tuple[str, ...]:
    """The taxonomy categories of an entity type (none for a custom type it does not know)."""
    from dataward.taxonomy import taxonomy

    types = taxonomy()
    return types.get(entity).categories if entity in types else ()


def secret_types(block_categories: frozenset[str]) -> list[str]:
    """The entity types of the taxonomy in ``block_categories``."""
    from dataward.taxonomy import taxonomy

    return [t.name for t in taxonomy() if block_categories & set(t.categories)]


def _scan(texts: Iterable[str], detect: Callable[[str], list[Finding]]) -> list[list[Finding]]:
    out: list[list[Finding]] = []
    for text in texts:
        try:
            out.append(detect(text) if text.strip() else [])
        except Exception as exc:
            raise GatewayError(
                f"detection failed ({type(exc).__name__}); the request was not sent",
                code="dataward_detection_failed",
                status=503,
            ) from None
    return out


def _judge(
    found: list[list[Finding]], mode: Mode, block_categories: frozenset[str]
) -> tuple[dict[str, int], tuple[str, ...]]:
    counts = Counter(f.entity for findings in found for f in findings)
    if mode is Mode.PASS:
        return dict(counts), ()
    if mode is Mode.BLOCK:
        return dict(counts), tuple(sorted(counts))
    blocking = sorted(e for e in counts if block_categories & set(categories_of(e)))
    return dict(counts), tuple(blocking)


def replace_spans(text: str, findings: list[Finding], name: Callable[[str, str], str]) -> str:
    """``text`` with each finding's span replaced by ``name(entity, value)`` (findings do not
    overlap; later ones are skipped if they would)."""
    out: list[str] = []
    done = 0
    for f in sorted(findings, key=lambda f: f.start):
        if f.start < done or f.end <= f.start:
            continue
        out.append(text[done : f.start])
        out.append(name(f.entity, text[f.start : f.end]))
        done = f.end
    out.append(text[done:])
    return "".join(out)


def check_prompt(
    body: dict[str, Any],
    *,
    mode: Mode,
    detect: Callable[[str], list[Finding]],
    vault: Vault,
    conversation: str,
    block_categories: frozenset[str],
) -> Verdict:
    """Scan a request body's prompt texts and decide; in ``pseudonymize`` mode (nothing
    blocking) the body is changed in place: each value replaced by its placeholder."""
    texts, documents = request_texts(body)
    found = _scan((t.text for t in texts), detect)
    counts, blocking = _judge(found, mode, block_categories)
    if blocking:
        return Verdict("block", counts, blocking)
    if mode is not Mode.PSEUDONYMIZE:
        return Verdict("pass", counts)
    known = vault.values(conversation)
    if not counts and not known:
        return Verdict("pass", counts)
    found = echoes([t.text for t in texts], found, known)
    if not any(found):
        return Verdict("pass", counts)

    def name(entity: str, value: str) -> str:
        return vault.placeholder(conversation, entity, value)

    for slot, findings in zip(texts, found, strict=True):
        if findings:
            slot.set(replace_spans(slot.text, findings, name))
    for document in documents:
        document.write()
    return Verdict("pseudonymize", counts)


MIN_ECHO = 3
"""The shortest value whose other occurrences are replaced too (shorter ones are common words
and initials)."""
MAX_ECHOES = 1000
"""The most values looked for again in one request."""


def _occurrences(text: str, value: str) -> Iterable[int]:
    """Where ``value`` stands in ``text`` as a whole word (no letter or digit either side)."""
    at = text.find(value)
    while at != -1:
        end = at + len(value)
        before = text[at - 1] if at else " "
        after = text[end] if end < len(text) else " "
        if not before.isalnum() and not after.isalnum():
            yield at
        at = text.find(value, at + 1)


def echoes(
    texts: list[str], found: list[list[Finding]], known: Mapping[str, str]
) -> list[list[Finding]]:
    """``found`` plus every other occurrence, in any of ``texts``, of a value found in this
    request or already pseudonymized in the conversation (``known``: placeholder -> value).
    The detector may find ``Kovalev`` once and miss it twice; the model must not see it in
    clear next to its placeholder."""
    values: dict[str, str] = {}
    for text, findings in zip(texts, found, strict=True):
        for f in findings:
            value = text[f.start : f.end]
            if len(value.strip()) >= MIN_ECHO:
                values.setdefault(value, f.entity)
    for placeholder, value in known.items():
        if len(value.strip()) >= MIN_ECHO:
            values.setdefault(value, placeholder[1:-1].rpartition("_")[0] or "VALUE")
    chosen = sorted(values.items(), key=lambda item: -len(item[0]))[:MAX_ECHOES]  # longest first
    out: list[list[Finding]] = []
    for text, findings in zip(texts, found, strict=True):
        taken = [(f.start, f.end) for f in findings]
        extra: list[Finding] = []
        for value, entity in chosen:
            for at in _occurrences(text, value):
                end = at + len(value)
                if any(start < end and at < stop for start, stop in taken):
                    continue
                taken.append((at, end))
                extra.append(Finding(entity, at, end, 1.0, "gateway-echo"))
        out.append(sorted([*findings, *extra], key=lambda f: f.start) if extra else findings)
    return out


def check_completion(
    texts: Iterable[str],
    *,
    mode: Mode,
    detect: Callable[[str], list[Finding]],
    block_categories: frozenset[str],
) -> Verdict:
    """Scan what the upstream returned (placeholders still in it, so the caller's own
    values are not counted again): ``block`` mode refuses any finding, the other modes
    refuse secrets only where ``pseudonymize`` would."""
    found = _scan(texts, detect)
    counts, blocking = _judge(found, mode, block_categories)
    if blocking:
        return Verdict("block", counts, blocking)
    return Verdict("pseudonymize" if mode is Mode.PSEUDONYMIZE else "pass", counts)


def retention(rules: Iterable[Rule], stage: str, findings: Mapping[str, int]) -> str | None:
    """The ISO 8601 duration the rules keep a prompt or completion log entry for: the
    longest of the rules matching its artifact type and its findings' categories (``None``
    when no rule matches)."""
    rules = list(rules)
    if not rules:
        return None
    from dataward.retention.rules import Artifact, retention_for

    categories = sorted({c for entity in findings for c in categories_of(entity)})
    artifact = Artifact(
        name="gateway",
        artifact_type=f"{stage}_log",
        categories=(*categories, *findings),
    )
    kept = retention_for(artifact, rules)
    return next((r.keep.text for r in rules if r.name == kept.rule), None)
