"""The gateway as an ASGI app: ``POST /v1/chat/completions``, ``POST /v1/responses`` and
``GET /v1/models``, as OpenAI serves them, in front of any OpenAI-compatible upstream.

Per request: authenticate the caller's Dataward API key (the OpenAI client's ``api_key``);
find the conversation (:func:`conversation_id`); scan the prompt and pass, pseudonymize or
block it (:mod:`.checks`), under a time limit, failing closed; write a ``gateway`` audit event
(hashes and counts); send the request with the upstream's own key; scan the completion,
restore its placeholders (streamed or not) and write the completion's event.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
import logging
import time
from collections.abc import AsyncIterator, Callable, Mapping
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING, Any, TypeVar

import httpx
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response, StreamingResponse

from dataward.audit.events import GatewayEvent
from dataward.gateway.checks import (
    Action,
    Verdict,
    categories_of,
    check_completion,
    check_prompt,
    retention,
    secret_types,
)
from dataward.gateway.config import CONVERSATION_HEADER, GatewayConfig, GatewayError, Mode
from dataward.gateway.journal import Journal
from dataward.gateway.placeholders import restore
from dataward.gateway.streams import ChatStream, ResponsesStream, encode, read_batches
from dataward.gateway.texts import completion_texts, map_strings
from dataward.gateway.vault import MemoryVault, RedisVault, Vault
from dataward.server.apikeys import ApiKey, Role, authenticate
from dataward.server.app import RateLimiter

if TYPE_CHECKING:
    from dataward.detect.engine import Engine
    from dataward.detect.model import Finding
    from dataward.runtime import Runtime

T = TypeVar("T")
log = logging.getLogger("dataward.gateway")

ALLOWED_ROLES = frozenset({Role.ADMIN, Role.PIPELINE})
"""Roles whose keys may call the gateway: what jobs and agents hold."""
KEY_CACHE_SECONDS = 5.0
"""How long a checked key is believed without asking the store (a revoked key stops within
this time)."""


def open_vault(rt: Runtime, config: GatewayConfig) -> Vault:
    """The runtime's vault for ``config``: made once per runtime (its scope), closed with it."""
    if config.redis_url is None:
        return rt.scope.get(
            f"gateway.vault:memory:{config.conversation_ttl}",
            lambda: MemoryVault(config.conversation_ttl),
            close=MemoryVault.close,
        )
    url = config.redis_url
    return rt.scope.get(
        f"gateway.vault:redis:{url}:{config.conversation_ttl}",
        lambda: RedisVault(url, rt.keyring, config.conversation_ttl),
        close=RedisVault.close,
    )


def _error(
    status: int, message: str, code: str, kind: str = "invalid_request_error"
) -> JSONResponse:
    """An OpenAI-shaped error; ``x-should-retry: false`` keeps the OpenAI client from
    retrying a refusal (a rate limit, ``429``, may be retried after ``retry-after``)."""
    headers = {"retry-after": "1"} if status == 429 else {"x-should-retry": "false"}
    return JSONResponse(
        {"error": {"message": message, "type": kind, "param": None, "code": code}},
        status_code=status,
        headers=headers,
    )


def _digest(data: bytes | str) -> str:
    return hashlib.sha256(data.encode() if isinstance(data, str) else data).hexdigest()


def _opening(body: Mapping[str, Any]) -> list[Any]:
    """The start of a conversation: its items up to and including the first user message."""
    items = body.get("messages")
    if items is None:
        items = body.get("input")
    if isinstance(items, str):
        return [items]
    if not isinstance(items, list):
        return []
    for index, item in enumerate(items):
        if isinstance(item, dict) and item.get("role") == "user":
            return items[: index + 1]
    return items[:1]


