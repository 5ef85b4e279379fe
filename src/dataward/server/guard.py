"""The outermost layer of the service, as plain ASGI: it runs before any body is read.

For every HTTP request it

- refuses a declared ``Content-Length`` over the limit (``413``) and counts the bytes of every
  body as they arrive, so a ``Transfer-Encoding: chunked`` body is cut off at the limit too;
- authenticates ``/v1`` calls (``401``) and applies the per-key rate limit (``429``) *before*
  the application reads the body, so an anonymous caller cannot make the service buffer one;
- adds security headers to every response (CSP, ``nosniff``, frame denial, referrer policy,
  and HSTS when the request came over TLS);
- writes one JSON line per request to the ``dataward.server.requests`` logger: method, route
  template (never the raw path or the query), status, milliseconds, key id.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Awaitable, Callable, Mapping, MutableMapping
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.responses import JSONResponse

from dataward.server.apikeys import ApiKey

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]
Authenticate = Callable[[str], ApiKey]
"""Turns an ``Authorization`` header into a caller, or raises an ``HTTPException``."""

request_log = logging.getLogger("dataward.server.requests")

FORM_BODY_BYTES = 16 * 1024
"""Body limit outside ``/v1`` (the dashboard's sign-in and sign-out forms): no caller there is
known before the body is read, so it stays small."""
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
DOCS_CSP = (  # Swagger UI and ReDoc load their scripts and styles from jsDelivr
    "default-src 'self'; script-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net; "
    "style-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net https://fonts.googleapis.com; "
    "font-src https://fonts.gstatic.com; img-src 'self' data: https://fastapi.tiangolo.com; "
    "worker-src blob:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'"
)
DOCS_PATHS = ("/docs", "/redoc")


class BodyTooLarge(HTTPException):
    def __init__(self, limit: int) -> None:
        super().__init__(413, f"request body over {limit} bytes")


class Guard:
    """Wraps the FastAPI app; see the module docstring."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        max_body_bytes: int,
        authenticate: Authenticate,
        allow: Callable[[str], bool],
        observe: Callable[[str, str, int, float], None],
    ) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes
        self.authenticate = authenticate
        self.allow = allow
        self.observe = observe

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        path: str = scope.get("path", "")
        api = path == "/v1" or path.startswith("/v1/")
        limit = self.max_body_bytes if api else min(self.max_body_bytes, FORM_BODY_BYTES)
        tls = scope.get("scheme") == "https"
        seen = {"status": 500, "bytes": 0, "over": False, "replaced": False, "started": False}

        async def too_large() -> None:
            seen["status"], seen["started"] = 413, True
            extra = _security_headers(path, tls)
            await _send_json(send, 413, f"request body over {limit} bytes", extra)

        async def guarded_send(message: Message) -> None:
            if seen["replaced"]:
                return
            if message["type"] == "http.response.start":
                if seen["over"]:  # the app failed on the cut-off body: say why instead
                    seen["replaced"] = True
                    await too_large()
                    return
                seen["status"], seen["started"] = message["status"], True
                own = {k.lower() for k, _ in message.get("headers", [])}  # a route's own CSP wins
                extra = [h for h in _security_headers(path, tls) if h[0] not in own]
                message["headers"] = [*message.get("headers", []), *extra]
            await send(message)

        async def counted_receive() -> Message:
            message = await receive()
            if message["type"] == "http.request":
                seen["bytes"] += len(message.get("body", b""))
                if seen["bytes"] > limit:
                    seen["over"] = True
                    raise BodyTooLarge(limit)
            return message

        try:
            refusal = await self._refusal(scope, limit)
            if refusal is not None:
                await refusal(scope, receive, guarded_send)
            elif "dataward_key" in scope:
                from dataward.audit import acting

                # every audit event this call records names the key (or OIDC subject) first
                with acting(scope["dataward_key"].actor):
                    await self.app(scope, counted_receive, guarded_send)
            else:
                await self.app(scope, counted_receive, guarded_send)
        except BodyTooLarge:
            if not seen["started"]:
                await too_large()
        finally:
            elapsed = time.perf_counter() - started
            route = getattr(scope.get("route"), "path", None) or "unmatched"
            status = int(seen["status"])
            self.observe(scope.get("method", "?"), route, status, elapsed)
            request_log.info(
                json.dumps(
                    {
                        "event": "request",
                        "method": scope.get("method"),
                        "route": route,
                        "status": status,
                        "ms": round(elapsed * 1000, 2),
                        "key": scope.get("dataward_key_id"),
                    }
                )
            )

    async def _refusal(self, scope: Scope, limit: int) -> JSONResponse | None:
        """The response that ends the request before the app runs, if any."""
        headers = {
            k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", [])
        }
        length = headers.get("content-length")
        if length is not None and (not length.isdigit() or int(length) > limit):
            return _json(413, f"request body over {limit} bytes")
        path: str = scope.get("path", "")
        if not (path == "/v1" or path.startswith("/v1/")):
            return None
        authorization = headers.get("authorization", "")
        try:
            key = await run_in_threadpool(self.authenticate, authorization)
        except HTTPException as exc:
            return _json(exc.status_code, str(exc.detail), exc.headers)
        scope["dataward_key"] = key
        scope["dataward_key_id"] = key.id
        if not self.allow(key.id):
            return _json(429, "rate limit exceeded; slow down", {"Retry-After": "1"})
        return None


def _json(status: int, detail: str, headers: Mapping[str, str] | None = None) -> JSONResponse:
    # The request body was not read: tell the client the connection will not be reused.
    return JSONResponse(
        {"detail": detail}, status, headers={**(headers or {}), "Connection": "close"}
    )


async def _send_json(
    send: Send, status: int, detail: str, extra: list[tuple[bytes, bytes]]
) -> None:
    body = json.dumps({"detail": detail}).encode()
    headers = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(body)).encode()),
        (b"connection", b"close"),
        *extra,
    ]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


def _security_headers(path: str, tls: bool) -> list[tuple[bytes, bytes]]:
    docs = path in DOCS_PATHS or path.startswith("/docs/")
    headers = [
        (b"content-security-policy", (DOCS_CSP if docs else CSP).encode()),
        (b"x-content-type-options", b"nosniff"),
        (b"x-frame-options", b"DENY"),
        (b"referrer-policy", b"same-origin"),
        (b"cross-origin-opener-policy", b"same-origin"),
    ]
    if tls:
        headers.append((b"strict-transport-security", b"max-age=31536000; includeSubDomains"))
    return headers
