"""Generic credentials through the engine, on the Hyperscan and ``re`` backends alike."""

from __future__ import annotations

import pytest

from dataward.detect.detectors.secrets.generic import (
    ConnectionStringDetector,
    GenericSecretDetector,
    JwtDetector,
    PasswordDetector,
    PrivateKeyDetector,
)
from dataward.detect.engine import Engine, available_backends

BACKENDS = [b for b in ("hyperscan", "re") if b in available_backends()]
DETECTORS = (
    PasswordDetector(),
    GenericSecretDetector(),
    JwtDetector(),
    ConnectionStringDetector(),
    PrivateKeyDetector(),
)
_ENGINES: dict[str, Engine] = {}

_PEM = (
    "-----BEGIN RSA PRIVATE KEY-----\n"
    "MIIBOgIBAAJBAKj34GkxFhD90vcNLYLInFEX6Ppy1tPf9Cnzj4p4WGeKLs1Pt8Qu\n"
    "KUpRKfFLfRYC9AIKjbJTWit+CqvjWYzvQwECAwEAAQJAIJLixBy2qpFoS4DSmoEm\n"
    "-----END RSA PRIVATE KEY-----"
)
# header {"alg":"HS256","typ":"JWT"}, claims {"sub":"1234567890","name":"Ada"}
_JWT = (
    "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkFkYSJ9"
    ".SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c"
)


def _engine(backend: str) -> Engine:
    if backend not in _ENGINES:
        _ENGINES[backend] = Engine(list(DETECTORS), backend=backend)  # type: ignore[arg-type]
    return _ENGINES[backend]


def _found(text: str, backend: str) -> list[tuple[str, str]]:
    return [(f.entity, text[f.start : f.end]) for f in _engine(backend).detect(text, language="en")]


HITS = [
    ('db_password = "Prl23Db#@"', "PASSWORD", "Prl23Db#@"),
    ("'passwd' => 'n84ASM54y4',", "PASSWORD", "n84ASM54y4"),
    ('{"password": "Sne3sd8AZjq"}', "PASSWORD", "Sne3sd8AZjq"),
    ("DB_PASSWORD=2bkJgtJDiLcq1t\n", "PASSWORD", "2bkJgtJDiLcq1t"),
    ("  pwd: nCzx8A8#!\n", "PASSWORD", "nCzx8A8#!"),
    ('def connect(passwd: str = "cq2tPr1a2"):', "PASSWORD", "cq2tPr1a2"),
    ('#define PASSWORD "n84ASM54y4"', "PASSWORD", "n84ASM54y4"),
    ("mysql -u root --password Sne3sd8AZjq", "PASSWORD", "Sne3sd8AZjq"),
    ('curl -X PUT -u "admin:dG9rZW4g" https://127.0.0.1', "PASSWORD", "dG9rZW4g"),
    ("CREATE USER bob IDENTIFIED BY 'SqLpa5sW0rD';", "PASSWORD", "SqLpa5sW0rD"),
    ("<password>IhqSb1Gg</password>", "PASSWORD", "IhqSb1Gg"),
    ('<add key="DbPassword" value="h7Gq2mZ9!"/>', "PASSWORD", "h7Gq2mZ9!"),
    ("Authorization: Basic YWRtaW46czNjcjN0UGFzcw==", "PASSWORD", "YWRtaW46czNjcjN0UGFzcw=="),
    ("Das Passwort ist Gx7!kq2Pz", "PASSWORD", "Gx7!kq2Pz"),
    ('client_secret = "AIhq5Xyb1Gga9Q0zR"', "GENERIC_SECRET", "AIhq5Xyb1Gga9Q0zR"),
    ("API_TOKEN: b035d48j9X2dfjF0hb9sd8Guf5hW\n", "GENERIC_SECRET", "b035d48j9X2dfjF0hb9sd8Guf5hW"),
    (
        "Authorization: Bearer kT8sd9Fq2LmZx7Pw0aQe4RtY",
        "GENERIC_SECRET",
        "kT8sd9Fq2LmZx7Pw0aQe4RtY",
    ),
    (f"token = {_JWT}", "JWT", _JWT),
    (
        'url = "postgres://app:Xk29fQp7Lz@db.internal:5432/app"',
        "CONNECTION_STRING",
        "postgres://app:Xk29fQp7Lz@db.internal:5432",
    ),
    (
        "Server=tcp:sql.local;Database=app;User ID=sa;Password=Xk29fQp7Lz;",
        "CONNECTION_STRING",
        "Server=tcp:sql.local;Database=app;User ID=sa;Password=Xk29fQp7Lz",
    ),
    (f'KEY = """{_PEM}"""', "PRIVATE_KEY", _PEM),
    ("-----BEGIN OPENSSH PRIVATE KEY-----\n", "PRIVATE_KEY", "-----BEGIN OPENSSH PRIVATE KEY-----"),
]


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize(("text", "entity", "value"), HITS)
def test_hits(text: str, entity: str, value: str, backend: str) -> None:
    assert (entity, value) in _found(text, backend)


NEGATIVES = [
    'password = "changeme"',
    'password = "your_password_here"',
    "password = ${DB_PASSWORD}",
    'password: "{{ vault_db_password }}"',
    "password = os.environ['DB_PASSWORD']",
    "password = getpass.getpass()",
    "password = self.password",
    "password = user_password",
    'password = "abc"',
    'password = ""',
    'password = "<your password>"',
    'password = "Please enter your password"',
    "password: keep empty",
    'bypass = "cackle!"',
    "PASSWORD=$PASSWORD",
    'curl -u "$USER:$PASSWORD" https://example.org',
    'api_token = "123e4567-e89b-12d3-a456-426614174000"',
    'secret = "xxxxxxxxxxxxxxxxxxxx"',
    'access_token = "example-access-token-1234"',
    'token = request.headers.get("token")',
    "max_tokens = 4096",
    'sha256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"',
    "commit d41d8cd98f00b204e9800998ecf8427e",
    'secret_path = "/etc/ssl/private/server.key"',
    'auth_url = "https://login.example.org/oauth/token"',
    "postgres://user:${DB_PASS}@db:5432/app",
    "https://user@example.org/path",
    "-----BEGIN PUBLIC KEY-----",
    "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ0ZXN0In0.99l-EXAMPLEFAKESIG",
    "the password reset link",
]


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("text", NEGATIVES)
def test_hard_negatives(text: str, backend: str) -> None:
    assert _found(text, backend) == []


def test_backends_agree() -> None:
    texts = [h[0] for h in HITS] + NEGATIVES
    results = {b: [_found(t, b) for t in texts] for b in BACKENDS}
    assert len({repr(r) for r in results.values()}) == 1


def test_unterminated_pem_reports_the_header_only() -> None:
    text = "-----BEGIN EC PRIVATE KEY-----\nMHcCAQEEIIrYSSNQFaA2Hwf1duRSxKtLYX5CB04fSeQ6tF1aY/PuoAoGCCqGSM49\n"
    found = _found(text, BACKENDS[0])
    assert ("PRIVATE_KEY", "-----BEGIN EC PRIVATE KEY-----") in found
    assert all(entity != "PRIVATE_KEY" or "\n" not in value for entity, value in found)
