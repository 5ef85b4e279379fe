from __future__ import annotations

import stat
import threading
from pathlib import Path

import pytest

from dataward.audit import default_signer
from dataward.audit.checkpoint import open_checkpoint, parse_checkpoint, parse_note
from dataward.errors import AuditError
from dataward.keys import AUDIT, Signer, Verifier

KEY_FILE = AUDIT.file


def test_key_created_on_first_use_with_mode_0600(tmp_path: Path) -> None:
    signer = default_signer()
    path = tmp_path / "home" / KEY_FILE
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert path.read_text().startswith("-----BEGIN PRIVATE KEY-----")
    assert default_signer().public_key == signer.public_key  # loaded, not replaced
    assert [p.name for p in path.parent.iterdir()] == [KEY_FILE]  # no temp files left


def test_racing_creators_agree_on_one_key(tmp_path: Path) -> None:
    path = tmp_path / "race" / KEY_FILE
    keys: list[bytes] = []
    threads = [
        threading.Thread(target=lambda: keys.append(Signer.load_or_create(path).public_key))
        for _ in range(8)
    ]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert len(keys) == 8 and len(set(keys)) == 1


def test_secret_never_in_repr(tmp_path: Path) -> None:
    signer = Signer.load_or_create(tmp_path / KEY_FILE)
    pem = (tmp_path / KEY_FILE).read_text()
    body = "".join(pem.splitlines()[1:-1])
    assert body not in repr(signer) and "PRIVATE" not in repr(signer)


def test_unreadable_key_file_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / KEY_FILE
    path.write_text("not a key")
    with pytest.raises(AuditError, match="cannot read the audit signing key"):
        Signer.load_or_create(path)


def test_note_and_verifier_key_formats() -> None:
    signer = Signer.generate()
    name = "example.com/log"
    verifier = signer.verifier(name)
    encoded = verifier.encode()
    assert encoded.startswith("example.com/log+") and Verifier.parse(encoded) == verifier
    note = signer.sign_note(name, f"{name}\n3\n{'A' * 43}=\n")
    parsed = parse_note(note)
    assert parsed.text == f"{name}\n3\n{'A' * 43}=\n"
    assert parsed.signatures[0][:2] == (name, verifier.key_id)
    assert open_checkpoint(note, verifier).size == 3
    with pytest.raises(AuditError, match="does not verify"):
        open_checkpoint(note.replace("\n3\n", "\n4\n"), verifier)
    with pytest.raises(AuditError, match="key id does not match"):
        Verifier.parse(encoded.replace("+", "+00", 1))


@pytest.mark.parametrize(
    "text",
    ["origin\n", "origin\n01\nAAAA\n", "origin\n1\nnot base64!\n", "origin\n1\nAAAA\n", "\n1\n"],
)
def test_malformed_checkpoints(text: str) -> None:
    with pytest.raises(AuditError, match="malformed checkpoint"):
        parse_checkpoint(text)


def test_one_loader_for_both_signing_purposes(tmp_path: Path) -> None:
    """The go-token key and the audit key are made and read by the same loader: same file mode,
    and a damaged file is an error of the purpose's kind naming the purpose (before, a damaged
    go-token key file raised a bare ValueError from the PEM parser)."""
    from dataward.errors import TokenError
    from dataward.keys import GO_TOKEN, load_signer
    from dataward.policy.tokens import key_path

    path = key_path()
    assert path.name == GO_TOKEN.file
    signer = load_signer(path, GO_TOKEN)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert load_signer(path, GO_TOKEN).public_key == signer.public_key
    assert signer.public_key != default_signer().public_key  # one key per purpose
    damaged = tmp_path / "damaged.key"
    damaged.write_text("not a key")
    with pytest.raises(TokenError, match="cannot read the go-token signing key"):
        load_signer(damaged, GO_TOKEN)
    with pytest.raises(AuditError, match="cannot read the audit signing key"):
        load_signer(damaged, AUDIT)


def test_a_replaced_key_file_is_read_again(tmp_path: Path) -> None:
    from dataward.keys import GO_TOKEN, load_signer

    path = tmp_path / GO_TOKEN.file
    first = load_signer(path, GO_TOKEN)
    path.unlink()
    assert load_signer(path, GO_TOKEN).public_key != first.public_key


def test_the_protect_package_re_exports_the_key_ring() -> None:
    import dataward.keys
    import dataward.protect

    for name in ("KeyRing", "MasterKey", "AwsKms", "Kms", "LocalKms"):
        assert getattr(dataward.protect, name) is getattr(dataward.keys, name)
