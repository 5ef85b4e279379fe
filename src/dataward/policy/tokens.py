"""Go tokens: short-lived Ed25519-signed proof that a training job was allowed.

A token is ``dwt1.<claims>.<signature>`` (base64url, no padding); the claims bind the job, the
dataset and its version, the principal, action and purpose, the policy revision, and the consent
purposes the decision relied on. The signing key is created on first use at
``DATAWARD_HOME/policy_signing.key`` (PKCS#8 PEM, mode 0600, written atomically).
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import hashlib
import json
import os
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from dataward.errors import PolicyError
from dataward.policy.request import Prepared, canonical_json

if TYPE_CHECKING:
    from dataward.policy.engine import PolicyEngine

PREFIX = "dwt1"
KEY_FILE = "policy_signing.key"


class TokenError(PolicyError):
    """A go token is malformed, forged, expired or no longer holds."""


def key_path() -> Path:
    from dataward.settings import get_settings

    return Path(get_settings().home) / KEY_FILE


_keys: dict[Path, tuple[tuple[int, int, int], Ed25519PrivateKey, str]] = {}
_keys_lock = threading.Lock()


def _loaded(path: Path | None) -> tuple[Ed25519PrivateKey, str]:
    """The signing key and its id, parsed once per key file (read again when the file is
    replaced: another inode, size or modification time)."""
    path = path or key_path()
    try:
        st = path.stat()
    except FileNotFoundError:
        key = load_key(path)
        return key, key_id(key)
    stamp = (st.st_ino, st.st_size, st.st_mtime_ns)
    cached = _keys.get(path)
    if cached is not None and cached[0] == stamp:
        return cached[1], cached[2]
    key = load_key(path)
    kid = key_id(key)
    with _keys_lock:
        _keys[path] = (stamp, key, kid)
    return key, kid


def load_key(path: Path | None = None) -> Ed25519PrivateKey:
    """The signing key, created (0600, atomically) if it does not exist yet."""
    path = path or key_path()
    if not path.exists():
        from dataward.store.home import ensure_home

        ensure_home(path.parent)  # the home: 0700
        pem = Ed25519PrivateKey.generate().private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        tmp = path.with_name(f".{path.name}.{os.getpid()}.{time.monotonic_ns()}.tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(pem)
                fh.flush()
                os.fsync(fh.fileno())
            with contextlib.suppress(FileExistsError):  # another process won: use its key
                os.link(tmp, path)
        finally:
            tmp.unlink(missing_ok=True)
    key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    if not isinstance(key, Ed25519PrivateKey):
        raise TokenError(f"{path} does not hold an Ed25519 key", path=str(path))
    return key


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def key_id(key: Ed25519PrivateKey) -> str:
    raw = key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()[:16]


def sign(claims: Mapping[str, Any], path: Path | None = None) -> str:
    key, kid = _loaded(path)
    body = _b64(canonical_json({**claims, "kid": kid}).encode())
    signing_input = f"{PREFIX}.{body}".encode()
    return f"{PREFIX}.{body}.{_b64(key.sign(signing_input))}"


def issue_for(
    prepared: Prepared,
    engine: PolicyEngine,
    decision_id: str,
    *,
    key_path: Path | None = None,
    evidence: Sequence[str] = (),
) -> str:
    """A token for an allowed training request (naming the digests of the protect receipts
    it rests on, if any)."""
    cedar = prepared.cedar
    ctx = cedar["context"]
    issued = int(prepared.now.timestamp())
    expires = issued + engine.token_ttl_seconds
    if prepared.expires_at is not None:
        expires = min(expires, int(prepared.expires_at.timestamp()))
    resource = prepared.entities[-1]
    claims: dict[str, Any] = {
        "v": 1,
        "jti": decision_id,
        "iat": issued,
        "exp": expires,
        "job": ctx["job_id"],
        "dataset": f"{cedar['resource']['type']}::{cedar['resource']['id']}",
        "dataset_version": resource["attrs"]["version"],
        "principal": f"{cedar['principal']['type']}::{cedar['principal']['id']}",
        "action": cedar["action"]["id"],
        "purpose": ctx["purpose"],
        "policy_revision": engine.revision,
        "consent": sorted(prepared.consent),
    }
    if evidence:
        claims["evidence"] = sorted(evidence)
    return sign(claims, key_path)


def verify_token(
    token: str, *, key_path: Path | None = None, now: float | None = None
) -> dict[str, Any]:
    """The claims of a valid, unexpired token; :class:`TokenError` says what is wrong."""
    parts = token.strip().split(".")
    if len(parts) != 3 or parts[0] != PREFIX:
        raise TokenError("not a Dataward go token (expected dwt1.<claims>.<signature>)")
    key, _ = _loaded(key_path)
    try:
        signature = _unb64(parts[2])
    except (binascii.Error, ValueError):
        raise TokenError("go token is malformed") from None
    try:
        key.public_key().verify(signature, f"{PREFIX}.{parts[1]}".encode())
    except InvalidSignature:
        raise TokenError("go token signature does not verify (forged or altered)") from None
    try:
        claims = json.loads(_unb64(parts[1]))
    except (binascii.Error, ValueError):
        raise TokenError("go token is malformed") from None
    if not isinstance(claims, dict) or not isinstance(claims.get("exp"), int):
        raise TokenError("go token is malformed")
    if (now if now is not None else time.time()) >= claims["exp"]:
        raise TokenError(f"go token expired at {claims['exp']} (epoch seconds)", exp=claims["exp"])
    return claims


@dataclass(frozen=True, slots=True)
class TokenCheck:
    """The outcome of :func:`revalidate`: valid, or the problems found."""

    valid: bool
    problems: tuple[str, ...]
    claims: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {"valid": self.valid, "problems": list(self.problems), "claims": self.claims}


def revalidate(
    token: str,
    current_request: Mapping[str, Any],
    *,
    engine: PolicyEngine | None = None,
    approvals: Any = (),
    now: datetime | None = None,
    key_path: Path | None = None,
    evidence: Sequence[Any] = (),
) -> TokenCheck:
    """Does ``token`` still hold for ``current_request`` (the training request as it stands now:
    current consent, lawful basis, tags)? Fails on a bad or expired token, another policy
    revision, another job/dataset/version, withdrawn or expired consent, or a decision that is
    no longer allow.

    As in :func:`dataward.policy.decide`, only transforms that ``evidence`` (protect receipts)
    proves count; a token that names receipts needs each of them shown again, still valid."""
    from dataward.policy import evidence as evidence_
    from dataward.policy.api import default_engine

    engine = engine or default_engine()
    try:
        claims = verify_token(token, key_path=key_path, now=now.timestamp() if now else None)
    except TokenError as exc:
        return TokenCheck(False, (str(exc),))
    checked = evidence_.check_all(evidence, current_request, policy_revision=engine.revision)
    current_request, _notes = evidence_.counted_request(current_request, checked)
    prepared = engine.prepare(current_request, approvals, now)
    problems: list[str] = []
    shown = {c.digest for c in checked if c.refused is None}
    missing = [d for d in claims.get("evidence", []) if d not in shown]
    if missing:
        problems.append(
            f"{len(missing)} receipt(s) the token names were not shown or no longer verify "
            "for this request"
        )
    if claims.get("policy_revision") != engine.revision:
        problems.append("the policy revision changed since the token was issued")
    cedar = prepared.cedar
    bound = {
        "dataset": f"{cedar['resource']['type']}::{cedar['resource']['id']}",
        "dataset_version": prepared.entities[-1]["attrs"]["version"],
        "job": cedar["context"]["job_id"],
    }
    for name, value in bound.items():
        if claims.get(name) != value:
            problems.append(f"the token is bound to another {name.replace('_', ' ')}")
    for purpose in claims.get("consent", []):
        if purpose not in prepared.consent:
            problems.append(f"consent for {purpose!r} was withdrawn or has expired")
    evaluation = engine.evaluate(prepared)
    if evaluation.effect != "allow":
        problems.append(
            f"the policies now answer {evaluation.effect} ({', '.join(evaluation.reasons)})"
        )
    return TokenCheck(not problems, tuple(problems), claims)
