"""The gateway with the real OpenAI client, in front of a stub upstream that records what it
received: round trips, streams that split placeholders, tool calls, conversations, blocking,
failing closed, and canaries that must reach neither the upstream nor the audit log."""

from __future__ import annotations

import json
import logging
import re
from typing import Any

import openai
import pytest

from dataward.gateway import CONVERSATION_HEADER, Mode
from dataward.server.apikeys import create_key
from tests.gateway.conftest import UPSTREAM_KEY, Gateway

EMAIL = "canary.7731@example.org"
SSN = "536-22-8417"
NAME = "Margaret Thornbury"
PHONE = "+1 415-555-0199"
CANARIES = (EMAIL, SSN, NAME, PHONE)
PROMPT = f"Please email {EMAIL} about SSN {SSN} for {NAME}, phone {PHONE}."
AWS_KEY = "AKIAZ7Q3K4TR8WX2MPLV"
PLACEHOLDER = re.compile(r"<[A-Z_]{1,40}_[0-9]{1,4}>")


def chat(gw: Gateway, text: str, **kwargs: Any) -> Any:
    return gw.client().chat.completions.create(
        model="stub-1", messages=[{"role": "user", "content": text}], **kwargs
    )


def gateway_events(gw: Gateway) -> list[dict[str, Any]]:
    return [
        {"actor": e.actor, **(e.payload or {})}
        for e in gw.runtime.audit_log.events()
        if e.kind == "gateway"
    ]


def assert_no_canary(*texts: str) -> None:
    for text in texts:
        for canary in CANARIES:
            assert canary not in text


def audit_text(gw: Gateway) -> str:
    log = gw.runtime.audit_log
    return "\n".join(log.canonical(i).decode() for i in range(log.size()))


