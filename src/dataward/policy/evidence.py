"""Evidence, not claims: signed protect receipts that lift a decision's obligations.

A caller who gets ``allow_with_obligations`` (or a deny that obligations lift) protects the data
*with that decision* (``dw.protect(data, decision=d)``, ``protect_file(..., decision=d)``,
``dataward protect IN OUT --decision D.json``). Protect applies exactly the decision's
obligations (``tokenize:PHI`` → the ``token`` operator on every PHI column and finding) and
returns a receipt: which obligation was met on which columns and text fields (with counts), the
sha256 of the input and of the output, the decision id, the index of the ``protect`` audit event,
signed with the deployment's audit signing key (:func:`dataward.audit.default_signer`).

``dw.decide(request, evidence=[receipt])`` then counts an obligation as met only when a receipt
verifies: its signature by the deployment's key (never the key a receipt carries), the policy
revision and principal/action of the decision it answers, and the content hash of the dataset
version the request names (``resource.version`` equal to the receipt's ``output_sha256``, or a
``resource.id`` that is a path to a file with that hash). Transforms only claimed in
``context.transforms`` count for nothing: the decision says ``claimed_without_evidence`` and the
deny stands (shadow and warn modes log it as a warning). A go token names the receipts it rests
on (their digests).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from dataward.errors import PolicyError
from dataward.policy.obligations import OPERATORS
from dataward.policy.request import canonical_json

if TYPE_CHECKING:
    from dataward.keys.signing import Signer

FORMAT = "dataward.protect.receipt/v1"
CLAIMED_WITHOUT_EVIDENCE = "claimed_without_evidence"
"""The warning (and reason) of a transform claimed in a request with no receipt for it."""
EVIDENCE_REFUSED = "evidence_refused"
_SIGNED_NAME = "dataward.protect.receipt"
RECEIPT = ".receipt.json"
RESUME_RECORD = ".dataward-protect.json"
"""What a folder protect run keeps in its output folder to resume (not data, like receipts)."""
"""The suffix of the receipt ``dataward protect --decision`` writes beside its output."""


class EvidenceError(PolicyError):
    """A receipt that does not verify, or a decision protect cannot follow."""


@dataclass(frozen=True, slots=True)
class DecisionRef:
    """What protect needs from a decision: its id, obligations and who it was for."""

    decision_id: str
    obligations: tuple[tuple[str, str, str], ...]
    """(transform, operator, target) per obligation, in the decision's order."""
    policy_revision: str
    principal: str
    action: str
    tags: tuple[str, ...] = ()
    """The dataset's tags as the decision saw them, and each obligation's target (the policy
    fired because the data holds it): ``PHI`` makes the identifiers beside it PHI too."""

    def to_dict(self) -> dict[str, Any]:
        return {
            "decision_id": self.decision_id,
            "obligations": [list(o) for o in self.obligations],
            "policy_revision": self.policy_revision,
            "principal": self.principal,
            "action": self.action,
        }


def decision_ref(decision: Any) -> DecisionRef:
    """A :class:`~dataward.policy.decision.Decision` or its JSON (``to_dict``) as a reference;
    :class:`EvidenceError` when it is not one."""
    doc = decision.to_dict() if hasattr(decision, "to_dict") else decision
    if not isinstance(doc, Mapping) or not isinstance(doc.get("decision_id"), str):
        raise EvidenceError("the decision must be a Dataward decision (with a decision_id)")
    raw = doc.get("obligations", [])
    if not isinstance(raw, list):
        raise EvidenceError("the decision's obligations must be a list")
    obligations = []
    for item in raw:
        transform = item.get("transform") if isinstance(item, Mapping) else None
        if not isinstance(transform, str) or ":" not in transform:
            raise EvidenceError("each obligation of the decision needs a VERB:TARGET transform")
        verb, target = transform.split(":", 1)
        if verb not in OPERATORS:
            raise EvidenceError(f"obligation {transform!r}: unknown verb {verb!r}")
        obligations.append((transform, OPERATORS[verb], target))
    source = getattr(decision, "input", None) or doc.get("input") or {}
    who = _principal_ref(source.get("principal") if isinstance(source, Mapping) else None)
    action = source.get("action", "") if isinstance(source, Mapping) else ""
    tags = {target for _t, _o, target in obligations}
    classification = doc.get("classification")
    if isinstance(classification, Mapping):
        tags.update(t for t in classification.get("tags", []) if isinstance(t, str))
    resource = source.get("resource", {}) if isinstance(source, Mapping) else {}
    if isinstance(resource, Mapping) and isinstance(resource.get("tags"), list):
        tags.update(t for t in resource["tags"] if isinstance(t, str))
    return DecisionRef(
        doc["decision_id"],
        tuple(obligations),
        str(doc.get("policy_revision", "")),
        who,
        action if isinstance(action, str) else "",
        tuple(sorted(tags)),
    )


