from __future__ import annotations

import json
import os
import pickle
import stat
from pathlib import Path
from typing import Any

import pytest

from dataward.errors import DatawardError
from dataward.keys import kms as kms_module
from dataward.protect import (
    AwsKms,
    KeyRing,
    KeyringError,
    LocalKms,
    RevealError,
    get_operator,
    reverse,
)

CANARY = b"CANARY-KEY-MATERIAL-0123456789ab"


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_key_file_is_created_once_with_mode_0600(tmp_path: Path) -> None:
    ring = KeyRing.load_or_create(tmp_path / "home")
    path = tmp_path / "home" / "keys.json"
    assert ring.path == path and path.exists()
    assert _mode(path) == 0o600
    assert _mode(path.parent) == 0o700
    again = KeyRing.load_or_create(tmp_path / "home")
    assert again.subkey("hash") == ring.subkey("hash")
    assert not [p for p in path.parent.iterdir() if p.name.startswith(".tmp-")]


def test_default_home_comes_from_settings(tmp_path: Path) -> None:
    ring = KeyRing.load_or_create()  # DATAWARD_HOME is tmp_path/home (conftest)
    assert ring.path == Path(os.environ["DATAWARD_HOME"]) / "keys.json"


def test_rotation_adds_a_primary_version_and_keeps_old_ones(tmp_path: Path) -> None:
    ring = KeyRing.load_or_create(tmp_path)
    token = get_operator("token", keyring=ring).apply("ada@example.org")
    assert ring.rotate() == 2
    assert ring.primary == 2 and ring.versions == [1, 2]
    assert _mode(tmp_path / "keys.json") == 0o600
    reloaded = KeyRing.load_or_create(tmp_path)
    assert reloaded.primary == 2
    new_token = get_operator("token", keyring=reloaded).apply("ada@example.org")
    assert new_token.startswith("tok_2_") and token.startswith("tok_1_")
    assert reverse("token", token, reloaded) == "ada@example.org"
    assert reverse("token", new_token, reloaded) == "ada@example.org"


def test_subkeys_differ_per_purpose_context_and_version() -> None:
    ring = KeyRing.from_secret(CANARY)
    ring.rotate()
    keys = {
        ring.subkey("hash"),
        ring.subkey("token"),
        ring.subkey("hash", context="email"),
        ring.subkey("hash", version=1),
        ring.subkey("hash", version=1, context="email"),
    }
    assert len(keys) == 5
    assert ring.subkey("hash") == ring.subkey("hash", version=2)
    with pytest.raises(KeyringError, match="version 9"):
        ring.subkey("hash", version=9)


def test_group_readable_key_file_is_refused(tmp_path: Path) -> None:
    KeyRing.load_or_create(tmp_path)
    (tmp_path / "keys.json").chmod(0o644)
    with pytest.raises(KeyringError, match="chmod 600"):
        KeyRing.load_or_create(tmp_path)


def test_damaged_key_file_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "keys.json"
    path.write_text("{not json")
    path.chmod(0o600)
    with pytest.raises(KeyringError, match="not a Dataward key file"):
        KeyRing.load(path)


def test_canary_key_never_appears_in_repr_str_errors_or_pickles_of_operators(
    tmp_path: Path,
) -> None:
    ring = KeyRing.from_secret(CANARY)
    texts = [repr(ring), str(ring), repr(ring._keys[1])]
    for name in ("hash", "token", "fpe", "encrypt", "date-shift", "surrogate"):
        op = get_operator(name, keyring=ring)
        op.apply("2024-01-01" if name == "date-shift" else "1234567890")
        texts += [repr(op), str(op)]
    errors: list[BaseException] = []
    for call in (
        lambda: reverse("token", "tok_1_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", ring),
        lambda: reverse("encrypt", "enc_1_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", ring),
        lambda: reverse("token", "tok_7_AAAA", ring),
        lambda: ring.subkey("hash", version=3),
        lambda: get_operator("fpe", keyring=ring).apply("12"),
    ):
        with pytest.raises(DatawardError) as info:
            call()
        errors.append(info.value)
    texts += [str(e) for e in errors] + [repr(e) for e in errors]
    texts += [repr(getattr(e, "context", "")) for e in errors]
    secrets = [CANARY, CANARY.hex().encode(), ring.subkey("token"), ring.subkey("hash")]
    for text in texts:
        for secret in secrets:
            assert secret.decode("latin-1") not in text
            assert secret.hex() not in text
    ring.save(tmp_path / "keys.json")
    assert _mode(tmp_path / "keys.json") == 0o600


