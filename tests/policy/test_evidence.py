"""Evidence, not claims: decide → protect with the decision → decide with the receipt."""

from __future__ import annotations

import base64
import copy
import csv
import json
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest

import dataward as dw
from dataward.audit import Signer
from dataward.policy import evidence, verify_token
from dataward.policy.decision import Decision
from dataward.protect import KeyRing
from dataward.protect.files import protect_file

SSN = "523-71-6604"
EMAIL = "zq7x41.canary@probemail-dw.net"
RING = KeyRing.from_secret(b"e" * 32)


def request(version: str = "", transforms: list[str] | None = None, **resource: Any) -> dict:  # type: ignore[type-arg]
    return {
        "principal": {"type": "ServiceAccount", "id": "trainer", "groups": ["ml"]},
        "action": "train",
        "resource": {
            "type": "Dataset",
            "id": "patients",
            "tags": ["PHI"],
            "version": version,
            **resource,
        },
        "context": {
            "purpose": "marketing",
            "job_id": "job-7",
            "transforms": transforms or [],
        },
    }


def table() -> pa.Table:
    return pa.table(
        {
            "patient_ssn": [SSN, "219-09-9999", "078-05-1120"] * 4,
            "email": [EMAIL, "bo@example.org", "cy@example.com"] * 4,
            "note": [f"Patient SSN {SSN} seen today", "no findings", "follow up"] * 4,
        }
    )


def first_decision() -> Decision:
    first = dw.decide(request("v1"), log=False)
    assert first.effect == "allow_with_obligations"
    assert [o.transform for o in first.obligations] == ["tokenize:PHI"]
    return first


def test_claims_alone_stay_denied() -> None:
    claimed = dw.decide(request("v1", ["tokenize:PHI"]), log=False)
    assert claimed.effect == "allow_with_obligations"
    assert claimed.token is None
    assert any(w.startswith(evidence.CLAIMED_WITHOUT_EVIDENCE) for w in claimed.warnings)


def test_claims_in_shadow_mode_are_logged_as_such() -> None:
    claimed = dw.decide(request("v1", ["tokenize:PHI"]), log=False, mode="shadow")
    assert claimed.effect == "allow" and claimed.evaluated_effect == "allow_with_obligations"
    assert claimed.token is None
    assert any(
        w.startswith(f"{evidence.CLAIMED_WITHOUT_EVIDENCE}: tokenize:PHI") for w in claimed.warnings
    )


def test_protect_with_decision_then_decide_with_evidence() -> None:
    first = first_decision()
    result = dw.protect(table(), decision=first, keyring=RING)
    receipt = result.receipt
    assert receipt["decision_id"] == first.decision_id
    [met] = receipt["obligations"]
    assert met["transform"] == "tokenize:PHI" and met["operator"] == "token"
    assert met["columns"]["patient_ssn"] == 12 and met["count"] >= 12
    assert receipt["output_sha256"] == evidence.content_sha256(result.data)
    assert receipt["input_sha256"] == evidence.content_sha256(table())
    assert isinstance(receipt["audit_index"], int)
    text = json.dumps(receipt) + str(result.data.to_pylist())
    assert SSN not in text and EMAIL not in text
    assert result.data.column("patient_ssn")[0].as_py().startswith("tok_")

    version = receipt["output_sha256"]
    second = dw.decide(request(version, ["tokenize:PHI"]), log=False, evidence=[receipt])
    assert second.effect == "allow", second.warnings
    assert second.token is not None
    claims = verify_token(second.token)
    assert claims["evidence"] == [evidence.receipt_digest(receipt)]
    assert claims["dataset_version"] == version
    # the receipt alone proves the transform: no claim needed in the request
    third = dw.decide(request(version), log=False, evidence=[receipt])
    assert third.effect == "allow"


def test_evidence_for_another_dataset_version_is_refused() -> None:
    first = first_decision()
    receipt = dw.protect(table(), decision=first, keyring=RING).receipt
    other = dw.decide(request("sha256:" + "0" * 64), log=False, evidence=[receipt])
    assert other.effect == "allow_with_obligations" and other.token is None
    assert any("another dataset version" in w for w in other.warnings)


def test_tampered_output_hash_is_refused() -> None:
    first = first_decision()
    receipt = dw.protect(table(), decision=first, keyring=RING).receipt
    forged_version = "sha256:" + "1" * 64
    tampered = {**receipt, "output_sha256": forged_version}
    got = dw.decide(request(forged_version), log=False, evidence=[tampered])
    assert got.effect == "allow_with_obligations" and got.token is None
    assert any("signature does not verify" in w for w in got.warnings)


