"""Go tokens: short-lived Ed25519-signed proof that a training job was allowed.

A token is ``dwt1.<claims>.<signature>`` (base64url, no padding); the claims bind the job, the
dataset and its version, the principal, action and purpose, the policy revision, and the consent
purposes the decision relied on. The signing key is the
:data:`~dataward.keys.signing.GO_TOKEN` key, created on first use at
``DATAWARD_HOME/policy_signing.key`` (PKCS#8 PEM, mode 0600, written atomically).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from dataward.errors import TokenError
from dataward.keys.signing import GO_TOKEN, Signer, load_signer, verify
from dataward.policy.request import Prepared, canonical_json

if TYPE_CHECKING:
    from dataward.policy.engine import PolicyEngine

PREFIX = "dwt1"


def key_path() -> Path:
    from dataward.settings import get_settings

    return Path(get_settings().home) / GO_TOKEN.file


def _signer(path: Path | None) -> Signer:
    return load_signer(path or key_path(), GO_TOKEN)


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def key_id(signer: Signer) -> str:
    """The ``kid`` claim: the first 16 hex digits of SHA-256 of the raw public key."""
    return hashlib.sha256(signer.public_key).hexdigest()[:16]


def sign(claims: Mapping[str, Any], path: Path | None = None) -> str:
    signer = _signer(path)
    body = _b64(canonical_json({**claims, "kid": key_id(signer)}).encode())
    signing_input = f"{PREFIX}.{body}".encode()
    return f"{PREFIX}.{body}.{_b64(signer.sign(signing_input))}"


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
    signer = _signer(key_path)
    try:
        signature = _unb64(parts[2])
    except (binascii.Error, ValueError):
        raise TokenError("go token is malformed") from None
    if not verify(signer.public_key, f"{PREFIX}.{parts[1]}".encode(), signature):
        raise TokenError("go token signature does not verify (forged or altered)")
    try:
        claims = json.loads(_unb64(parts[1]))
    except (binascii.Error, ValueError):
        raise TokenError("go token is malformed") from None
    if not isinstance(claims, dict) or not isinstance(claims.get("exp"), int):
        raise TokenError("go token is malformed")
    if (now if now is not None else time.time()) >= claims["exp"]:
        raise TokenError(f"go token expired at {claims['exp']} (epoch seconds)", exp=claims["exp"])
    return claims
