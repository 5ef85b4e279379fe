"""Streamed completions: Server-Sent Events in, restored events out.

A placeholder can arrive split over two events (``<EMAIL_`` then ``ADDRESS_1>``): each stream
of text (a choice's content, a tool call's arguments, a Responses output part) has its own
:class:`~dataward.gateway.placeholders.StreamRestorer`, which holds back only a tail that may
still become a placeholder and gives it back with the next piece, or at the stream's end in
the chunk that carries ``finish_reason`` (chat) or in a delta event just before the part's
``.done`` event (Responses).
"""

from __future__ import annotations

import copy
import json
from collections import defaultdict
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass
from typing import Any

from dataward.gateway.placeholders import StreamRestorer, restore
from dataward.gateway.texts import map_strings


@dataclass(slots=True)
class Event:
    """One SSE event: its ``event:`` name (``None`` when absent) and its ``data``."""

    name: str | None
    data: str

    def encode(self) -> bytes:
        head = f"event: {self.name}\n" if self.name else ""
        lines = "".join(f"data: {line}\n" for line in self.data.split("\n"))
        return f"{head}{lines}\n".encode()


async def read_events(lines: AsyncIterator[str]) -> AsyncIterator[Event]:
    """The events of an SSE stream (comments and ``id:``/``retry:`` fields are dropped)."""
    name: str | None = None
    data: list[str] = []
    async for line in lines:
        if not line:
            if data:
                yield Event(name, "\n".join(data))
            name, data = None, []
            continue
        field, _, value = line.partition(":")
        value = value.removeprefix(" ")
        if field == "event":
            name = value
        elif field == "data":
            data.append(value)
    if data:
        yield Event(name, "\n".join(data))


async def read_batches(chunks: AsyncIterator[str]) -> AsyncIterator[list[Event]]:
    """The events of an SSE stream, grouped as they arrived: each list holds the events
    completed by one chunk of text from the network (``\r\n`` line ends read as ``\n``)."""

    pending = ""
    name: str | None = None
    data: list[str] = []
    async for chunk in chunks:
        if "\n" not in chunk:  # a long line arriving in pieces is split once, at its end
            pending += chunk
            continue
        *complete, pending = (pending + chunk).split("\n")
        batch: list[Event] = []
        for line in complete:
            line = line.removesuffix("\r")
            if not line:
                if data:
                    batch.append(Event(name, "\n".join(data)))
                name, data = None, []
                continue
            field, _, value = line.partition(":")
            value = value.removeprefix(" ")
            if field == "event":
                name = value
            elif field == "data":
                data.append(value)
        if batch:
            yield batch
    if pending:
        field, _, value = pending.partition(":")
        if field == "data":
            data.append(value.removeprefix(" "))
    if data:
        yield [Event(name, "\n".join(data))]


def _restored(node: Any, values: Mapping[str, str]) -> Any:
    return map_strings(node, lambda s, js: restore(s, values, json_string=js))


TAIL = 400
"""How much of each streamed text the mid-stream secret check reads: the new piece and what
came before it, so a key cut over two chunks is seen whole."""


class Tails:
    """The last :data:`TAIL` characters of each streamed text, and which of them are about
    to release text (:meth:`mark`) since :meth:`changed` was last asked: only text that goes
    out needs the check, and what is held is checked when it is released."""

    def __init__(self) -> None:
        self._tails: dict[Any, str] = {}
        self._changed: set[Any] = set()

    def add(self, key: Any, piece: str) -> None:
        if piece:
            self._tails[key] = (self._tails.get(key, "") + piece)[-TAIL:]

    def mark(self, key: Any) -> None:
        self._changed.add(key)

    def changed(self) -> list[str]:
        out = [self._tails[key] for key in self._changed]
        self._changed.clear()
        return out