def test_pseudonymized_round_trip(gateway: Gateway, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    answer = chat(gateway, PROMPT)
    assert answer.choices[0].message.content == PROMPT  # the stub echoed; the caller got it back
    (sent,) = gateway.stub.received
    assert_no_canary(sent)
    upstream_text = json.loads(sent)["messages"][0]["content"]
    assert sorted(PLACEHOLDER.findall(upstream_text)) == [
        "<EMAIL_ADDRESS_1>",
        "<PERSON_1>",
        "<PHONE_NUMBER_1>",
        "<US_SSN_1>",
    ]
    # the upstream got its own key, never the caller's Dataward key
    assert gateway.stub.headers[0]["authorization"] == f"Bearer {UPSTREAM_KEY}"
    assert gateway.key not in json.dumps(gateway.stub.headers)
    events = gateway_events(gateway)
    assert [e["stage"] for e in events] == ["prompt", "completion"]
    prompt = events[0]
    assert prompt["action"] == "pseudonymize"
    assert prompt["findings"] == {"EMAIL_ADDRESS": 1, "US_SSN": 1, "PERSON": 1, "PHONE_NUMBER": 1}
    assert prompt["model"] == "stub-1" and len(prompt["sha256"]) == 64
    assert prompt["actor"].startswith("apikey:")
    assert_no_canary(audit_text(gateway), caplog.text)
    assert gateway.runtime.audit_log.verify().events == 2


@pytest.mark.parametrize("piece", [1, 2, 3, 5, 7, 11])
def test_stream_restores_placeholders_split_across_chunks(gateway: Gateway, piece: int) -> None:
    gateway.stub.piece = piece
    stream = chat(gateway, PROMPT, stream=True)
    pieces = [c.choices[0].delta.content or "" for c in stream if c.choices]
    assert "".join(pieces) == PROMPT
    sent = json.loads(gateway.stub.received[0])["messages"][0]["content"]
    assert_no_canary(sent)
    # the upstream's chunks cut placeholders (pieces shorter than any placeholder); the
    # caller never sees a piece of one
    assert any("<" in p and not PLACEHOLDER.search(p) for p in gateway.stub.pieces(sent))
    assert not any(re.search(r"<[A-Z_0-9]*$|^[A-Z_0-9]*>", p) for p in pieces)
    # held back: a placeholder's start and the word being written (a key may be ending
    # there); the text still streams, word by word
    assert sum(1 for p in pieces if p) >= len(PROMPT.split()) // 2


def test_tool_call_arguments_round_trip(gateway: Gateway) -> None:
    tools = [{"type": "function", "function": {"name": "send_mail", "parameters": {}}}]
    answer = chat(gateway, PROMPT, tools=tools)
    call = answer.choices[0].message.tool_calls[0]
    assert json.loads(call.function.arguments) == {"to": PROMPT}
    assert_no_canary(gateway.stub.received[0])


@pytest.mark.parametrize("piece", [1, 4, 9])
def test_streamed_tool_call_arguments(gateway: Gateway, piece: int) -> None:
    gateway.stub.piece = piece
    # a value whose JSON form needs escaping is restored as valid JSON
    text = f'{PROMPT} Reply to "{EMAIL}"'
    tools = [{"type": "function", "function": {"name": "send_mail", "parameters": {}}}]
    stream = chat(gateway, text, tools=tools, stream=True)
    arguments = "".join(
        c.choices[0].delta.tool_calls[0].function.arguments or ""
        for c in stream
        if c.choices and c.choices[0].delta.tool_calls
    )
    assert json.loads(arguments) == {"to": text}
    assert_no_canary(*gateway.stub.received)


def test_tool_call_in_history_is_pseudonymized_as_json(gateway: Gateway) -> None:
    messages: list[Any] = [
        {"role": "user", "content": "send the mail"},
        {
            "role": "assistant",
            "content": None,
            "tool_calls": [
                {
                    "id": "call_9",
                    "type": "function",
                    "function": {
                        "name": "send_mail",
                        "arguments": json.dumps({"to": EMAIL, "ssn": SSN}),
                    },
                }
            ],
        },
        {"role": "tool", "tool_call_id": "call_9", "content": f"sent to {EMAIL}"},
        {"role": "user", "content": f"and again to {EMAIL}"},
    ]
    answer = gateway.client().chat.completions.create(model="stub-1", messages=messages)
    assert answer.choices[0].message.content == f"and again to {EMAIL}"
    sent = json.loads(gateway.stub.received[0])
    assert_no_canary(gateway.stub.received[0])
    arguments = json.loads(sent["messages"][1]["tool_calls"][0]["function"]["arguments"])
    assert arguments == {"to": "<EMAIL_ADDRESS_1>", "ssn": "<US_SSN_1>"}
    assert sent["messages"][2]["content"] == "sent to <EMAIL_ADDRESS_1>"
    assert sent["messages"][2]["tool_call_id"] == "call_9"  # ids pass untouched


def test_same_value_same_placeholder_across_turns(gateway: Gateway) -> None:
    first = chat(gateway, f"Mail {EMAIL} please")
    history = [
        {"role": "user", "content": f"Mail {EMAIL} please"},
        {"role": "assistant", "content": first.choices[0].message.content},
        {"role": "user", "content": f"Also cc ada.canary@example.net and {EMAIL}"},
    ]
    second = gateway.client().chat.completions.create(model="stub-1", messages=history)
    assert second.choices[0].message.content == history[2]["content"]
    turn1, turn2 = (json.loads(r)["messages"] for r in gateway.stub.received)
    assert turn1[0]["content"] == "Mail <EMAIL_ADDRESS_1> please"
    assert turn2[1]["content"] == "Mail <EMAIL_ADDRESS_1> please"
    assert turn2[2]["content"] == "Also cc <EMAIL_ADDRESS_2> and <EMAIL_ADDRESS_1>"
    conversations = {e["conversation"] for e in gateway_events(gateway)}
    assert len(conversations) == 1  # derived from the opening of the history


def test_conversation_header_and_callers_are_separate(gateway: Gateway) -> None:
    def send(text: str, conversation: str, key: str | None = None) -> str:
        client = gateway.client(key, **{CONVERSATION_HEADER: conversation})
        client.chat.completions.create(model="stub-1", messages=[{"role": "user", "content": text}])
        return str(json.loads(gateway.stub.received[-1])["messages"][0]["content"])

    assert send(f"to {EMAIL}", "c-1") == "to <EMAIL_ADDRESS_1>"
    assert send(f"to ada.canary@example.net then {EMAIL}", "c-1") == (
        "to <EMAIL_ADDRESS_2> then <EMAIL_ADDRESS_1>"
    )
    assert send("to ada.canary@example.net", "c-2") == "to <EMAIL_ADDRESS_1>"  # a new numbering
    other = create_key(gateway.runtime.store, "other-agent", "pipeline")[1]
    # another caller naming the same conversation gets a vault of its own
    assert send("to ada.canary@example.net", "c-1", other) == "to <EMAIL_ADDRESS_1>"
    events = gateway_events(gateway)
    assert len({e["conversation"] for e in events}) == 3
    assert all("c-1" not in e["conversation"] for e in events)


def test_secret_is_blocked_and_never_sent(gateway: Gateway) -> None:
    with pytest.raises(openai.BadRequestError) as caught:
        chat(gateway, f"my key is aws_access_key_id = {AWS_KEY}")
    assert caught.value.code == "dataward_blocked"
    assert "AWS_ACCESS_KEY" in str(caught.value) and AWS_KEY not in str(caught.value)
    assert gateway.stub.received == []
    (event,) = gateway_events(gateway)
    assert event["action"] == "block" and event["findings"] == {"AWS_ACCESS_KEY": 1}
    assert AWS_KEY not in audit_text(gateway)


def test_block_mode_refuses_any_finding(start_gateway: Any) -> None:
    gw = start_gateway(mode=Mode.BLOCK)
    with pytest.raises(openai.BadRequestError):
        chat(gw, f"write to {EMAIL}")
    assert gw.stub.received == []
    assert chat(gw, "what is two plus two?").choices[0].message.content == "what is two plus two?"


def test_block_mode_checks_completions_streamed_or_not(start_gateway: Any) -> None:
    gw = start_gateway(mode=Mode.BLOCK)
    gw.stub.answer = lambda body: f"the address is {EMAIL}"
    with pytest.raises(openai.UnprocessableEntityError):
        chat(gw, "who?")
    with pytest.raises(openai.APIError) as caught:
        chunks = list(chat(gw, "who?", stream=True))
        assert chunks == []
    assert EMAIL not in str(caught.value)
    completions = [e for e in gateway_events(gw) if e["stage"] == "completion"]
    assert [e["action"] for e in completions] == ["block", "block"]


def test_pass_mode_forwards_and_counts(start_gateway: Any) -> None:
    gw = start_gateway(mode=Mode.PASS)
    assert chat(gw, PROMPT).choices[0].message.content == PROMPT
    assert json.loads(gw.stub.received[0])["messages"][0]["content"] == PROMPT
    prompt = gateway_events(gw)[0]
    assert prompt["action"] == "pass" and prompt["findings"]["EMAIL_ADDRESS"] == 1


def test_detection_error_fails_closed(start_gateway: Any, caplog: pytest.LogCaptureFixture) -> None:
    def broken(text: str) -> list[Any]:
        raise RuntimeError(f"engine crashed on {text}")

    gw = start_gateway(detect=broken)
    with pytest.raises(openai.InternalServerError) as caught:
        chat(gw, PROMPT)
    assert caught.value.status_code == 503
    assert caught.value.code == "dataward_detection_failed"
    assert_no_canary(str(caught.value), caplog.text)
    assert gw.stub.received == []


def test_detection_timeout_fails_closed(start_gateway: Any) -> None:
    import time

    def slow(text: str) -> list[Any]:
        time.sleep(0.5)
        return []

    gw = start_gateway(detect=slow, detect_timeout=0.05)
    with pytest.raises(openai.InternalServerError) as caught:
        chat(gw, "hello", stream=True)
    assert caught.value.code == "dataward_detection_failed"
    assert gw.stub.received == []


def test_callers_need_a_valid_key_with_a_role(gateway: Gateway) -> None:
    with pytest.raises(openai.AuthenticationError):
        gateway.client("dw_nope_nope").chat.completions.create(
            model="stub-1", messages=[{"role": "user", "content": "hi"}]
        )
    auditor = create_key(gateway.runtime.store, "reader", "auditor")[1]
    with pytest.raises(openai.PermissionDeniedError):
        gateway.client(auditor).chat.completions.create(
            model="stub-1", messages=[{"role": "user", "content": "hi"}]
        )
    assert gateway.stub.received == []
    assert [m.id for m in gateway.client().models.list()] == ["stub-1"]


def test_bad_body_is_an_openai_error(gateway: Gateway) -> None:
    import httpx

    response = httpx.post(
        f"{gateway.url}/v1/chat/completions",
        content=b"[not json",
        headers={"Authorization": f"Bearer {gateway.key}"},
    )
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid_json"
    assert gateway.stub.received == []


def _mister(text: str) -> list[Any]:
    """A detector that finds a surname only after "Mr. " (as NER finds it in one context and
    misses it in another)."""
    from dataward.detect.model import Finding

    out, at = [], text.find("Mr. ")
    while at != -1:
        start = at + 4
        end = start
        while end < len(text) and text[end].isalpha():
            end += 1
        if end > start:
            out.append(Finding("PERSON", start, end, 0.9, "test-mister"))
        at = text.find("Mr. ", end)
    return out


def test_other_occurrences_of_a_found_value_are_replaced(start_gateway: Any) -> None:
    gw = start_gateway(detect=_mister)
    text = "Mr. Kovalev called. Kovalev wants Kovalevsky's file."
    assert chat(gw, text).choices[0].message.content == text
    sent = json.loads(gw.stub.received[0])["messages"][0]["content"]
    # the second Kovalev was missed by the detector; a longer word holding it is not his name
    assert sent == "Mr. <PERSON_1> called. <PERSON_1> wants Kovalevsky's file."
    # a later turn of the conversation: the value is known, found or not
    history = [
        {"role": "user", "content": text},
        {"role": "assistant", "content": text},
        {"role": "user", "content": "Tell Kovalev yes"},
    ]
    gw.client().chat.completions.create(model="stub-1", messages=history)
    turn2 = json.loads(gw.stub.received[1])["messages"]
    assert turn2[2]["content"] == "Tell <PERSON_1> yes"
    assert "Kovalev " not in gw.stub.received[1]


def test_end_user_fields_are_pseudonymized(gateway: Gateway) -> None:
    gateway.client().chat.completions.create(
        model="stub-1",
        messages=[{"role": "user", "content": "hello"}],
        user=EMAIL,
        metadata={"customer": f"{NAME} <{EMAIL}>", "ticket": "T-1"},
    )
    (sent,) = gateway.stub.received
    assert_no_canary(sent)
    body = json.loads(sent)
    assert body["user"] == "<EMAIL_ADDRESS_1>"
    assert sorted(body["metadata"]) == ["customer", "ticket"]
    assert "<EMAIL_ADDRESS_1>" in body["metadata"]["customer"]