def _principal_ref(principal: Any) -> str:
    """``Type::id`` of a request's principal; ``""`` when it names none."""
    if not isinstance(principal, Mapping) or not principal.get("id"):
        return ""
    return f"{principal.get('type', 'User')}::{principal['id']}"


def rules_for(ref: DecisionRef) -> list[dict[str, Any]]:
    """One protect rule per obligation, in order: the obligation's operator for its target (an
    entity type, else a category or tag)."""
    from dataward.taxonomy import taxonomy

    types = taxonomy()
    rules = []
    for _transform, operator, target in ref.obligations:
        key = "entity" if target in types else "category"
        rules.append({key: target, "operator": operator})
    return rules


def config_for(ref: DecisionRef, base: Any = None) -> Any:
    """The protect configuration that applies ``ref``'s obligations: :func:`rules_for` first
    (so they win over every other rule and default), then ``base``'s rules and settings
    (default: the ``protect:`` section of the settings)."""
    from dataward.protect.config import load_config, parse_config

    config = load_config() if base is None else parse_config(base)
    doc = config.model_dump()
    doc["rules"] = [*rules_for(ref), *doc["rules"]]
    return parse_config(doc, "protect rules from the decision's obligations")


def _field_name(protector: Any, name: str) -> str:
    """A column name as reports show it: protected (a header can be a value), text lines as
    ``(text)``."""
    if name.startswith("\x00"):
        return "(text)"
    return str(protector.protect_name(name))


def met(protector: Any, ref: DecisionRef) -> list[dict[str, Any]]:
    """Per obligation: the columns protected whole by its rule and the text fields whose findings
    its rule replaced, with counts (read from a :class:`~dataward.protect.apply.Protector` that
    ran with :func:`rules_for`'s rules first)."""
    out = []
    for i, (transform, operator, target) in enumerate(ref.obligations):
        rule = f"rule {i + 1}"
        columns: dict[str, int] = {}
        texts: dict[str, int] = Counter()
        for decision in protector.decisions.values():
            name = _field_name(protector, decision.name)
            if decision.mode == "value" and decision.reason == rule:
                columns[name] = decision.changed
            elif decision.mode in ("text", "scan"):
                for entity, count in decision.findings.items():
                    _spec, why = protector.plan.resolve(
                        column=decision.name, entity=entity, scope="finding"
                    )
                    if why == rule:
                        texts[name] += count
        if not protector.decisions:  # plain text: no columns
            for entity, count in protector.text_findings.items():
                _spec, why = protector.plan.resolve(column=None, entity=entity, scope="finding")
                if why == rule:
                    texts["(text)"] += count
        out.append(
            {
                "transform": transform,
                "operator": operator,
                "target": target,
                "columns": dict(sorted(columns.items())),
                "text_fields": dict(sorted(texts.items())),
                "count": sum(columns.values()) + sum(texts.values()),
            }
        )
    return out


# -- content hashes ---------------------------------------------------------------------------


def file_sha256(path: str | Path) -> str:
    h = hashlib.sha256()
    with Path(path).open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return "sha256:" + h.hexdigest()


def content_sha256(data: Any) -> str:
    """The hash of in-memory data: UTF-8 text, a list of texts (as canonical JSON), or a table
    (an Arrow table, record batch, pandas or polars DataFrame: its Arrow IPC stream)."""
    if data is None:
        return "sha256:" + hashlib.sha256(b"null").hexdigest()
    if isinstance(data, str):
        return "sha256:" + hashlib.sha256(data.encode("utf-8")).hexdigest()
    if isinstance(data, list) and all(isinstance(t, str | None) for t in data):
        return "sha256:" + hashlib.sha256(canonical_json(data).encode()).hexdigest()
    import pyarrow as pa

    if isinstance(data, pa.RecordBatch):
        table = pa.Table.from_batches([data])
    elif isinstance(data, pa.Table):
        table = data
    elif isinstance(data, Mapping):
        table = pa.table({k: list(v) for k, v in data.items()})
    elif type(data).__module__.split(".")[0] == "pandas":
        table = pa.Table.from_pandas(data, preserve_index=False)
    elif hasattr(data, "to_arrow"):
        table = data.to_arrow()
    else:
        raise EvidenceError(f"cannot hash a {type(data).__name__}")
    sink = pa.BufferOutputStream()
    with pa.ipc.new_stream(sink, table.schema) as writer:
        writer.write_table(table.combine_chunks())
    return "sha256:" + hashlib.sha256(sink.getvalue().to_pybytes()).hexdigest()


