from __future__ import annotations

import json
import os
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import jwt
import pytest
import uvicorn
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from dataward.errors import ConfigError
from dataward.server import create_app
from dataward.server.apikeys import create_key
from dataward.server.app import ServerConfig
from dataward.server.oidc import OidcValidator
from dataward.store import open_store
from tests.server.conftest import _free_port

ISSUER = "https://idp.example.test/realms/data"
AUDIENCE = "dataward"


def jwk(public: Any, kid: str, alg: str) -> dict[str, Any]:
    cls = jwt.algorithms.RSAAlgorithm if alg == "RS256" else jwt.algorithms.ECAlgorithm
    out: dict[str, Any] = json.loads(cls.to_jwk(public))
    return {**out, "kid": kid, "use": "sig", "alg": alg}


@dataclass
class Idp:
    rsa: rsa.RSAPrivateKey
    ec: ec.EllipticCurvePrivateKey
    jwks: Path
    client: httpx.Client
    api_key: str

    def token(
        self, alg: str = "RS256", key: Any = None, kid: str | None = None, **claims: Any
    ) -> str:
        now = int(time.time())
        body = {
            "iss": ISSUER,
            "aud": AUDIENCE,
            "sub": "jane@example.org",
            "iat": now,
            "exp": now + 300,
            "dataward_role": "steward",
        }
        body.update(claims)
        body = {k: v for k, v in body.items() if v is not None}
        if key is None:
            key = self.rsa if alg == "RS256" else self.ec
        kid = kid if kid is not None else ("r1" if alg == "RS256" else "e1")
        return jwt.encode(body, key, algorithm=alg, headers={"kid": kid})

    def get(self, path: str, token: str) -> int:
        return self.client.get(path, headers={"Authorization": f"Bearer {token}"}).status_code


@pytest.fixture(scope="module")
def keys() -> tuple[rsa.RSAPrivateKey, ec.EllipticCurvePrivateKey]:
    return rsa.generate_private_key(65537, 2048), ec.generate_private_key(ec.SECP256R1())


@pytest.fixture
def idp(
    tmp_path: Path, keys: tuple[rsa.RSAPrivateKey, ec.EllipticCurvePrivateKey]
) -> Iterator[Idp]:
    rsa_key, ec_key = keys
    jwks = tmp_path / "jwks.json"
    jwks.write_text(
        json.dumps(
            {
                "keys": [
                    jwk(rsa_key.public_key(), "r1", "RS256"),
                    jwk(ec_key.public_key(), "e1", "ES256"),
                ]
            }
        )
    )
    store = open_store(f"sqlite:///{tmp_path / 'store.db'}")
    api_key = create_key(store, "auditor", "auditor")[1]
    config = ServerConfig(oidc_issuer=ISSUER, oidc_audience=AUDIENCE, oidc_jwks_path=jwks)
    port = _free_port()
    server = uvicorn.Server(
        uvicorn.Config(create_app(store, config), host="127.0.0.1", port=port, log_level="warning")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert time.monotonic() < deadline, "server did not start"
        time.sleep(0.02)
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=10) as client:
            yield Idp(rsa_key, ec_key, jwks, client, api_key)
    finally:
        server.should_exit = True
        thread.join(10)
        store.close()


DATASETS = "/v1/catalog/datasets"  # steward, pipeline, auditor
VERIFY = "/v1/audit/verify"  # auditor only


def test_valid_tokens_are_accepted(idp: Idp) -> None:
    assert idp.get(DATASETS, idp.token("RS256")) == 200
    assert idp.get(DATASETS, idp.token("ES256")) == 200
    assert idp.get(VERIFY, idp.token(dataward_role=None, roles=["viewer", "auditor"])) == 200
    assert idp.get(VERIFY, idp.token(dataward_role="admin")) == 200
    # a token valid only from a few seconds ago passes with the clock leeway
    assert idp.get(DATASETS, idp.token(nbf=int(time.time()) + 5)) == 200


def test_invalid_tokens_are_401(idp: Idp) -> None:
    now = int(time.time())
    other = rsa.generate_private_key(65537, 2048)
    cases = {
        "expired": idp.token(exp=now - 120),
        "wrong audience": idp.token(aud="someone-else"),
        "wrong issuer": idp.token(iss="https://evil.example.test"),
        "not yet valid": idp.token(nbf=now + 600),
        "no exp": idp.token(exp=None),
        "wrong signature": idp.token(key=other),
        "unknown kid": idp.token(kid="nope"),
        "EC key claimed as RSA": idp.token("ES256", kid="r1"),
        "HS256 with the public key": jwt.encode(
            {"iss": ISSUER, "aud": AUDIENCE, "exp": now + 60, "dataward_role": "admin"},
            "secret-of-at-least-32-bytes-for-hmac!",
            algorithm="HS256",
            headers={"kid": "r1"},
        ),
        "unsigned": jwt.encode(
            {"iss": ISSUER, "aud": AUDIENCE, "exp": now + 60, "dataward_role": "admin"},
            None,
            algorithm="none",
        ),
        "garbage": "aaa.bbb.ccc",
    }
    for name, token in cases.items():
        response = idp.client.get(DATASETS, headers={"Authorization": f"Bearer {token}"})
        assert response.status_code == 401, name
        assert response.headers["WWW-Authenticate"] == "Bearer", name


def test_wrong_or_missing_role_is_403(idp: Idp) -> None:
    assert idp.get(VERIFY, idp.token(dataward_role="pipeline")) == 403
    assert idp.get(DATASETS, idp.token(dataward_role=None)) == 403
    assert idp.get(DATASETS, idp.token(dataward_role="intern")) == 403


def test_api_keys_keep_working(idp: Idp) -> None:
    assert idp.get(VERIFY, idp.api_key) == 200
    assert idp.get(VERIFY, "dw_nope_nope") == 401


def test_jwks_rotation_is_picked_up(idp: Idp) -> None:
    new = rsa.generate_private_key(65537, 2048)
    idp.jwks.write_text(json.dumps({"keys": [jwk(new.public_key(), "r2", "RS256")]}))
    later = time.time() + 10
    os.utime(idp.jwks, (later, later))
    assert idp.get(DATASETS, idp.token(key=new, kid="r2")) == 200
    assert idp.get(DATASETS, idp.token()) == 401  # r1 was withdrawn


def test_configuration_errors(tmp_path: Path) -> None:
    assert OidcValidator.from_config(ServerConfig()) is None
    with pytest.raises(ConfigError, match="together"):
        OidcValidator.from_config(ServerConfig(oidc_issuer=ISSUER))
    with pytest.raises(ConfigError, match="cannot read the JWKS"):
        OidcValidator(ISSUER, AUDIENCE, tmp_path / "missing.json")
    empty = tmp_path / "empty.json"
    empty.write_text('{"keys": []}')
    with pytest.raises(ConfigError, match="no RSA or EC"):
        OidcValidator(ISSUER, AUDIENCE, empty)