class ChatStream:
    """Restores ``chat.completion.chunk`` objects (see the module docstring); with
    ``hold_tokens`` each text also holds back the word it ends in (see
    :class:`~dataward.gateway.placeholders.StreamRestorer`)."""

    def __init__(self, values: Mapping[str, str], *, hold_tokens: bool = False) -> None:
        self.values = values
        self.hold_tokens = hold_tokens
        self._restorers: dict[tuple[int, str, int], StreamRestorer] = {}
        self.upstream: dict[tuple[int, str, int], list[str]] = defaultdict(list)
        """The texts as the upstream sent them (placeholders in), for the completion scan."""
        self.tails = Tails()
        self._last: dict[str, Any] = {}

    def _restorer(self, key: tuple[int, str, int]) -> StreamRestorer:
        found = self._restorers.get(key)
        if found is None:
            found = self._restorers[key] = StreamRestorer(
                self.values, json_string=key[1] == "args", hold_tokens=self.hold_tokens
            )
        return found

    def _feed(self, key: tuple[int, str, int], piece: str) -> str:
        self.upstream[key].append(piece)
        self.tails.add(key, piece)
        released = self._restorer(key).feed(piece)
        if released:
            self.tails.mark(key)
        return released

    def _flush_choice(self, index: int, delta: dict[str, Any]) -> None:
        for key, restorer in self._restorers.items():
            if key[0] != index or not restorer.held:
                continue
            rest = restorer.flush()
            self.tails.mark(key)
            if key[1] == "args":
                calls = delta.setdefault("tool_calls", [])
                call = next((c for c in calls if c.get("index", 0) == key[2]), None)
                if call is None:
                    call = {"index": key[2], "function": {"arguments": ""}}
                    calls.append(call)
                function = call.setdefault("function", {})
                function["arguments"] = (function.get("arguments") or "") + rest
            else:
                delta[key[1]] = (delta.get(key[1]) or "") + rest

    def feed(self, chunk: dict[str, Any]) -> list[dict[str, Any]]:
        for choice in chunk.get("choices") or []:
            if not isinstance(choice, dict):
                continue
            index = choice.get("index", 0)
            delta = choice.get("delta")
            if not isinstance(delta, dict):
                continue
            for field in ("content", "refusal"):
                if isinstance(delta.get(field), str):
                    delta[field] = self._feed((index, field, 0), delta[field])
            for call in delta.get("tool_calls") or []:
                function = call.get("function") if isinstance(call, dict) else None
                if isinstance(function, dict) and isinstance(function.get("arguments"), str):
                    key = (index, "args", call.get("index", 0))
                    function["arguments"] = self._feed(key, function["arguments"])
            if choice.get("finish_reason"):
                self._flush_choice(index, delta)
        self._last = chunk
        return [chunk]

    def finish(self) -> list[dict[str, Any]]:
        """Chunks for text still held when the upstream ended without a ``finish_reason``."""
        out: list[dict[str, Any]] = []
        for index in sorted({k[0] for k, r in self._restorers.items() if r.held}):
            delta: dict[str, Any] = {}
            self._flush_choice(index, delta)
            chunk = {
                k: v for k, v in self._last.items() if k in ("id", "object", "created", "model")
            }
            chunk["choices"] = [{"index": index, "delta": delta, "finish_reason": None}]
            out.append(chunk)
        return out

    def texts(self) -> list[str]:
        return ["".join(parts) for parts in self.upstream.values()]


_DELTAS = {
    "response.output_text.delta": "response.output_text.done",
    "response.refusal.delta": "response.refusal.done",
    "response.function_call_arguments.delta": "response.function_call_arguments.done",
}


class ResponsesStream:
    """Restores Responses API stream events (see the module docstring)."""

    def __init__(self, values: Mapping[str, str], *, hold_tokens: bool = False) -> None:
        self.values = values
        self.hold_tokens = hold_tokens
        self._restorers: dict[tuple[str, str, int], StreamRestorer] = {}
        self._templates: dict[tuple[str, str, int], dict[str, Any]] = {}
        self.upstream: dict[tuple[str, str, int], list[str]] = defaultdict(list)
        self.tails = Tails()
        self.response_id: str | None = None

    @staticmethod
    def _key(kind: str, event: dict[str, Any]) -> tuple[str, str, int]:
        return kind, str(event.get("item_id", "")), int(event.get("content_index") or 0)

    def _rest(self, key: tuple[str, str, int]) -> list[dict[str, Any]]:
        restorer = self._restorers.pop(key, None)
        if restorer is None or not restorer.held:
            return []
        event = copy.deepcopy(self._templates[key])
        event["delta"] = restorer.flush()
        self.tails.mark(key)
        return [event]

    def feed(self, event: dict[str, Any]) -> list[dict[str, Any]]:
        kind = str(event.get("type", ""))
        response = event.get("response")
        if isinstance(response, dict) and isinstance(response.get("id"), str):
            self.response_id = response["id"]
        if kind in _DELTAS and isinstance(event.get("delta"), str):
            key = self._key(kind, event)
            restorer = self._restorers.get(key)
            if restorer is None:
                json_string = kind == "response.function_call_arguments.delta"
                restorer = self._restorers[key] = StreamRestorer(
                    self.values, json_string=json_string, hold_tokens=self.hold_tokens
                )
            self.upstream[key].append(event["delta"])
            self.tails.add(key, event["delta"])
            event["delta"] = restorer.feed(event["delta"])
            if event["delta"]:
                self.tails.mark(key)
            self._templates[key] = event
            return [event]
        out: list[dict[str, Any]] = []
        for delta_kind, done_kind in _DELTAS.items():
            if kind == done_kind:
                out.extend(self._rest(self._key(delta_kind, event)))
        out.append(_restored(event, self.values))
        return out

    def finish(self) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        for key in list(self._restorers):
            out.extend(self._rest(key))
        return out

    def texts(self) -> list[str]:
        return ["".join(parts) for parts in self.upstream.values()]


def encode(name: str | None, document: dict[str, Any]) -> bytes:
    """One SSE event of a JSON document."""
    return Event(name, json.dumps(document, ensure_ascii=False, separators=(",", ":"))).encode()