def conversation_id(key: ApiKey, header: str | None, body: Mapping[str, Any], vault: Vault) -> str:
    """The conversation a request belongs to, as a digest that holds no text:

    1. the ``X-Dataward-Conversation`` header, when the caller sends one;
    2. for the Responses API, the conversation of ``previous_response_id``;
    3. else the opening of the history: the messages (or input items) up to and including
       the first user message, which every later turn sends again.

    The caller's key id is part of it, so two callers never share pseudonyms."""
    if header:
        return _digest(json.dumps(["header", key.id, header]))[:32]
    previous = body.get("previous_response_id")
    if isinstance(previous, str):
        found = vault.conversation_of(f"{key.id}:{previous}")
        if found is not None:
            return found
    return _digest(json.dumps(["history", key.id, _opening(body)], sort_keys=True))[:32]


OPTIONS_VARIABLE = "DATAWARD_GATEWAY_OPTIONS"
"""Where ``dataward gateway --workers N`` hands its options to the worker processes (JSON;
the upstream key stays in the variable it names)."""


def from_environment() -> FastAPI:
    """The app of one worker of ``dataward gateway --workers N``: the options from
    :data:`OPTIONS_VARIABLE`, a runtime of its own (closed when the worker stops)."""
    import os

    from dataward.gateway.config import Mode
    from dataward.runtime import open as open_runtime

    options = json.loads(os.environ[OPTIONS_VARIABLE])
    rules: tuple[Any, ...] = ()
    if options.get("retention_rules"):
        from dataward.retention.rules import load_rules

        rules = tuple(load_rules(options["retention_rules"]))
    config = GatewayConfig(
        upstream=options["upstream"],
        mode=Mode(options["mode"]),
        upstream_key=os.environ.get(options["upstream_key_env"]) or None,
        redis_url=options["redis_url"],
        conversation_ttl=options["conversation_ttl"],
        detect_timeout=options["detect_timeout"],
        threshold=options["threshold"],
        retention_rules=rules,
        rate_per_second=options.get("rate_per_second"),
    )
    return create_gateway(open_runtime(), config, close_runtime=True)


