"""Hard-negative filters and entropy helpers of the secret detectors."""

from __future__ import annotations

import pytest

from dataward.detect.detectors.secrets.filters import (
    charset,
    has_secret_shape,
    is_code_identifier,
    is_hex_digest,
    is_reference,
    is_uuid,
    looks_fake,
    looks_like_code,
    shannon_entropy,
)


@pytest.mark.parametrize(
    "value",
    [
        "example-key-123",
        "changeme",
        "your_api_key_here",
        "xxxxxxxxxxxx",
        "********",
        "<token>",
        "TODO",
        "dummy_secret_1",
        "test_password",
        "fake-token",
        "sample123",
        "${DB_PASSWORD}",
        "{{ db_password }}",
        "%(password)s",
        "$PASSWORD",
        "os.environ['API_TOKEN']",
        "process.env.SECRET",
        'getenv("TOKEN")',
        "${{ secrets.GITHUB_TOKEN }}",
        "vault:secret/data/db#password",
        "123e4567-e89b-12d3-a456-426614174000",
        "/etc/ssl/private/server.key",
        "./config/secrets.yaml",
        "https://api.example.org/v1/token",
        "user_password",
        "userPassword",
        "self.db.password",
        "aaaaaaaaaaaa",
        "12345678",
        "abcdefgh",
    ],
)
def test_looks_fake_rejects(value: str) -> None:
    assert looks_fake(value) is not None


@pytest.mark.parametrize(
    "value",
    ["Prl23Db#@", "AIhq5Xyb1Gga9Q0", "n84ASM54y4", "wJalrXUtnFEMI/K7MDENG+bPxRfiCY", "cackle!"],
)
def test_looks_fake_keeps_real_values(value: str) -> None:
    assert looks_fake(value) is None


def test_reason_never_quotes_the_value() -> None:
    reason = looks_fake("example-Zq81")
    assert reason is not None and "Zq81" not in reason


def test_hex_digest_needs_hash_context() -> None:
    digest = "d41d8cd98f00b204e9800998ecf8427e"
    assert is_hex_digest(digest, "md5 checksum of the file")
    assert not is_hex_digest(digest, "api_key = ")
    assert looks_fake(
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", "sha256 = "
    )
    assert looks_fake(digest, "secret = ") is None


def test_entropy_and_charset() -> None:
    assert shannon_entropy("") == 0.0
    assert shannon_entropy("aaaa") == 0.0
    assert shannon_entropy("abcd") == pytest.approx(2.0)
    assert charset("123") == "digits"
    assert charset("deadbeef") == "hex"
    assert charset("Abz123") == "alnum"
    assert charset("ab+/c=") == "base64"
    assert charset("ab-_c") == "base64url"
    assert charset("a b!") == "ascii"
    assert has_secret_shape("AIhq5Xyb1Gga9Q0x", min_length=16)
    assert not has_secret_shape("aaaaaaaaaaaaaaaaaaaa")
    assert not has_secret_shape("12345678901234567890")


def test_shapes() -> None:
    assert is_uuid("{123E4567-E89B-12D3-A456-426614174000}")
    assert not is_uuid("123e4567e89b12d3a456426614174000")
    assert is_reference("$env:API_TOKEN")
    assert not is_reference("Prl23Db#@")
    assert is_code_identifier("get_user_token")
    assert is_code_identifier("config.secret")
    assert not is_code_identifier("AIhq5Xyb1Gga9Q0")
    assert looks_like_code("getpass.getpass(") is not None
    assert looks_like_code("password") is not None
    assert looks_like_code("Sne3sd8AZjq") is None
