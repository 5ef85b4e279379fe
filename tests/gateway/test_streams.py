"""SSE parsing and the stream restorers, driven directly."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator

import httpx
import pytest

from dataward.gateway.streams import ChatStream, Event, ResponsesStream, read_events
from tests.gateway.conftest import Gateway
from tests.gateway.test_chat import PROMPT

VALUES = {"<EMAIL_ADDRESS_1>": "ada@example.org"}


def test_read_events() -> None:
    async def lines() -> AsyncIterator[str]:
        for line in [": keep-alive", "", "event: a", 'data: {"x":', "data: 1}", "", "data: [DONE]"]:
            yield line

    async def collect() -> list[Event]:
        return [e async for e in read_events(lines())]

    events = asyncio.run(collect())
    assert events == [Event("a", '{"x":\n1}'), Event(None, "[DONE]")]
    assert json.loads(events[0].data) == {"x": 1}
    assert events[0].encode() == b'event: a\ndata: {"x":\ndata: 1}\n\n'


@pytest.mark.parametrize("size", [1, 3, 7, 1000])
def test_read_batches_whatever_the_network_cuts(size: int) -> None:
    from dataward.gateway.streams import read_batches

    raw = ': ping\r\n\r\nevent: a\r\ndata: {"x":\r\ndata: 1}\r\n\r\ndata: two\n\ndata: [DONE]'

    async def chunks() -> AsyncIterator[str]:
        for at in range(0, len(raw), size):
            yield raw[at : at + size]

    async def collect() -> list[list[Event]]:
        return [b async for b in read_batches(chunks())]

    batches = asyncio.run(collect())
    assert [e for b in batches for e in b] == [
        Event("a", '{"x":\n1}'),
        Event(None, "two"),
        Event(None, "[DONE]"),
    ]
    if size == 1000:
        assert len(batches) == 2  # all that arrived at once, then the unterminated last


def _chunk(
    delta: dict[str, object], finish: str | None = None, index: int = 0
) -> dict[str, object]:
    return {"id": "c", "object": "chat.completion.chunk", "created": 1, "model": "m",
            "choices": [{"index": index, "delta": delta, "finish_reason": finish}]}  # fmt: skip


def test_chat_stream_flushes_a_held_tail_when_the_upstream_stops_short() -> None:
    stream = ChatStream(VALUES)
    out = stream.feed(_chunk({"content": "mail <EMAIL_"}))
    assert out[0]["choices"][0]["delta"]["content"] == "mail "  # type: ignore[index]
    out = stream.feed(_chunk({"content": "ADDRESS_1"}))
    assert out[0]["choices"][0]["delta"]["content"] == ""  # type: ignore[index]
    (rest,) = stream.finish()  # no finish_reason came: the tail still goes out
    assert rest["choices"][0]["delta"]["content"] == "<EMAIL_ADDRESS_1"
    assert stream.texts() == ["mail <EMAIL_ADDRESS_1"]


def test_chat_stream_keeps_choices_apart() -> None:
    stream = ChatStream(VALUES)
    stream.feed(_chunk({"content": "a <EMAIL_AD"}, index=0))
    stream.feed(_chunk({"content": "b <EMAIL_ADDRESS_1>"}, index=1))
    (last,) = stream.feed(_chunk({"content": "DRESS_1>"}, "stop", index=0))
    assert last["choices"][0]["delta"]["content"] == "ada@example.org"
    assert stream.finish() == []


def test_responses_stream_puts_the_tail_before_done() -> None:
    stream = ResponsesStream(VALUES)
    head = {"item_id": "m", "output_index": 0, "content_index": 0}
    first = stream.feed({"type": "response.output_text.delta", **head, "delta": "x <EMAIL_ADD"})
    assert first[0]["delta"] == "x "
    out = stream.feed(
        {"type": "response.output_text.done", **head, "text": "x <EMAIL_ADDRESS_1> <EMAIL_ADD"}
    )
    assert [e["type"] for e in out] == [
        "response.output_text.delta",
        "response.output_text.done",
    ]
    assert out[0]["delta"] == "<EMAIL_ADD"  # not a placeholder after all: given back as is
    assert out[1]["text"] == "x ada@example.org <EMAIL_ADD"


def test_body_over_the_limit_is_refused(start_gateway: object) -> None:
    gw: Gateway = start_gateway(max_body_bytes=1000)  # type: ignore[operator]
    body = {"model": "stub-1", "messages": [{"role": "user", "content": PROMPT * 40}]}
    response = httpx.post(
        f"{gw.url}/v1/chat/completions",
        json=body,
        headers={"Authorization": f"Bearer {gw.key}"},
    )
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "too_large"
    assert gw.stub.received == []


@pytest.mark.parametrize("piece", [2, 5])
def test_pass_mode_streams_unchanged(start_gateway: object, piece: int) -> None:
    from dataward.gateway import Mode

    gw: Gateway = start_gateway(mode=Mode.PASS)  # type: ignore[operator]
    gw.stub.piece = piece
    stream = gw.client().chat.completions.create(
        model="stub-1", messages=[{"role": "user", "content": PROMPT}], stream=True
    )
    assert "".join(c.choices[0].delta.content or "" for c in stream if c.choices) == PROMPT
