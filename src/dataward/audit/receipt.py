"""Receipts: everything needed to check, offline, that an event is in the log.

A receipt (JSON) holds the event's canonical document, its index and leaf hash, an RFC 6962
inclusion proof, the signed checkpoint it leads to, and the log's verifier key; ``tlog_proof``
holds the same proof in the C2SP ``tlog-proof`` text form. :func:`verify_receipt` needs nothing
but the receipt (and, to trust the signer, the log's published key).
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass
from typing import Any

from dataward.audit import merkle
from dataward.audit.checkpoint import open_checkpoint
from dataward.audit.events import check_document
from dataward.audit.log import AuditLog
from dataward.errors import AuditError
from dataward.keys.signing import Verifier

FORMAT = "dataward.audit.receipt/v1"
TLOG_PROOF = "c2sp.org/tlog-proof@v1"


def make_receipt(log: AuditLog, index: int) -> dict[str, Any]:
    """A receipt for event ``index`` under the newest checkpoint (one is signed if none covers
    the event yet)."""
    latest = log.latest_checkpoint()
    if latest is None or latest.size <= index:
        latest = log.checkpoint()
    if not 0 <= index < latest.size:
        raise AuditError(f"no event {index} in the audit log", index=index)
    data = log.canonical(index)
    proof = log.inclusion_proof(index, latest.size)
    hashes = [base64.b64encode(h).decode() for h in proof]
    tlog = "\n".join([TLOG_PROOF, f"index {index}", *hashes]) + "\n\n" + latest.note
    return {
        "format": FORMAT,
        "origin": log.origin,
        "index": index,
        "tree_size": latest.size,
        "event": data.decode("utf-8"),
        "leaf_hash": base64.b64encode(merkle.leaf_hash(data)).decode(),
        "inclusion_proof": hashes,
        "checkpoint": latest.note,
        "public_key": log.verifier.encode(),
        "tlog_proof": tlog,
    }


@dataclass(frozen=True, slots=True)
class ReceiptCheck:
    """A receipt that verified: which event, in which tree, signed by which key."""

    index: int
    tree_size: int
    root: bytes
    key: str
    key_from_receipt: bool
    event: dict[str, Any]

    def to_dict(self) -> dict[str, Any]:
        return {
            "ok": True,
            "index": self.index,
            "tree_size": self.tree_size,
            "root": self.root.hex(),
            "key": self.key,
            "key_trusted": not self.key_from_receipt,
            "event": self.event,
        }


def _b64(text: Any, what: str) -> bytes:
    if not isinstance(text, str):
        raise AuditError(f"receipt: {what} is missing")
    try:
        return base64.b64decode(text, validate=True)
    except binascii.Error:
        raise AuditError(f"receipt: {what} is not base64") from None


def verify_receipt(receipt: dict[str, Any], trusted_key: str | None = None) -> ReceiptCheck:
    """Check a receipt offline; raise :class:`AuditError` saying what does not hold.

    ``trusted_key`` is the log's verifier key as published (``dataward audit pubkey``); without
    it the key inside the receipt is used, which proves consistency but not who signed."""
    if not isinstance(receipt, dict) or receipt.get("format") != FORMAT:
        raise AuditError(f"not a Dataward audit receipt (expected format {FORMAT})")
    verifier = Verifier.parse(trusted_key or str(receipt.get("public_key", "")))
    if trusted_key and receipt.get("public_key") not in (None, trusted_key):
        raise AuditError("receipt: its key is not the trusted key")
    note = receipt.get("checkpoint")
    if not isinstance(note, str):
        raise AuditError("receipt: checkpoint is missing")
    head = open_checkpoint(note, verifier)
    index, event_text = receipt.get("index"), receipt.get("event")
    if not isinstance(index, int) or not isinstance(event_text, str):
        raise AuditError("receipt: index or event is missing")
    data = event_text.encode("utf-8")
    leaf = merkle.leaf_hash(data)
    if "leaf_hash" in receipt and _b64(receipt["leaf_hash"], "leaf_hash") != leaf:
        raise AuditError(f"receipt: event {index} does not hash to the receipt's leaf hash")
    try:
        doc = check_document(json.loads(data))
    except ValueError:
        raise AuditError("receipt: event is not JSON") from None
    if doc["index"] != index:
        raise AuditError(f"receipt: the event says it is event {doc['index']}, not {index}")
    proof_field = receipt.get("inclusion_proof")
    if not isinstance(proof_field, list):
        raise AuditError("receipt: inclusion_proof is missing")
    proof = [_b64(h, "inclusion proof hash") for h in proof_field]
    if receipt.get("tree_size", head.size) != head.size:
        raise AuditError("receipt: tree_size differs from the signed checkpoint's")
    if not merkle.verify_inclusion(leaf, index, head.size, proof, head.root):
        raise AuditError(
            f"receipt: the inclusion proof does not lead from event {index} to the signed "
            f"root of the {head.size}-event tree",
            index=index,
        )
    return ReceiptCheck(index, head.size, head.root, verifier.encode(), not trusted_key, doc)