def create_gateway(
    runtime: Runtime, config: GatewayConfig, *, close_runtime: bool = False
) -> FastAPI:
    """The gateway app over ``runtime`` (its store's API keys, its audit log, its engine and
    its scope for the vault); ``close_runtime``: close it when the app stops."""
    rt = runtime
    vault = open_vault(rt, config)
    keys: dict[str, tuple[ApiKey, float]] = {}
    clients: list[httpx.AsyncClient] = []
    engines: list[Engine] = []
    journals: list[Journal] = []
    limiter = (
        RateLimiter(config.rate_per_second, config.burst or max(1, int(config.rate_per_second * 2)))
        if config.rate_per_second
        else None
    )

    def detect(text: str) -> list[Finding]:
        """The configured detector, else the runtime's engine (built and warmed at startup:
        the first request must not wait for it, or fail closed on its time limit)."""
        if config.detect is not None:
            return config.detect(text)
        with rt.active():
            if not engines:
                engines.append(rt.engine(threshold=config.threshold))
            return engines[0].detect(text)

    secret_engines: list[Engine] = []

    def watch_secrets(windows: list[str]) -> dict[str, int]:
        """Secrets in the newest part of streamed texts (``pseudonymize`` mode: a stream is
        not held, so each piece is checked for keys before it goes out). Pattern detectors
        only, on a few hundred characters: microseconds, run on the event loop."""
        found: dict[str, int] = {}
        for window in windows:
            try:
                if config.detect is not None:
                    findings = config.detect(window)
                else:
                    if not secret_engines:
                        with rt.active():
                            secret_engines.append(rt.engine(secret_types(config.block_categories)))
                    findings = secret_engines[0].detect(window)
            except Exception:
                raise GatewayError(
                    "detection failed on the streamed completion; the stream was stopped",
                    code="dataward_detection_failed",
                    status=503,
                ) from None
            for f in findings:
                if config.block_categories & set(categories_of(f.entity)):
                    found[f.entity] = found.get(f.entity, 0) + 1
        return found

    def check_stream(restorer: ChatStream | ResponsesStream) -> Verdict | None:
        """The blocking verdict when a text about to go out holds a secret."""
        secrets = watch_secrets(restorer.tails.changed())
        return Verdict("block", secrets, tuple(sorted(secrets))) if secrets else None

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        rt.store  # noqa: B018 - open (and migrate) the store before the first request
        if config.detect is None:  # build the engine and read the taxonomy now
            await asyncio.to_thread(detect, "warm up the engine: ada@example.org")
            categories_of("EMAIL_ADDRESS")
            if config.mode is Mode.PSEUDONYMIZE:
                await asyncio.to_thread(watch_secrets, ["warm up"])
        limits = httpx.Limits(max_connections=200, max_keepalive_connections=100)
        clients.append(
            httpx.AsyncClient(timeout=config.upstream_timeout, limits=limits, trust_env=False)
        )
        journals.append(Journal(rt))
        try:
            yield
        finally:
            await clients.pop().aclose()
            journals.pop().close()
            if close_runtime:
                rt.close()

    app = FastAPI(title="Dataward gateway", lifespan=lifespan, docs_url=None, redoc_url=None)

    async def in_time(fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """Run a check in a worker thread within the detection time limit (fail closed)."""
        try:
            return await asyncio.wait_for(
                asyncio.to_thread(fn, *args, **kwargs), timeout=config.detect_timeout
            )
        except TimeoutError:
            raise GatewayError(
                f"the check took over {config.detect_timeout:g} s; the request was not sent",
                code="dataward_detection_failed",
                status=503,
            ) from None

    async def caller(request: Request) -> ApiKey:
        header = request.headers.get("authorization", "")
        scheme, _, presented = header.partition(" ")
        presented = presented.strip()
        if scheme.lower() != "bearer" or not presented:
            raise GatewayError(
                "missing API key: send a Dataward API key as the OpenAI API key",
                code="invalid_api_key",
                status=401,
            )
        digest = _digest(presented)
        now = time.monotonic()
        cached = keys.get(digest)
        if cached is not None and cached[1] > now:
            key: ApiKey | None = cached[0]
        else:
            key = await asyncio.to_thread(authenticate, rt.store, presented)  # a store query
            if key is not None:
                keys[digest] = (key, now + KEY_CACHE_SECONDS)
        if key is None:
            raise GatewayError("invalid or revoked API key", code="invalid_api_key", status=401)
        if limiter is not None and not limiter.allow(key.id):
            raise GatewayError(
                f"over {config.rate_per_second:g} requests a second for this key",
                code="rate_limit_exceeded",
                status=429,
            )
        if key.role not in ALLOWED_ROLES:
            raise GatewayError(
                f"role {key.role.value!r} may not call the gateway; needs admin or pipeline",
                code="permission_denied",
                status=403,
            )
        return key

    async def audit(
        stage: str, verdict: Verdict, key: ApiKey, conv: str, sha: str, model: Any
    ) -> None:
        await journals[0].write(
            GatewayEvent(
                stage=stage,  # type: ignore[arg-type]
                conversation=conv,
                sha256=sha,
                action=verdict.action,
                findings=verdict.findings,
                model=model if isinstance(model, str) else None,
                retention=retention(config.retention_rules, stage, verdict.findings),
            ),
            key.actor,
        )

    def upstream_headers(stream: bool) -> dict[str, str]:
        headers = {"Content-Type": "application/json"}
        if stream:
            headers["Accept"] = "text/event-stream"
        if config.upstream_key:
            headers["Authorization"] = f"Bearer {config.upstream_key}"
        return headers

    async def read_body(request: Request) -> bytes:
        declared = request.headers.get("content-length")
        if declared is not None and declared.isdigit() and int(declared) > config.max_body_bytes:
            raise GatewayError(
                f"request body over {config.max_body_bytes} bytes", code="too_large", status=413
            )
        chunks: list[bytes] = []
        size = 0
        async for chunk in request.stream():
            size += len(chunk)
            if size > config.max_body_bytes:
                raise GatewayError(
                    f"request body over {config.max_body_bytes} bytes",
                    code="too_large",
                    status=413,
                )
            chunks.append(chunk)
        return b"".join(chunks)

    async def proxy(request: Request, route: str) -> Response:
        key = await caller(request)
        raw = await read_body(request)
        try:
            body = json.loads(raw)
        except ValueError:
            body = None
        if not isinstance(body, dict):
            raise GatewayError("the request body must be a JSON object", code="invalid_json")
        header = request.headers.get(CONVERSATION_HEADER)

        def prepare() -> tuple[str, Verdict, Mapping[str, str]]:
            """The conversation, the verdict and the placeholders to restore (one thread)."""
            conv = conversation_id(key, header, body, vault)
            verdict = check_prompt(
                body,
                mode=config.mode,
                detect=detect,
                vault=vault,
                conversation=conv,
                block_categories=config.block_categories,
            )
            if verdict.action == "block" or config.mode is not Mode.PSEUDONYMIZE:
                return conv, verdict, {}
            return conv, verdict, vault.values(conv)

        conv, verdict, values = await in_time(prepare)
        model = body.get("model")
        await audit("prompt", verdict, key, conv, _digest(raw), model)
        if verdict.action == "block":
            raise verdict.refusal("prompt")
        sent = raw if verdict.action == "pass" else json.dumps(body, ensure_ascii=False).encode()
        url = f"{config.upstream.rstrip('/')}/{route}"
        client = clients[0]
        stream = bool(body.get("stream"))
        try:
            if stream:
                upstream_request = client.build_request(
                    "POST", url, content=sent, headers=upstream_headers(True)
                )
                response = await client.send(upstream_request, stream=True)
            else:
                response = await client.post(url, content=sent, headers=upstream_headers(False))
        except httpx.HTTPError as exc:
            raise GatewayError(
                f"the upstream could not be reached ({type(exc).__name__})",
                code="upstream_unreachable",
                status=502,
            ) from None
        if response.status_code >= 400:  # its error as it is: it holds placeholders only
            content = await response.aread()
            await response.aclose()
            return Response(
                content,
                status_code=response.status_code,
                media_type=response.headers.get("content-type", "application/json"),
            )
        if stream:
            return StreamingResponse(
                relay(response, route, values, key, conv, model),
                media_type="text/event-stream",
                headers={"Cache-Control": "no-cache"},
            )
        try:
            document = response.json()
        except ValueError:
            raise GatewayError(
                "the upstream answered with no JSON", code="upstream_invalid", status=502
            ) from None
        texts = list(completion_texts(document))
        checked = await in_time(
            check_completion,
            texts,
            mode=config.mode,
            detect=detect,
            block_categories=config.block_categories,
        )
        restored = map_strings(document, lambda s, js: restore(s, values, json_string=js))
        out = json.dumps(restored, ensure_ascii=False).encode()
        await audit("completion", checked, key, conv, _digest(out), model)
        if checked.action == "block":
            raise checked.refusal("completion")
        if route == "responses" and isinstance(document.get("id"), str):
            await in_time(vault.link, f"{key.id}:{document['id']}", conv)
        return Response(out, media_type="application/json")

    async def relay(
        response: httpx.Response,
        route: str,
        values: Mapping[str, str],
        key: ApiKey,
        conv: str,
        model: Any,
    ) -> AsyncIterator[bytes]:
        """The restored stream. In ``block`` mode the whole stream is read and checked before
        any of it goes out (a finding ends it with an error event instead)."""
        held = config.mode is Mode.BLOCK
        watch = config.mode is Mode.PSEUDONYMIZE
        restorer: ChatStream | ResponsesStream = (
            ResponsesStream(values, hold_tokens=watch)
            if route == "responses"
            else ChatStream(values, hold_tokens=watch)
        )
        stopped: Verdict | None = None
        out: list[bytes] = []
        digest = hashlib.sha256()
        audited = False
        done: bytes | None = None

        async def record(verdict: Verdict) -> None:
            nonlocal audited
            audited = True
            if isinstance(restorer, ResponsesStream) and restorer.response_id:
                await in_time(vault.link, f"{key.id}:{restorer.response_id}", conv)
            await audit("completion", verdict, key, conv, digest.hexdigest(), model)

        try:
            # the events that arrived together go out together: one check, one write
            async for batch in read_batches(response.aiter_text()):
                parts: list[bytes] = []
                for event in batch:
                    if event.data == "[DONE]":
                        done = event.encode()
                        break
                    try:
                        document = json.loads(event.data)
                    except ValueError:
                        raise GatewayError(
                            "the upstream sent an event that is not JSON",
                            code="upstream_invalid",
                            status=502,
                        ) from None
                    parts.extend(encode(event.name, r) for r in restorer.feed(document))
                if watch:  # before any of it goes out
                    stopped = check_stream(restorer)
                    if stopped is not None:
                        raise stopped.refusal("completion")
                if parts:
                    block = b"".join(parts)
                    digest.update(block)
                    if held:
                        out.append(block)
                    else:
                        yield block
                if done is not None:
                    break
            rests = [encode(None, rest) for rest in restorer.finish()]
            if watch:
                stopped = check_stream(restorer)
                if stopped is not None:
                    raise stopped.refusal("completion")
            for part in rests:
                digest.update(part)
                if held:
                    out.append(part)
                else:
                    yield part
            verdict = await in_time(
                check_completion,
                restorer.texts(),
                mode=config.mode,
                detect=detect,
                block_categories=config.block_categories,
            )
            await record(verdict)  # before the caller sees the end
            if verdict.action == "block":
                raise verdict.refusal("completion")
            for part in out:
                yield part
            if done is not None:
                yield done
        except GatewayError as exc:
            if not audited:
                await record(stopped or Verdict("block", {}))
            yield encode(None, {"error": {"message": str(exc), "code": exc.code}})
        finally:
            await response.aclose()
            if not audited:  # the caller went away: what was sent is still recorded
                action: Action = "pseudonymize" if config.mode is Mode.PSEUDONYMIZE else "pass"
                with contextlib.suppress(Exception):
                    await record(Verdict(action, {}))

    @app.exception_handler(GatewayError)
    async def refused(_request: Request, exc: GatewayError) -> JSONResponse:
        kind = "invalid_request_error" if exc.status < 500 else "dataward_error"
        return _error(exc.status, str(exc), exc.code, kind)

    async def guarded(request: Request, route: str) -> Response:
        """:func:`proxy`, with any unexpected error answered as an OpenAI-shaped ``500``
        that names only its type (its message may quote the request) and logged the same."""
        try:
            return await proxy(request, route)
        except GatewayError:
            raise
        except Exception as exc:
            log.error("gateway request failed: %s", type(exc).__name__)
            return _error(
                500,
                f"the gateway failed ({type(exc).__name__})",
                "dataward_internal",
                "server_error",
            )

    @app.post("/v1/chat/completions")
    async def chat_completions(request: Request) -> Response:
        return await guarded(request, "chat/completions")

    @app.post("/v1/responses")
    async def responses(request: Request) -> Response:
        return await guarded(request, "responses")

    @app.get("/v1/models")
    async def models(request: Request) -> Response:
        await caller(request)
        try:
            response = await clients[0].get(
                f"{config.upstream.rstrip('/')}/models", headers=upstream_headers(False)
            )
        except httpx.HTTPError as exc:
            raise GatewayError(
                f"the upstream could not be reached ({type(exc).__name__})",
                code="upstream_unreachable",
                status=502,
            ) from None
        return Response(
            response.content, status_code=response.status_code, media_type="application/json"
        )

    @app.get("/health")
    def health() -> dict[str, str]:
        return {"status": "ok", "mode": config.mode.value}

    app.state.vault = vault
    app.state.runtime = rt
    return app
