"""A stub OpenAI upstream that records what it received, and the gateway in front of it.

The stub checks requests as OpenAI's API documents them (``Authorization: Bearer`` with the
upstream key, a ``model``, ``messages`` or ``input``) and answers by echoing the last user
text: as a message, or, when the request offers tools, as a tool call whose JSON arguments
hold it. Streams are cut into pieces of ``stub.piece`` characters, so a placeholder is split
across chunk boundaries.
"""

from __future__ import annotations

import itertools
import json
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import openai
import pytest
import uvicorn
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response, StreamingResponse

from dataward.gateway import GatewayConfig, Mode, create_gateway
from dataward.runtime import Runtime
from dataward.server.apikeys import create_key

UPSTREAM_KEY = "sk-upstream-test-0000"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def serve(app: FastAPI) -> Iterator[str]:
    """``app`` behind uvicorn on a loopback port (a thread); its URL."""
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("server did not start")
        time.sleep(0.01)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(10)


def _text(content: Any) -> str:
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "".join(p.get("text", "") for p in content if isinstance(p, dict))
    return ""


def last_user_text(body: dict[str, Any]) -> str:
    items = body.get("messages", body.get("input"))
    if isinstance(items, str):
        return items
    for item in reversed(items or []):
        if isinstance(item, dict) and item.get("role") == "user":
            return _text(item.get("content"))
    return ""


@dataclass
class Stub:
    """What the upstream received (bodies as JSON text, headers) and how it answers."""

    received: list[str] = field(default_factory=list)
    headers: list[dict[str, str]] = field(default_factory=list)
    piece: int = 3
    answer: Any = None
    """``answer(body) -> str`` replaces the echo."""
    ids: Iterator[int] = field(default_factory=itertools.count)

    def reset(self) -> None:
        self.received.clear()
        self.headers.clear()
        self.piece = 3
        self.answer = None

    def reply(self, body: dict[str, Any]) -> str:
        return self.answer(body) if self.answer else last_user_text(body)

    def pieces(self, text: str) -> list[str]:
        return [text[i : i + self.piece] for i in range(0, len(text), self.piece)]


def _sse(document: dict[str, Any] | str, event: str | None = None) -> bytes:
    data = document if isinstance(document, str) else json.dumps(document)
    return (f"event: {event}\n" if event else "").encode() + f"data: {data}\n\n".encode()