# -- receipts ----------------------------------------------------------------------------------


def _signer(signer: Signer | None) -> Signer:
    if signer is not None:
        return signer
    from dataward.audit import default_signer

    return default_signer()


def _body(receipt: Mapping[str, Any]) -> bytes:
    return canonical_json({k: v for k, v in receipt.items() if k != "signature"}).encode()


def issue(
    ref: DecisionRef,
    obligations_met: Sequence[Mapping[str, Any]],
    *,
    input_sha256: str | None,
    output_sha256: str,
    audit_index: int | None,
    output: str | None = None,
    signer: Signer | None = None,
) -> dict[str, Any]:
    """A receipt for a protect run under ``ref``, signed with the deployment's audit key."""
    key = _signer(signer)
    receipt: dict[str, Any] = {
        "format": FORMAT,
        "decision_id": ref.decision_id,
        "policy_revision": ref.policy_revision,
        "principal": ref.principal,
        "action": ref.action,
        "obligations": [dict(o) for o in obligations_met],
        "input_sha256": input_sha256,
        "output_sha256": output_sha256,
        "output": output,
        "audit_index": audit_index,
        "issued_at": datetime.now(UTC).isoformat().replace("+00:00", "Z"),
        "key": key.verifier(_SIGNED_NAME).encode(),
    }
    receipt["signature"] = base64.b64encode(key.sign(_body(receipt))).decode()
    return receipt


def receipt_digest(receipt: Mapping[str, Any]) -> str:
    """How a go token and a decision name a receipt."""
    return "sha256:" + hashlib.sha256(canonical_json(dict(receipt)).encode()).hexdigest()


@dataclass(frozen=True, slots=True)
class Checked:
    """One receipt's verdict: the transforms it proves, or why it was refused."""

    digest: str
    transforms: tuple[str, ...]
    refused: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "digest": self.digest,
            "accepted": self.refused is None,
            "transforms": list(self.transforms),
            "reason": self.refused,
        }


def dataset_sha256(hashes: Iterable[str]) -> str:
    """The version of a dataset of several files: the hash of their sorted content hashes."""
    return "sha256:" + hashlib.sha256(canonical_json(sorted(hashes)).encode()).hexdigest()


def folder_sha256(folder: str | Path) -> str:
    """:func:`dataset_sha256` of every file under ``folder`` (receipts and a protect run's
    resume record left out)."""
    files = [
        p
        for p in sorted(Path(folder).rglob("*"))
        if p.is_file() and not p.name.endswith(RECEIPT) and p.name != RESUME_RECORD
    ]
    return dataset_sha256(file_sha256(p) for p in files)


def _dataset_hashes(resource: Mapping[str, Any]) -> set[str]:
    """The hash of the file or folder the request's id names; only when it names none, the
    version the request names (a caller's version must not stand in for data that is there)."""
    rid = resource.get("id")
    if isinstance(rid, str) and rid:
        try:
            path = Path(rid)
            if path.is_file():
                return {file_sha256(path)}
            if path.is_dir():
                return {folder_sha256(path)}
        except (OSError, ValueError):
            pass
    version = resource.get("version")
    return {version} if isinstance(version, str) and version else set()


