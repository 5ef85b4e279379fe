"""``dataward audit``: verify the tamper-evident log, export and check receipts, erase subjects.

Exit codes: 0 ok; 4 verification failed (a changed, removed, reordered or truncated record, a
bad signature, a missing checkpoint or witness, a malformed row, a subject key gone without an
erasure event, or a receipt that does not check out); 2 bad usage.
"""

from __future__ import annotations

import collections
import itertools
import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from dataward.errors import AuditError, ConfigError

if TYPE_CHECKING:
    from dataward.audit import AuditLog

audit_app = typer.Typer(
    name="audit",
    help="The tamper-evident audit log: verify, proofs and receipts, erasure.",
    no_args_is_help=True,
)


def register(app: typer.Typer) -> None:
    app.add_typer(audit_app, name="audit")


def _format(value: str, allowed: tuple[str, ...]) -> str:
    if value not in allowed:
        raise typer.BadParameter(f"use one of {', '.join(allowed)}", param_hint="--format")
    return value


@contextmanager
def _open_log() -> Iterator[AuditLog]:
    """The audit log of the current settings; its store is closed afterwards."""
    from dataward.audit import open_audit_log
    from dataward.store import open_store

    store = open_store()
    try:
        yield open_audit_log(store)
    finally:
        store.close()


def _emit(data: dict[str, Any]) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")


@audit_app.command("verify")
def verify_command(
    output_format: str = typer.Option("text", "--format", help="text or json."),
    checkpoints: list[Path] = typer.Option(
        [],
        "--checkpoint",
        help="A signed checkpoint kept outside the store (from `dataward audit checkpoint`); "
        "repeatable. The log must match it.",
    ),
    adopt_witness: bool = typer.Option(
        False,
        "--adopt-witness",
        help="This home has no witness yet (a new host): verify the store on its own and keep "
        "its newest checkpoint as this home's witness.",
    ),
) -> None:
    """Recompute every leaf and tree head; check them against every signed checkpoint and the
    witnesses kept outside the store (the witness file in DATAWARD_HOME, audit.witness_url)."""
    _format(output_format, ("text", "json"))
    try:
        external = [p.read_text(encoding="utf-8") for p in checkpoints]
    except OSError as exc:
        raise ConfigError(f"cannot read checkpoint file: {exc.strerror}") from None
    try:
        with _open_log() as log:
            report = log.verify(external=external, adopt_witness=adopt_witness)
    except AuditError as exc:
        if output_format == "json":
            _emit({"ok": False, "error": exc.message, **_jsonable(exc.context)})
            raise SystemExit(exc.exit_code) from None  # run() drops typer.Exit codes
        raise
    if output_format == "json":
        _emit(report.to_dict())
    else:
        typer.echo(
            f"ok: {report.events} events, {report.checkpoints} signed checkpoints, "
            f"root {report.root.hex()} ({report.origin})"
        )
        if report.checkpoints and report.witnessed_size:
            typer.echo(f"witnessed outside the store up to event {report.witnessed_size - 1}")
        if report.signed_size < report.events:
            typer.echo(
                f"note: events {report.signed_size}..{report.events - 1} are not covered by a "
                "signed checkpoint yet (`dataward audit checkpoint` signs one)",
                err=True,
            )


def _jsonable(context: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in context.items() if isinstance(v, str | int | float | bool)}


@audit_app.command("proof")
def proof_command(
    index: int = typer.Argument(..., min=0, help="The event's index in the log."),
    out: Path | None = typer.Option(
        None, "--out", help="Write the receipt here (default: stdout)."
    ),
) -> None:
    """Write a receipt for one event, checkable offline with `verify-receipt`.

    The receipt holds the event, its leaf hash, an inclusion proof, a signed checkpoint and the
    log's public key."""
    from dataward.audit import make_receipt

    with _open_log() as log:
        receipt = make_receipt(log, index)
    text = json.dumps(receipt, ensure_ascii=False, indent=2) + "\n"
    if out is None:
        sys.stdout.write(text)
        return
    out.write_text(text, encoding="utf-8")
    typer.echo(f"receipt for event {index} (tree size {receipt['tree_size']}) written to {out}")