def stub_app(stub: Stub) -> FastAPI:
    app = FastAPI()

    async def checked(request: Request, needs: str) -> dict[str, Any] | JSONResponse:
        raw = (await request.body()).decode()
        stub.received.append(raw)
        stub.headers.append(dict(request.headers))
        if request.headers.get("authorization") != f"Bearer {UPSTREAM_KEY}":
            return JSONResponse({"error": {"message": "bad key", "code": "auth"}}, 401)
        body = json.loads(raw)
        if not isinstance(body.get("model"), str) or needs not in body:
            return JSONResponse({"error": {"message": f"needs model and {needs}"}}, 400)
        return dict(body)

    @app.post("/v1/chat/completions")
    async def chat(request: Request) -> Response:
        body = await checked(request, "messages")
        if isinstance(body, Response):
            return body
        text = stub.reply(body)
        tools = bool(body.get("tools"))
        n = next(stub.ids)
        head = {"id": f"chatcmpl-{n}", "created": 1, "model": body["model"]}
        if not body.get("stream"):
            message: dict[str, Any] = {"role": "assistant", "content": None if tools else text}
            if tools:
                arguments = json.dumps({"to": text})
                message["tool_calls"] = [
                    {
                        "id": "call_1",
                        "type": "function",
                        "function": {"name": "send_mail", "arguments": arguments},
                    }
                ]
            return JSONResponse(
                {
                    **head,
                    "object": "chat.completion",
                    "choices": [
                        {
                            "index": 0,
                            "message": message,
                            "finish_reason": "tool_calls" if tools else "stop",
                        }
                    ],
                    "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
                }
            )

        def chunk(delta: dict[str, Any], finish: str | None = None) -> bytes:
            return _sse(
                {
                    **head,
                    "object": "chat.completion.chunk",
                    "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
                }
            )

        def events() -> Iterator[bytes]:
            if tools:
                yield chunk(
                    {
                        "role": "assistant",
                        "tool_calls": [
                            {
                                "index": 0,
                                "id": "call_1",
                                "type": "function",
                                "function": {"name": "send_mail", "arguments": ""},
                            }
                        ],
                    }
                )
                for piece in stub.pieces(json.dumps({"to": text})):
                    yield chunk({"tool_calls": [{"index": 0, "function": {"arguments": piece}}]})
                yield chunk({}, "tool_calls")
            else:
                yield chunk({"role": "assistant", "content": ""})
                for piece in stub.pieces(text):
                    yield chunk({"content": piece})
                yield chunk({}, "stop")
            yield _sse("[DONE]")

        return StreamingResponse(events(), media_type="text/event-stream")

    @app.post("/v1/responses")
    async def responses(request: Request) -> Response:
        body = await checked(request, "input")
        if isinstance(body, Response):
            return body
        text = stub.reply(body)
        rid = f"resp_{next(stub.ids)}"
        part = {"type": "output_text", "text": text, "annotations": []}
        item = {
            "type": "message",
            "id": "msg_1",
            "status": "completed",
            "role": "assistant",
            "content": [part],
        }
        full = {
            "id": rid,
            "object": "response",
            "created_at": 1,
            "status": "completed",
            "model": body["model"],
            "output": [item],
            "parallel_tool_calls": True,
            "tool_choice": "auto",
            "tools": [],
        }
        if not body.get("stream"):
            return JSONResponse(full)
        seq = itertools.count()

        def ev(kind: str, **fields: Any) -> bytes:
            return _sse({"type": kind, "sequence_number": next(seq), **fields}, kind)

        def events() -> Iterator[bytes]:
            yield ev("response.created", response={**full, "status": "in_progress", "output": []})
            yield ev(
                "response.output_item.added",
                output_index=0,
                item={**item, "status": "in_progress", "content": []},
            )
            yield ev(
                "response.content_part.added",
                item_id="msg_1",
                output_index=0,
                content_index=0,
                part={**part, "text": ""},
            )
            for piece in stub.pieces(text):
                yield ev(
                    "response.output_text.delta",
                    item_id="msg_1",
                    output_index=0,
                    content_index=0,
                    delta=piece,
                    logprobs=[],
                )
            yield ev(
                "response.output_text.done",
                item_id="msg_1",
                output_index=0,
                content_index=0,
                text=text,
                logprobs=[],
            )
            yield ev(
                "response.content_part.done",
                item_id="msg_1",
                output_index=0,
                content_index=0,
                part=part,
            )
            yield ev("response.output_item.done", output_index=0, item=item)
            yield ev("response.completed", response=full)

        return StreamingResponse(events(), media_type="text/event-stream")

    @app.get("/v1/models")
    async def models() -> dict[str, Any]:
        return {
            "object": "list",
            "data": [{"id": "stub-1", "object": "model", "created": 1, "owned_by": "stub"}],
        }

    return app


@pytest.fixture(scope="module")
def stub_server() -> Iterator[tuple[Stub, str]]:
    stub = Stub()
    with serve(stub_app(stub)) as url:
        yield stub, url


@pytest.fixture
def stub(stub_server: tuple[Stub, str]) -> Stub:
    stub_server[0].reset()
    return stub_server[0]


@dataclass
class Gateway:
    url: str
    key: str
    runtime: Runtime
    stub: Stub

    clients: list[openai.OpenAI] = field(default_factory=list)

    def client(self, key: str | None = None, **headers: str) -> openai.OpenAI:
        """An OpenAI client of the gateway (closed with the test's gateway)."""
        made = openai.OpenAI(
            base_url=f"{self.url}/v1",
            api_key=key or self.key,
            max_retries=0,
            timeout=60,
            default_headers=headers or None,
        )
        self.clients.append(made)
        return made

    def close(self) -> None:
        for made in self.clients:
            made.close()
        self.clients.clear()


@pytest.fixture
def start_gateway(runtime: Runtime, stub_server: tuple[Stub, str], stub: Stub) -> Iterator[Any]:
    """``start_gateway(mode=..., **config)``: a gateway in this test's runtime, served."""
    opened: list[Any] = []
    gateways: list[Gateway] = []
    key = create_key(runtime.store, "test-agent", "pipeline")[1]

    def start(**options: Any) -> Gateway:
        options.setdefault("mode", Mode.PSEUDONYMIZE)
        options.setdefault("upstream_key", UPSTREAM_KEY)
        options.setdefault("upstream", f"{stub_server[1]}/v1")
        config = GatewayConfig(**options)
        served = serve(create_gateway(runtime, config))
        url = served.__enter__()
        opened.append(served)
        gateways.append(Gateway(url, key, runtime, stub))
        return gateways[-1]

    yield start
    for made in gateways:
        made.close()
    for served in reversed(opened):
        served.__exit__(None, None, None)


@pytest.fixture
def gateway(start_gateway: Any) -> Gateway:
    """A pseudonymizing gateway in front of the stub."""
    return start_gateway()  # type: ignore[no-any-return]