def test_forged_signature_is_refused() -> None:
    first = first_decision()
    receipt = dw.protect(table(), decision=first, keyring=RING).receipt
    forger = Signer.generate()  # another key: not the deployment's
    forged = evidence.issue(
        evidence.decision_ref(first),
        receipt["obligations"],
        input_sha256=receipt["input_sha256"],
        output_sha256=receipt["output_sha256"],
        audit_index=None,
        signer=forger,
    )
    got = dw.decide(request(receipt["output_sha256"]), log=False, evidence=[forged])
    assert got.effect == "allow_with_obligations" and got.token is None
    assert any("signature does not verify" in w for w in got.warnings)
    bad = copy.deepcopy(receipt)
    bad["signature"] = base64.b64encode(b"x" * 64).decode()
    got = dw.decide(request(receipt["output_sha256"]), log=False, evidence=[bad])
    assert got.token is None and any("signature does not verify" in w for w in got.warnings)


def test_receipt_for_other_obligations_does_not_lift() -> None:
    first = first_decision()
    partial = {**first.to_dict(), "obligations": []}  # a decision JSON edited by the caller
    receipt = dw.protect(table(), decision=partial, keyring=RING).receipt
    got = dw.decide(request(receipt["output_sha256"]), log=False, evidence=[receipt])
    assert got.effect == "allow_with_obligations" and got.token is None


def _patients(path: Path) -> Path:
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["patient_ssn", "email", "diagnosis"])
        for i in range(30):
            w.writerow([SSN if i == 0 else f"219-09-{1000 + i}", EMAIL, "asthma"])
    return path


def test_protect_file_receipt_binds_the_output_path(tmp_path: Path) -> None:
    src = _patients(tmp_path / "patients.csv")
    out = tmp_path / "patients.protected.csv"
    first = first_decision()
    report = protect_file(src, out, decision=first.to_dict(), keyring=RING)
    receipt = report.receipt
    assert receipt is not None
    assert receipt["output_sha256"] == evidence.file_sha256(out)
    assert receipt["input_sha256"] == evidence.file_sha256(src)
    assert receipt["obligations"][0]["columns"].get("patient_ssn") == 30
    by_path = dw.decide(request(id=str(out)), log=False, evidence=[receipt])
    assert by_path.effect == "allow" and by_path.token is not None
    out.write_text(out.read_text() + "x,y,z\n")  # the output changed after protect
    changed = dw.decide(request(id=str(out)), log=False, evidence=[receipt])
    assert changed.token is None
    assert any("another dataset version" in w for w in changed.warnings)


def test_cli_protect_with_decision_and_decide_with_evidence(cli: Any, tmp_path: Path) -> None:
    src = _patients(tmp_path / "patients.csv")
    out = tmp_path / "out.csv"
    req_path = tmp_path / "request.json"
    req_path.write_text(json.dumps(request("v1")))
    r = cli("decide", str(req_path), "--no-log")
    assert r.code == 0, r.err
    decision_path = tmp_path / "decision.json"
    decision_path.write_text(r.out)
    r = cli("protect", str(src), str(out), "--decision", str(decision_path), "-q")
    assert r.code == 0, r.err
    receipt_path = tmp_path / "out.csv.receipt.json"
    receipt = json.loads(receipt_path.read_text())
    assert receipt["output_sha256"] == evidence.file_sha256(out)
    req_path.write_text(json.dumps(request(receipt["output_sha256"], ["tokenize:PHI"])))
    r = cli("decide", str(req_path), "--no-log")
    assert json.loads(r.out)["effect"] == "allow_with_obligations"
    r = cli("decide", str(req_path), "--no-log", "--evidence", str(receipt_path))
    got = json.loads(r.out)
    assert got["effect"] == "allow" and "token" in got
    assert verify_token(got["token"])["evidence"] == [evidence.receipt_digest(receipt)]


def test_docs_evidence_example_runs() -> None:
    doc = (Path(__file__).parents[2] / "docs" / "policy.md").read_text(encoding="utf-8")
    section = doc[doc.index("## Evidence") :]
    block = section[section.index("```python\n") + 10 :]
    block = block[: block.index("```")]
    exec(compile(block, "docs/policy.md#evidence", "exec"), {})