def test_pickled_ring_keeps_keys_for_worker_processes() -> None:
    ring = KeyRing.from_secret(CANARY)
    clone = pickle.loads(pickle.dumps(ring))
    assert clone.subkey("token") == ring.subkey("token")


def test_envelope_encryption_with_local_kms(tmp_path: Path) -> None:
    kms = LocalKms.load_or_create(tmp_path / "kek" / "kek.key")
    assert _mode(tmp_path / "kek" / "kek.key") == 0o600
    ring = KeyRing.load_or_create(tmp_path / "home", kms=kms)
    doc = json.loads((tmp_path / "home" / "keys.json").read_text())
    assert doc["kms"]["kind"] == "local"
    assert all("wrapped" in k and "material" not in k for k in doc["keys"])
    token = get_operator("token", keyring=ring).apply("ada")
    # The file names its KMS, so it loads without passing it again.
    again = KeyRing.load_or_create(tmp_path / "home")
    assert reverse("token", token, again) == "ada"
    ring.rotate()
    assert json.loads((tmp_path / "home" / "keys.json").read_text())["primary"] == 2
    wrong = LocalKms(os.urandom(32), key_id=kms.key_id)
    with pytest.raises(KeyringError, match="wrong KEK"):
        KeyRing.load(tmp_path / "home" / "keys.json", kms=wrong)


def test_wrapped_keys_without_a_kms_are_refused(tmp_path: Path) -> None:
    ring = KeyRing.load_or_create(tmp_path, kms=LocalKms(os.urandom(32)))
    assert ring.versions == [1]
    with pytest.raises(KeyringError, match="pass kms"):
        KeyRing.load(tmp_path / "keys.json")


