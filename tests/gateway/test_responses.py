"""The Responses API through the gateway: plain, streamed (placeholders split across delta
events), and continued with ``previous_response_id``."""

from __future__ import annotations

import json

import pytest

from tests.gateway.conftest import Gateway
from tests.gateway.test_chat import PROMPT, assert_no_canary, gateway_events


def test_response_round_trip(gateway: Gateway) -> None:
    answer = gateway.client().responses.create(model="stub-1", input=PROMPT)
    assert answer.output_text == PROMPT
    assert_no_canary(*gateway.stub.received)
    assert "<EMAIL_ADDRESS_1>" in json.loads(gateway.stub.received[0])["input"]


@pytest.mark.parametrize("piece", [1, 3, 8])
def test_streamed_response_restores_split_placeholders(gateway: Gateway, piece: int) -> None:
    gateway.stub.piece = piece
    deltas: list[str] = []
    done_text = completed = None
    with gateway.client().responses.stream(
        model="stub-1",
        input=[{"role": "user", "content": [{"type": "input_text", "text": PROMPT}]}],
    ) as stream:
        for event in stream:
            if event.type == "response.output_text.delta":
                deltas.append(event.delta)
            elif event.type == "response.output_text.done":
                done_text = event.text
        completed = stream.get_final_response().output_text
    assert "".join(deltas) == PROMPT
    assert done_text == PROMPT and completed == PROMPT
    assert_no_canary(*gateway.stub.received)


def test_previous_response_id_continues_the_conversation(gateway: Gateway) -> None:
    client = gateway.client()
    first = client.responses.create(model="stub-1", input=f"Mail {PROMPT}")
    client.responses.create(
        model="stub-1",
        previous_response_id=first.id,
        input="ok, and canary.7731@example.org again",
    )
    second = json.loads(gateway.stub.received[1])["input"]
    assert second == "ok, and <EMAIL_ADDRESS_1> again"  # the number of the first turn
    assert len({e["conversation"] for e in gateway_events(gateway)}) == 1