@audit_app.command("verify-receipt")
def verify_receipt_command(
    path: Path = typer.Argument(..., help="A receipt written by `dataward audit proof`."),
    key: str | None = typer.Option(
        None, "--key", help="The log's published verifier key, or @FILE holding it."
    ),
    output_format: str = typer.Option("text", "--format", help="text or json."),
) -> None:
    """Check a receipt offline: signature, leaf hash and inclusion proof."""
    from dataward.audit import verify_receipt

    _format(output_format, ("text", "json"))
    try:
        receipt = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise AuditError(
            f"cannot read receipt {path}: {type(exc).__name__}", path=str(path)
        ) from None
    if key is not None and key.startswith("@"):
        key = Path(key[1:]).read_text(encoding="utf-8").strip()
    try:
        check = verify_receipt(receipt, trusted_key=key)
    except AuditError as exc:
        if output_format == "json":
            _emit({"ok": False, "error": exc.message})
            raise SystemExit(exc.exit_code) from None  # run() drops typer.Exit codes
        raise
    if output_format == "json":
        _emit(check.to_dict())
        return
    typer.echo(
        f"ok: event {check.index} is in the {check.tree_size}-event tree "
        f"{check.root.hex()} signed by {check.key}"
    )
    if check.key_from_receipt:
        typer.echo(
            "note: the key came from the receipt itself; pass --key with the log's published "
            "key (`dataward audit pubkey`) to know who signed it",
            err=True,
        )


@audit_app.command("erase")
def erase_command(
    subject: str = typer.Option(
        ..., "--subject", help="The data subject's id, or '-' to read it from stdin."
    ),
    actor: str | None = typer.Option(None, "--actor", help="Who erases (default: this user)."),
) -> None:
    """Destroy a subject's key: their details become unreadable, every proof stays valid."""
    from dataward.audit.actors import current_actor

    if subject == "-":
        subject = sys.stdin.readline().strip()
    if not subject:
        raise ConfigError("--subject is empty")
    with _open_log() as log:
        erasure = log.erase(subject, actor=actor or current_actor())
    n = erasure.events
    typer.echo(
        f"erased: subject key {erasure.subject_ref} destroyed; {n} "
        f"{'event is' if n == 1 else 'events are'} now unreadable; recorded as event "
        f"{erasure.receipt.index}"
    )


@audit_app.command("log")
def log_command(
    limit: int = typer.Option(20, "--limit", min=1, help="At most this many events."),
    start: int | None = typer.Option(
        None, "--start", min=0, help="First index (default: the last LIMIT events)."
    ),
    decrypt: bool = typer.Option(
        False, "--decrypt", help="Show subjects' personal details (recorded as an access)."
    ),
    actor: str | None = typer.Option(None, "--actor", help="Who reads (default: this user)."),
    kind: str | None = typer.Option(
        None,
        "--kind",
        help="Only events of this kind (e.g. decision); older names such as policy.decision "
        "select the same events.",
    ),
) -> None:
    """Events as JSON lines; subjects' details stay sealed unless --decrypt."""
    from dataward.audit.events import AccessEvent, canonical_kind, envelope

    with _open_log() as log:
        if kind is None:
            first = start if start is not None else max(0, log.size() - limit)
            shown = list(log.events(first, limit, decrypt=decrypt))
        else:
            want = canonical_kind(kind)
            found = (e.index for e in log.events(start or 0) if e.kind == want)
            indexes = (
                list(itertools.islice(found, limit))
                if start is not None
                else list(collections.deque(found, maxlen=limit))
            )
            shown = [log.event(i, decrypt=decrypt) for i in indexes]
        for event in shown:
            sys.stdout.write(json.dumps(event.to_dict(), ensure_ascii=False) + "\n")
        if decrypt and shown:  # people's ids (actors, subjects) were shown in clear
            access = AccessEvent(
                what="audit log", decrypted=True, start=shown[0].index, count=len(shown)
            )
            log.append(envelope(access, actor=actor))


@audit_app.command("checkpoint")
def checkpoint_command() -> None:
    """Sign a checkpoint of the log as it is now."""
    with _open_log() as log:
        cp = log.checkpoint()
    sys.stdout.write(cp.note)


@audit_app.command("pubkey")
def pubkey_command(
    output_format: str = typer.Option("vkey", "--format", help="vkey (C2SP note key) or pem."),
) -> None:
    """The log's public key, for offline verification (the private key is never shown)."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    _format(output_format, ("vkey", "pem"))
    with _open_log() as log:
        verifier = log.verifier
    if output_format == "vkey":
        typer.echo(verifier.encode())
        return
    pem = Ed25519PublicKey.from_public_bytes(verifier.public_key).public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    sys.stdout.write(pem.decode())
