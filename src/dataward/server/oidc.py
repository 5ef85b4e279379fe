"""Optional OIDC: ``Authorization: Bearer <JWT>`` from an identity provider, next to API keys.

When ``oidc_issuer`` and ``oidc_audience`` are configured, a bearer value that looks like a JWT
(three dot-separated parts; API keys have no dots) is checked here: its signature against a
local JWKS file (RS256 or ES256 only; nothing is fetched over the network), ``iss``, ``aud``,
``exp`` (required) and ``nbf`` (when present), with a little clock leeway. The role comes from
the ``dataward_role`` claim (a string) or, failing that, the ``roles`` claim (a list), and maps
to the same roles as API keys. The JWKS file is read again when it changes (key rotation).
"""

from __future__ import annotations

import hashlib
import json
import logging
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jwt
from fastapi import HTTPException

from dataward.errors import ConfigError
from dataward.server.apikeys import ApiKey, Role

log = logging.getLogger("dataward.server")

ALGORITHMS = ("RS256", "ES256")
_KTY = {"RS256": "RSA", "ES256": "EC"}
PRECEDENCE = (Role.ADMIN, Role.STEWARD, Role.PIPELINE, Role.AUDITOR)
"""When a token lists several roles, the first of these it has wins."""


def looks_like_jwt(value: str) -> bool:
    return value.count(".") == 2


def _unauthorized(reason: str) -> HTTPException:
    return HTTPException(401, f"invalid token: {reason}", headers={"WWW-Authenticate": "Bearer"})


@dataclass
class OidcValidator:
    issuer: str
    audience: str
    jwks_path: Path
    role_claims: Sequence[str] = ("dataward_role", "roles")
    leeway: float = 30.0
    _keys: dict[str, Any] = field(default_factory=dict, repr=False)
    _mtime: float = field(default=-1.0, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def __post_init__(self) -> None:
        self.jwks_path = Path(self.jwks_path)
        self._load()  # a missing or bad file fails at startup, not on the first request

    @classmethod
    def from_config(cls, config: Any) -> OidcValidator | None:
        """The validator for a :class:`~dataward.server.app.ServerConfig`, or ``None`` when
        OIDC is not configured."""
        issuer = getattr(config, "oidc_issuer", None)
        audience = getattr(config, "oidc_audience", None)
        path = getattr(config, "oidc_jwks_path", None)
        if not issuer and not audience:
            return None
        if not (issuer and audience and path):
            raise ConfigError("OIDC needs oidc_issuer, oidc_audience and oidc_jwks_path together")
        claim = getattr(config, "oidc_role_claim", None)
        claims = (claim, "roles") if claim and claim != "roles" else ("dataward_role", "roles")
        return cls(issuer, audience, Path(path), role_claims=claims)

    def _load(self) -> None:
        try:
            mtime = self.jwks_path.stat().st_mtime
            if mtime == self._mtime:
                return
            data = json.loads(self.jwks_path.read_text(encoding="utf-8"))
            keys: dict[str, Any] = {}
            for i, jwk in enumerate(data["keys"]):
                if jwk.get("use", "sig") != "sig" or jwk.get("kty") not in ("RSA", "EC"):
                    continue
                key = jwt.PyJWK(jwk)
                keys[str(jwk.get("kid", f"#{i}"))] = key
        except (OSError, ValueError, KeyError, TypeError, jwt.PyJWTError) as exc:
            raise ConfigError(f"cannot read the JWKS file {self.jwks_path}: {exc}") from None
        if not keys:
            raise ConfigError(f"the JWKS file {self.jwks_path} holds no RSA or EC signing key")
        self._keys, self._mtime = keys, mtime

    def _key(self, header: dict[str, Any]) -> Any:
        with self._lock:
            try:
                self._load()
            except ConfigError:
                log.error("OIDC: the JWKS file cannot be read; keeping the keys loaded before")
            keys = dict(self._keys)
        alg = header.get("alg")
        if alg not in ALGORITHMS:
            raise _unauthorized(f"algorithm {alg!r} is not accepted")
        kid = header.get("kid")
        if kid is not None:
            jwk = keys.get(str(kid))
            candidates = [jwk] if jwk is not None else []
        else:
            candidates = [k for k in keys.values() if k.key_type == _KTY[alg]]
        if len(candidates) != 1 or candidates[0].key_type != _KTY[alg]:
            raise _unauthorized("no matching signing key")
        jwk_alg = candidates[0].algorithm_name
        if jwk_alg and jwk_alg != alg and jwk_alg in ALGORITHMS:
            raise _unauthorized("the key is for another algorithm")
        return candidates[0].key

    def role(self, claims: dict[str, Any]) -> Role:
        for name in self.role_claims:
            value = claims.get(name)
            values = [value] if isinstance(value, str) else value
            if not isinstance(values, list):
                continue
            have = {str(v).strip().lower() for v in values}
            for role in PRECEDENCE:
                if role.value in have or f"dataward.{role.value}" in have:
                    return role
        raise HTTPException(403, "the token carries no Dataward role")

    def authenticate(self, token: str) -> ApiKey:
        """The caller for a valid token; raises 401 (invalid) or 403 (no role)."""
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError:
            raise _unauthorized("malformed") from None
        key = self._key(header)
        try:
            claims = jwt.decode(
                token,
                key,
                algorithms=[header["alg"]],
                audience=self.audience,
                issuer=self.issuer,
                leeway=self.leeway,
                options={"require": ["exp", "iss", "aud"]},
            )
        except jwt.ExpiredSignatureError:
            raise _unauthorized("expired") from None
        except jwt.ImmatureSignatureError:
            raise _unauthorized("not yet valid") from None
        except jwt.InvalidAudienceError:
            raise _unauthorized("wrong audience") from None
        except jwt.InvalidIssuerError:
            raise _unauthorized("wrong issuer") from None
        except jwt.InvalidSignatureError:
            raise _unauthorized("bad signature") from None
        except jwt.PyJWTError:
            raise _unauthorized("rejected") from None
        role = self.role(claims)
        # The subject may be an e-mail address: logs and rate limits see only a digest of it.
        subject = f"{claims.get('iss', '')}\x00{claims.get('sub', '')}"
        ident = "oidc_" + hashlib.sha256(subject.encode()).hexdigest()[:12]
        return ApiKey(ident, "oidc", role)