def test_receipts_of_a_folder_bind_together(tmp_path: Path) -> None:
    landing, out = tmp_path / "landing", tmp_path / "protected"
    landing.mkdir()
    out.mkdir()
    first = first_decision()
    receipts = []
    for name in ("a.csv", "b.csv"):
        src = _patients(landing / name)
        report = protect_file(src, out / name, decision=first, keyring=RING)
        assert report.receipt is not None
        receipts.append(report.receipt)
    version = evidence.dataset_sha256(r["output_sha256"] for r in receipts)
    assert version == evidence.folder_sha256(out)
    by_folder = dw.decide(request(id=str(out)), log=False, evidence=receipts)
    assert by_folder.effect == "allow" and by_folder.token is not None
    assert sorted(verify_token(by_folder.token)["evidence"]) == sorted(
        evidence.receipt_digest(r) for r in receipts
    )
    # one receipt is not the whole folder; a file nobody protected breaks the binding
    one = dw.decide(request(id=str(out)), log=False, evidence=receipts[:1])
    assert one.token is None and any("another dataset version" in w for w in one.warnings)
    (out / "c.csv").write_text("patient_ssn\n523-71-6604\n")
    added = dw.decide(request(id=str(out)), log=False, evidence=receipts)
    assert added.token is None and any("another dataset version" in w for w in added.warnings)


def test_receipt_never_holds_a_value_from_a_header(tmp_path: Path) -> None:
    src = tmp_path / "h.csv"
    src.write_text(f"{EMAIL},ssn\na@b.org,{SSN}\nc@d.org,219-09-9999\n", encoding="utf-8")
    report = protect_file(src, tmp_path / "o.csv", decision=first_decision(), keyring=RING)
    text = json.dumps(report.receipt)
    assert EMAIL not in text and SSN not in text
    assert report.receipt is not None and report.receipt["obligations"][0]["columns"]["ssn"] == 2


def test_cli_protect_with_a_bad_decision_is_a_config_error(cli: Any, tmp_path: Path) -> None:
    src = _patients(tmp_path / "p.csv")
    bad = tmp_path / "d.json"
    bad.write_text('{"effect": "allow"}')
    r = cli("protect", str(src), str(tmp_path / "o.csv"), "--decision", str(bad))
    assert r.code == 2 and "decision_id" in r.err
    assert not (tmp_path / "o.csv").exists()


def test_revalidate_needs_the_receipts_the_token_names() -> None:
    from dataward.policy import revalidate

    first = first_decision()
    receipt = dw.protect(table(), decision=first, keyring=RING).receipt
    current = request(receipt["output_sha256"])
    token = dw.decide(current, log=False, evidence=[receipt]).token
    assert token is not None
    assert revalidate(token, current, evidence=[receipt]).valid
    claimed = request(receipt["output_sha256"], ["tokenize:PHI"])
    check = revalidate(token, claimed)  # the claim, without the receipt, holds nothing
    assert not check.valid
    assert any("receipt(s) the token names" in p for p in check.problems)


def test_a_caller_version_does_not_stand_in_for_the_data_the_id_names(tmp_path: Path) -> None:
    """The version the request names also bound receipts when its id named a file: a receipt of
    some other protected file, with its hash as the version, lifted the obligations on the raw
    file the request names."""
    raw = _patients(tmp_path / "patients.csv")
    other = _patients(tmp_path / "other.csv")
    out = tmp_path / "other.protected.csv"
    receipt = protect_file(other, out, decision=first_decision().to_dict(), keyring=RING).receipt
    assert receipt is not None
    borrowed = dw.decide(
        request(receipt["output_sha256"], id=str(raw)), log=False, evidence=[receipt]
    )
    assert borrowed.token is None
    assert any("another dataset version" in w for w in borrowed.warnings)


def test_protect_under_a_decision_always_verifies(tmp_path: Path) -> None:
    """A receipt was issued for an output nobody re-scanned (--no-verify)."""
    from dataward.errors import ConfigError

    src = _patients(tmp_path / "patients.csv")
    out = tmp_path / "out.csv"
    decision = first_decision().to_dict()
    with pytest.raises(ConfigError, match="must verify its output"):
        protect_file(src, out, decision=decision, keyring=RING, verify=False)
    assert not out.exists()


def test_protect_in_memory_under_a_decision_reads_its_output_back(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A receipt is issued only for data read back clean, in memory as for files (the SDK path
    issued one for whatever the protector returned): a protector that leaks gets no receipt."""
    from dataward.protect.protector import Protector
    from dataward.protect.verify import VerifyError

    first = first_decision()
    clean = dw.protect(table(), decision=first, keyring=RING)  # the real protector: a receipt
    assert clean.receipt["decision_id"] == first.decision_id

    leaky = Protector._text_once

    def leaks_the_note(self: Protector, text: str, column: str | None, *a: Any, **k: Any) -> Any:
        out = leaky(self, text, column, *a, **k)
        return (text, out[1]) if column == "note" else out

    monkeypatch.setattr(Protector, "_text_once", leaks_the_note)
    with pytest.raises(VerifyError) as caught:
        dw.protect(table(), decision=first, keyring=RING)
    assert SSN not in str(caught.value)