class FakeKmsClient:
    """Stands in for boto3's KMS client: records calls, 'encrypts' by reversing bytes."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, dict[str, Any]]] = []

    def encrypt(self, **kwargs: Any) -> dict[str, Any]:
        self.calls.append(("encrypt", kwargs))
        return {"CiphertextBlob": kwargs["Plaintext"][::-1], "KeyId": kwargs["KeyId"]}

    def decrypt(self, **kwargs: Any) -> dict[str, Any]:
        self.calls.append(("decrypt", kwargs))
        return {"Plaintext": kwargs["CiphertextBlob"][::-1]}


def test_aws_kms_calls_encrypt_and_decrypt_with_context() -> None:
    client = FakeKmsClient()
    kms = AwsKms("alias/dataward", client=client)
    wrapped = kms.wrap(b"k" * 32, {"version": "1"})
    assert kms.unwrap(wrapped, {"version": "1"}) == b"k" * 32
    assert [c[0] for c in client.calls] == ["encrypt", "decrypt"]
    assert client.calls[0][1]["KeyId"] == "alias/dataward"
    assert client.calls[0][1]["EncryptionContext"] == {"version": "1"}
    assert kms.describe() == {"kind": "aws", "key_id": "alias/dataward"}
    assert "k" * 32 not in repr(kms)


def test_aws_kms_errors_name_the_code_not_the_key() -> None:
    class DeniedError(Exception):
        response = {"Error": {"Code": "AccessDeniedException"}}  # noqa: RUF012

    class Client:
        def decrypt(self, **kwargs: Any) -> dict[str, Any]:
            raise DeniedError("secret detail")

    with pytest.raises(KeyringError, match="AccessDeniedException") as info:
        AwsKms("alias/x", client=Client()).unwrap(b"blob", {})
    assert "secret detail" not in str(info.value)


def test_aws_kms_imports_boto3_lazily_with_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    real = kms_module.importlib.import_module

    def no_boto3(name: str, *args: Any) -> Any:
        if name == "boto3":
            raise ImportError("no boto3")
        return real(name, *args)

    kms = AwsKms("alias/dataward")  # constructing never imports boto3
    monkeypatch.setattr(kms_module.importlib, "import_module", no_boto3)
    with pytest.raises(KeyringError, match=r"pip install 'dataward\[aws\]'"):
        kms.wrap(b"k" * 32, {})


def test_tokens_need_the_right_key() -> None:
    token = get_operator("token", keyring=KeyRing.from_secret(CANARY)).apply("ada")
    with pytest.raises(RevealError, match="wrong key"):
        reverse("token", token, KeyRing.generate())


# --- the store remembers the ring -------------------------------------------------------------

EMAIL = "zq7x41.canary@probemail-dw.net"


def _protected_token(cli: Any, tmp_path: Path) -> str:
    (tmp_path / "in.csv").write_text(f"id,email\n1,{EMAIL}\n")
    result = cli("protect", "in.csv", "out.csv", "-q")
    assert result.code == 0, result.err
    token = (tmp_path / "out.csv").read_text().splitlines()[1].split(",")[1].strip('"')
    assert token != EMAIL
    return token


def test_a_deleted_key_file_is_an_error_not_a_new_ring(cli: Any, tmp_path: Path) -> None:
    token = _protected_token(cli, tmp_path)
    keys = tmp_path / "home" / "keys.json"
    backup = keys.read_bytes()
    keys.unlink()
    for args in (("reveal", token), ("protect", "in.csv", "again.csv", "-q")):
        result = cli(*args)
        assert result.code != 0
        assert "key ring is missing" in result.err and "backup" in result.err
        assert len(result.err.strip().splitlines()) == 1
        assert EMAIL not in result.out + result.err
        assert not keys.exists()  # no new ring
    assert not (tmp_path / "again.csv").exists()
    keys.write_bytes(backup)  # the fix the error names
    keys.chmod(0o600)
    result = cli("reveal", token)
    assert result.code == 0 and result.out.strip() == EMAIL


def test_a_replaced_key_file_is_refused(tmp_path: Path) -> None:
    first = KeyRing.load_or_create(tmp_path / "home")
    (tmp_path / "home" / "keys.json").unlink()
    KeyRing.generate().save(tmp_path / "home" / "keys.json")
    with pytest.raises(KeyringError, match="was replaced") as info:
        KeyRing.load_or_create(tmp_path / "home")
    assert first.fingerprint in str(info.value)


def test_a_retired_ring_can_be_replaced_and_rotation_keeps_the_fingerprint(tmp_path: Path) -> None:
    from dataward.keys import retire_keyring

    ring = KeyRing.load_or_create()
    fingerprint = ring.fingerprint
    ring.rotate()
    assert KeyRing.load_or_create().fingerprint == fingerprint  # same ring, new primary
    (tmp_path / "home" / "keys.json").unlink()
    with pytest.raises(KeyringError, match="missing"):
        KeyRing.load_or_create()
    assert retire_keyring(fingerprint) == 1
    assert KeyRing.load_or_create().fingerprint != fingerprint


def test_a_deleted_local_kek_is_an_error_not_a_new_kek(tmp_path: Path) -> None:
    kek = tmp_path / "kek" / "kek.key"
    KeyRing.load_or_create(tmp_path / "home", kms=LocalKms.load_or_create(kek))
    kek.unlink()
    with pytest.raises(KeyringError, match=r"KEK.*missing: restore it"):
        KeyRing.load_or_create(tmp_path / "home")
    assert not kek.exists()
