"""What the gateway answers when the upstream fails, refuses or writes something it must not,
and the retention it records."""

from __future__ import annotations

import json
import logging
from typing import Any

import openai
import pytest

from dataward.gateway import Mode
from dataward.retention.rules import rules_from
from tests.gateway.conftest import Gateway
from tests.gateway.test_chat import (
    AWS_KEY,
    EMAIL,
    PROMPT,
    assert_no_canary,
    audit_text,
    chat,
    gateway_events,
)


def test_upstream_down_is_a_502_and_audited(
    start_gateway: Any, caplog: pytest.LogCaptureFixture
) -> None:
    from tests.gateway.conftest import free_port

    caplog.set_level(logging.DEBUG)
    gw: Gateway = start_gateway(upstream=f"http://127.0.0.1:{free_port()}/v1")
    with pytest.raises(openai.InternalServerError) as caught:
        chat(gw, PROMPT)
    assert caught.value.status_code == 502
    assert caught.value.code == "upstream_unreachable"
    assert_no_canary(str(caught.value), caplog.text)
    assert [e["stage"] for e in gateway_events(gw)] == ["prompt"]  # recorded before sending


def test_upstream_error_passes_through_with_placeholders_only(start_gateway: Any) -> None:
    gw: Gateway = start_gateway(upstream_key="sk-wrong")  # the stub answers 401 to it
    with pytest.raises(openai.AuthenticationError) as caught:
        chat(gw, PROMPT)
    assert caught.value.status_code == 401  # the upstream's answer, as it came
    (sent,) = gw.stub.received
    assert_no_canary(sent, str(caught.value))
    assert gw.stub.headers[0]["authorization"] == "Bearer sk-wrong"


def test_secret_written_by_the_model_is_blocked(gateway: Gateway) -> None:
    gateway.stub.answer = lambda body: f"use aws_access_key_id = {AWS_KEY}"
    with pytest.raises(openai.UnprocessableEntityError) as caught:
        chat(gateway, "which key?")
    assert AWS_KEY not in str(caught.value)
    completion = [e for e in gateway_events(gateway) if e["stage"] == "completion"]
    assert completion[0]["action"] == "block"
    assert completion[0]["findings"] == {"AWS_ACCESS_KEY": 1}
    assert AWS_KEY not in audit_text(gateway)


def test_completion_placeholders_of_earlier_turns_are_restored(gateway: Gateway) -> None:
    headers = {"X-Dataward-Conversation": "turns"}
    gateway.client(**headers).chat.completions.create(
        model="stub-1", messages=[{"role": "user", "content": f"remember {EMAIL}"}]
    )
    gateway.stub.answer = lambda body: "You said <EMAIL_ADDRESS_1>; <PERSON_9> is unknown"
    answer = gateway.client(**headers).chat.completions.create(
        model="stub-1", messages=[{"role": "user", "content": "what did I say?"}]
    )
    assert answer.choices[0].message.content == f"You said {EMAIL}; <PERSON_9> is unknown"


def test_retention_rules_set_each_event_duration(start_gateway: Any) -> None:
    rules = rules_from(
        [
            {"name": "prompts", "keep": "P30D", "artifact_types": ["prompt_log"]},
            {"name": "pii-prompts", "keep": "P1Y", "artifact_types": ["prompt_log"],
             "categories": ["PII"]},
            {"name": "completions", "keep": "P7D", "artifact_types": ["completion_log"]},
        ]
    )  # fmt: skip
    gw = start_gateway(retention_rules=tuple(rules))
    chat(gw, "what is two plus two?")
    chat(gw, PROMPT)
    events = [(e["stage"], e.get("retention")) for e in gateway_events(gw)]
    assert events == [
        ("prompt", "P30D"),
        ("completion", "P7D"),
        ("prompt", "P1Y"),  # the longest matching rule: this prompt holds PII
        ("completion", "P7D"),
    ]


def test_pass_mode_sends_the_original_bytes(start_gateway: Any) -> None:
    gw = start_gateway(mode=Mode.PASS)
    import httpx

    raw = json.dumps({"model": "stub-1", "messages": [{"role": "user", "content": PROMPT}]},
                     indent=3)  # fmt: skip
    httpx.post(
        f"{gw.url}/v1/chat/completions",
        content=raw,
        headers={"Authorization": f"Bearer {gw.key}", "Content-Type": "application/json"},
    ).raise_for_status()
    assert gw.stub.received == [raw]


def test_an_unexpected_error_fails_closed_naming_only_its_type(
    start_gateway: Any, caplog: pytest.LogCaptureFixture
) -> None:
    def wrong(text: str) -> Any:
        return {"not": f"findings for {text}"}  # a detector breaking its contract

    gw: Gateway = start_gateway(detect=wrong)
    with pytest.raises(openai.InternalServerError) as caught:
        chat(gw, PROMPT)
    assert caught.value.code == "dataward_internal"
    assert gw.stub.received == []
    assert_no_canary(str(caught.value), caplog.text)
    assert "gateway request failed" in caplog.text


@pytest.mark.parametrize(("piece", "end"), [(3, " enjoy"), (8, " enjoy"), (5, "")])
def test_secret_in_a_streamed_completion_stops_the_stream(
    gateway: Gateway, piece: int, end: str
) -> None:
    """Also when the key ends the stream (held until the last chunk, checked then)."""
    gateway.stub.piece = piece
    gateway.stub.answer = lambda body: f"Sure, the key is aws_access_key_id = {AWS_KEY}{end}"
    got: list[str] = []
    with pytest.raises(openai.APIError) as caught:
        for chunk in chat(gateway, "which key?", stream=True):
            if chunk.choices:
                got.append(chunk.choices[0].delta.content or "")
    assert "AWS_ACCESS_KEY" in str(caught.value)
    # the word being written is held until it ends: no part of the key went out
    assert "".join(got) == "Sure, the key is aws_access_key_id = "
    assert "AKIA" not in "".join(got)
    completion = [e for e in gateway_events(gateway) if e["stage"] == "completion"]
    assert completion[0]["action"] == "block"
    assert completion[0]["findings"] == {"AWS_ACCESS_KEY": 1}


def test_rate_limit_per_key(start_gateway: Any) -> None:
    gw: Gateway = start_gateway(rate_per_second=0.5, burst=2)
    chat(gw, "one")
    chat(gw, "two")
    with pytest.raises(openai.RateLimitError) as caught:
        chat(gw, "three")
    assert caught.value.code == "rate_limit_exceeded"
    assert len(gw.stub.received) == 2
