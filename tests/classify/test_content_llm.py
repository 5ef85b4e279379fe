"""The optional LLM review of uncertain datasets, against a local OpenAI-compatible stub that
records every request it gets: only masked samples and metadata leave, the answer is recorded."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from typing import Any, ClassVar

import pytest

from dataward.catalog import Catalog
from dataward.classify import scan

EMAIL = "canary.7731@example.org"
SSN = "523-71-6604"
ACCOUNT = "88812345"  # a number no detector knows: masked as <NUMBER>


class _Stub(BaseHTTPRequestHandler):
    """``POST /v1/chat/completions`` as the OpenAI API documents it: a JSON body with
    ``model`` and ``messages``; the answer's ``choices[0].message.content`` is the text."""

    bodies: ClassVar[list[dict[str, Any]]] = []
    headers_seen: ClassVar[list[dict[str, str]]] = []
    answer: ClassVar[str] = ""

    def do_POST(self) -> None:
        if self.path != "/v1/chat/completions":
            self.send_response(404)
            self.end_headers()
            return
        body = json.loads(self.rfile.read(int(self.headers["content-length"])))
        assert {"model", "messages"} <= set(body)
        type(self).bodies.append(body)
        type(self).headers_seen.append(dict(self.headers))
        reply = {
            "choices": [{"index": 0, "message": {"role": "assistant", "content": self.answer}}]
        }
        data = json.dumps(reply).encode()
        self.send_response(200)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def stub() -> Iterator[type[_Stub]]:
    _Stub.bodies = []
    _Stub.headers_seen = []
    server = HTTPServer(("127.0.0.1", 0), _Stub)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    _Stub.url = f"http://127.0.0.1:{server.server_port}/v1"  # type: ignore[attr-defined]
    yield _Stub
    server.shutdown()
    server.server_close()


def _config(tmp_path: Path, url: str, below: float = 1.0, key: str = "") -> None:
    extra = f"\n    api_key_env: {key}" if key else ""
    (tmp_path / "dataward.yaml").write_text(
        f"content:\n  llm:\n    url: {url}\n    model: stub-1\n    below: {below}{extra}\n", "utf-8"
    )


def _notes(path: Path) -> Path:
    lines = [
        f"Ticket {i}: customer {EMAIL} (SSN {SSN}, account {ACCOUNT}) asked about the invoice."
        for i in range(8)
    ]
    path.write_text("\n".join(lines) + "\n", "utf-8")
    return path


def test_review_sends_masked_samples_only_and_is_recorded(
    tmp_path: Path, stub: type[_Stub], runtime: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("STUB_KEY", "sk-test-123")
    _config(tmp_path, stub.url, key="STUB_KEY")  # type: ignore[attr-defined]
    stub.answer = json.dumps(
        {"class": "CHAT_TRANSCRIPT", "confidence": 0.8, "reason": f"support tickets by {EMAIL}"}
    )
    data = _notes(tmp_path / "tickets.txt")
    result = scan([data], workers=1)
    assert len(stub.bodies) == 1
    sent = json.dumps(stub.bodies[0])
    for canary in (EMAIL, SSN, ACCOUNT):
        assert canary not in sent
    assert "<EMAIL_ADDRESS>" in sent and "<NUMBER>" in sent
    assert stub.headers_seen[0]["authorization"] == "Bearer sk-test-123"
    payload = json.loads(stub.bodies[0]["messages"][1]["content"])
    assert payload["file"].endswith("tickets.txt") and payload["samples"]
    (d,) = result.datasets
    best = d.content_classes()[0]
    assert best["class"] == "CHAT_TRANSCRIPT" and best["source"] == "llm"
    assert EMAIL not in json.dumps(best)  # the answer's reason is masked again
    assert "INTERNAL" in d.tag_names
    cat = Catalog.open()
    try:
        rows = cat.content_classes(d.path)
    finally:
        cat.store.close()
    assert rows[0]["source"] == "llm" and rows[0]["class"] == "CHAT_TRANSCRIPT"
    scans = [e.payload for e in runtime.audit_log.events() if e.kind == "scan"]
    review = scans[-1]["datasets"][0]["content_review"]
    assert review["class"] == "CHAT_TRANSCRIPT" and review["model"] == "stub-1"
    audit = json.dumps(scans, default=str)
    for canary in (EMAIL, SSN, ACCOUNT, "sk-test-123"):
        assert canary not in audit


def test_no_review_when_confident_and_off_by_default(tmp_path: Path, stub: type[_Stub]) -> None:
    code = "import os\n\n\ndef main():\n    return os.getcwd()\n" * 5
    (tmp_path / "main.py").write_text(code, "utf-8")
    scan([tmp_path / "main.py"], record=False, workers=1)  # no content: section at all
    _config(tmp_path, stub.url, below=0.5)  # type: ignore[attr-defined]
    scan([tmp_path / "main.py"], record=False, workers=1)  # confident: not reviewed
    assert stub.bodies == []


@pytest.mark.parametrize(
    "answer", ["not json", json.dumps({"class": "NO_SUCH_CLASS", "reason": "x"})]
)
def test_an_unusable_answer_is_recorded_and_never_public(
    tmp_path: Path, stub: type[_Stub], answer: str
) -> None:
    _config(tmp_path, stub.url)  # type: ignore[attr-defined]
    stub.answer = answer
    (tmp_path / "list.txt").write_text("apples\npears\n", "utf-8")
    (d,) = scan([tmp_path / "list.txt"], record=False, workers=1).datasets
    assert d.content is not None and d.content.review is not None
    assert "error" in d.content.review
    assert d.tag_names == ["INTERNAL"]  # uncertain and not reviewed: not called public


def test_a_missing_key_sends_nothing(
    tmp_path: Path, stub: type[_Stub], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("NO_SUCH_KEY_VAR", raising=False)
    _config(tmp_path, stub.url, key="NO_SUCH_KEY_VAR")  # type: ignore[attr-defined]
    (d,) = scan([_notes(tmp_path / "t.txt")], record=False, workers=1).datasets
    assert stub.bodies == []
    assert d.content is not None and "NO_SUCH_KEY_VAR is not set" in d.content.review["error"]  # type: ignore[index]