def _verify(
    receipt: Any, request: Mapping[str, Any], policy_revision: str, signer: Signer | None
) -> Checked:
    """Everything but the dataset binding: format, signature, the decision it answers."""
    if not isinstance(receipt, Mapping):
        return Checked("", (), "evidence is not a receipt (expected a JSON object)")
    try:
        digest = receipt_digest(receipt)
        body = _body(receipt)
    except (TypeError, ValueError):
        return Checked("", (), "evidence is not JSON")
    if receipt.get("format") != FORMAT:
        return Checked(digest, (), f"not a Dataward protect receipt (expected format {FORMAT})")
    verifier = _signer(signer).verifier(_SIGNED_NAME)
    sig = receipt.get("signature")
    try:
        raw = base64.b64decode(sig, validate=True) if isinstance(sig, str) else b""
    except (binascii.Error, ValueError):
        raw = b""
    if not raw or not verifier.verify(body.decode(), raw):
        return Checked(
            digest,
            (),
            "receipt signature does not verify with this deployment's signing key "
            "(forged, altered, or from another deployment)",
        )
    if receipt.get("policy_revision") != policy_revision:
        return Checked(digest, (), "receipt answers a decision made under another policy revision")
    # a decision read from its JSON names no request: such a receipt binds by decision and data
    if receipt.get("principal") and receipt["principal"] != _principal_ref(
        request.get("principal")
    ):
        return Checked(digest, (), "receipt answers a decision for another principal")
    if receipt.get("action") and receipt["action"] != request.get("action"):
        return Checked(digest, (), "receipt answers a decision for another action")
    out_hash = receipt.get("output_sha256")
    if not isinstance(out_hash, str) or not out_hash.startswith("sha256:"):
        return Checked(digest, (), "receipt has no output hash")
    transforms = {
        item["transform"]
        for item in receipt.get("obligations") or []
        if isinstance(item, Mapping) and isinstance(item.get("transform"), str)
    }
    return Checked(digest, tuple(sorted(transforms)))


_NO_VERSION = (
    "the request names no dataset version to check the receipt against (set resource.version "
    "to the receipt's output_sha256, or resource.id to the output file or folder)"
)
_OTHER_VERSION = (
    "receipt is for another dataset version: its output hash differs from the version the "
    "request names"
)


def check_all(
    evidence: Iterable[Any],
    request: Mapping[str, Any],
    *,
    policy_revision: str,
    signer: Signer | None = None,
) -> list[Checked]:
    """Verify receipts against ``request``; each refusal says why (bad input never raises).

    A receipt is bound to the request when its output hash is the version the request names
    (or the hash of the file its id names). Receipts of a dataset of several files are bound
    together when the version (or the folder the id names) is :func:`dataset_sha256` of their
    output hashes; they then prove only the transforms every one of them proves."""
    receipts = list(evidence)
    checked = [_verify(r, request, policy_revision, signer) for r in receipts]
    valid = [i for i, c in enumerate(checked) if c.refused is None]
    if not valid:  # nothing to bind: the request's files are not read
        return checked
    resource = request.get("resource", {})
    named = _dataset_hashes(resource if isinstance(resource, Mapping) else {})
    outputs = {i: str(receipts[i]["output_sha256"]) for i in valid}
    together = len(valid) > 1 and dataset_sha256(outputs.values()) in named
    common = set.intersection(*(set(checked[i].transforms) for i in valid)) if together else set()
    for i in valid:
        if together:
            checked[i] = Checked(checked[i].digest, tuple(sorted(common)))
        elif not named:
            checked[i] = Checked(checked[i].digest, (), _NO_VERSION)
        elif outputs[i] not in named:
            checked[i] = Checked(checked[i].digest, (), _OTHER_VERSION)
    return checked


def check(
    receipt: Any,
    request: Mapping[str, Any],
    *,
    policy_revision: str,
    signer: Signer | None = None,
) -> Checked:
    """Verify one receipt against ``request`` (see :func:`check_all`)."""
    return check_all([receipt], request, policy_revision=policy_revision, signer=signer)[0]


def counted_request(
    request: Mapping[str, Any], checked: Sequence[Checked]
) -> tuple[dict[str, Any], list[str]]:
    """``request`` with ``context.transforms`` replaced by what the accepted receipts prove,
    and the warnings: each transform claimed without evidence, each receipt refused."""
    ctx = request.get("context")
    claimed: list[str] = []
    if isinstance(ctx, Mapping):
        raw = ctx.get("transforms")
        if isinstance(raw, str):
            claimed = [raw]
        elif isinstance(raw, list):
            claimed = [t for t in raw if isinstance(t, str)]
    proven = sorted({t for c in checked if c.refused is None for t in c.transforms})
    notes = [f"{EVIDENCE_REFUSED}: {c.refused}" for c in checked if c.refused is not None]
    unproven = sorted(set(claimed) - set(proven))
    if unproven:
        notes.append(
            f"{CLAIMED_WITHOUT_EVIDENCE}: {', '.join(unproven)} (protect with the decision "
            "and pass its receipt as evidence)"
        )
    out = dict(request)
    if isinstance(ctx, Mapping):
        out["context"] = {**ctx, "transforms": proven}
    elif proven:
        out["context"] = {"transforms": proven}
    return out, notes
