"""The FastAPI application: ``/health``, ``/ready``, ``/metrics`` and the ``/v1`` API.

Every ``/v1`` route needs ``Authorization: Bearer KEY`` (401 without a valid key) and a role
allowed for that route (403 otherwise). The :class:`~dataward.server.guard.Guard` checks the
key, the rate limit (429) and the body size (413, also for chunked bodies) before the app
reads a body, adds security headers and logs one JSON line per request with no content.
"""

# No `from __future__ import annotations` here: FastAPI reads the annotations of the route
# functions at runtime, and they refer to local dependencies.
import logging
import threading
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

from fastapi import Depends, FastAPI, HTTPException, Request, Response
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from dataward import __version__
from dataward.errors import DatawardError
from dataward.server.apikeys import ApiKey, Role, authenticate
from dataward.server.guard import Guard
from dataward.server.oidc import OidcValidator, looks_like_jwt
from dataward.store import Store

if TYPE_CHECKING:
    from starlette.types import ASGIApp, Receive, Scope, Send

    from dataward.runtime import Runtime

log = logging.getLogger("dataward.server")


class _InRuntime:
    """Runs each request (and the sync handlers' threads, which copy the context) with the
    app's runtime in use (:func:`dataward.runtime.use`)."""

    def __init__(self, app: "ASGIApp", runtime: "Runtime") -> None:
        self.app, self.runtime = app, runtime

    async def __call__(self, scope: "Scope", receive: "Receive", send: "Send") -> None:
        with self.runtime.active():
            await self.app(scope, receive, send)


@dataclass
class ServerConfig:
    """Limits of the service."""

    max_body_bytes: int = 5 * 1024 * 1024
    rate_per_second: float = 200.0
    """Sustained requests per second per API key (token bucket)."""
    burst: int = 400
    max_texts: int = 1000
    scan_roots: list[Path] = field(default_factory=list)
    oidc_issuer: str | None = None
    oidc_audience: str | None = None
    oidc_jwks_path: Path | None = None
    oidc_role_claim: str = "dataward_role"
    job_lost_seconds: float = 300.0


@dataclass
class _Bucket:
    tokens: float
    stamp: float = field(default_factory=time.monotonic)


class RateLimiter:
    """A token bucket per key, in process."""

    def __init__(self, rate: float, burst: int) -> None:
        self.rate, self.burst = rate, burst
        self._buckets: dict[str, _Bucket] = {}
        self._lock = threading.Lock()

    def allow(self, key: str) -> bool:
        now = time.monotonic()
        with self._lock:
            b = self._buckets.setdefault(key, _Bucket(float(self.burst), now))
            b.tokens = min(self.burst, b.tokens + (now - b.stamp) * self.rate)
            b.stamp = now
            if b.tokens < 1:
                return False
            b.tokens -= 1
            return True


# -- request and response bodies ---------------------------------------------------------------


class DetectRequest(BaseModel):
    """Text to scan: one ``text`` or a list of ``texts``."""

    text: str | None = None
    texts: list[str] | None = None
    entities: list[str] | None = None
    threshold: float | None = Field(None, ge=0.0, le=1.0)
    language: str | None = Field(None, pattern="^(en|de|fr|es|it)$")
    explain: bool = False


class FindingOut(BaseModel):
    entity: str
    start: int
    end: int
    score: float
    detector: str
    explanation: dict[str, Any] | None = None


class DetectResult(BaseModel):
    findings: list[FindingOut]


class DetectResponse(BaseModel):
    results: list[DetectResult]


class Health(BaseModel):
    status: str
    version: str


# -- the app -----------------------------------------------------------------------------------


def create_app(
    runtime: "Runtime | Store | None" = None,
    config: ServerConfig | None = None,
    *,
    store: Store | None = None,
) -> FastAPI:
    """Build the app on ``runtime`` (:mod:`dataward.runtime`): every request runs in it, so
    the API keys, the decisions and the audit events go to its one store.

    Without a runtime the app opens its own at startup (the settings of ``DATAWARD_*`` and
    ``dataward.yaml``) and closes it at shutdown. ``store=`` (or a store passed first, the
    older form) builds a runtime over that store, which the caller keeps and closes."""
    from dataward.runtime import Runtime

    if isinstance(runtime, Store):
        runtime, store = None, runtime
    owned = runtime is None
    rt = runtime if runtime is not None else Runtime()
    if store is not None:
        from dataward.store.shared import pin

        pin(store, rt.scope)
    if config is None:
        with rt.active():
            from dataward.settings import get_settings

            config = ServerConfig(**get_settings().server.model_dump())
    limiter = RateLimiter(config.rate_per_second, config.burst)
    oidc = OidcValidator.from_config(config)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        rt.store  # noqa: B018 - open (and migrate) the store before the first request
        try:
            yield
        finally:
            if owned:
                rt.close()

    app = FastAPI(
        title="Dataward",
        version=__version__,
        description="Detect, classify, protect and decide on sensitive data in AI pipelines.",
        lifespan=lifespan,
        docs_url=None,  # served offline by dashboard.mount (server/apidocs.py), not from a CDN
        redoc_url=None,
    )
    from dataward.server.metrics import Metrics

    metrics = Metrics()

    @app.exception_handler(DatawardError)
    async def dataward_error(_request: Request, exc: DatawardError) -> JSONResponse:
        status = 400 if exc.exit_code in (2, 3) else 500
        return JSONResponse({"detail": str(exc), "error": type(exc).__name__}, status_code=status)

    def get_store() -> Store:
        return rt.store

    def authenticate_header(header: str) -> ApiKey:
        """The caller named by an ``Authorization`` header; 401 (or 403) otherwise."""
        scheme, _, presented = header.partition(" ")
        if scheme.lower() != "bearer" or not presented.strip():
            raise HTTPException(
                401,
                "missing API key: send Authorization: Bearer KEY",
                headers={"WWW-Authenticate": "Bearer"},
            )
        presented = presented.strip()
        if oidc is not None and looks_like_jwt(presented):
            key: ApiKey | None = oidc.authenticate(presented)  # 401 or 403 when not valid
        else:
            key = authenticate(get_store(), presented)
        if key is None:
            raise HTTPException(
                401, "invalid or revoked API key", headers={"WWW-Authenticate": "Bearer"}
            )
        return key

    def caller(request: Request) -> ApiKey:
        """The caller the guard authenticated before the body was read."""
        key: ApiKey | None = request.scope.get("dataward_key")
        if key is None:  # only /v1 paths are authenticated; a route elsewhere cannot ask
            raise HTTPException(401, "missing API key", headers={"WWW-Authenticate": "Bearer"})
        return key

    def require(*roles: Role) -> Callable[[ApiKey], ApiKey]:
        allowed = {Role.ADMIN, *roles}

        def check(key: Annotated[ApiKey, Depends(caller)]) -> ApiKey:
            if key.role not in allowed:
                raise HTTPException(
                    403,
                    f"role {key.role.value!r} may not do this; needs one of "
                    + ", ".join(sorted(r.value for r in allowed)),
                )
            return key

        return check

    app.add_middleware(
        Guard,
        max_body_bytes=config.max_body_bytes,
        authenticate=authenticate_header,
        allow=limiter.allow,
        observe=metrics.observe,
    )
    app.add_middleware(_InRuntime, runtime=rt)  # outermost: the guard runs in it too
    app.state.runtime = rt
    app.state.require = require
    app.state.get_store = get_store
    app.state.config = config

    @app.get("/health", response_model=Health, tags=["service"])
    def health() -> Health:
        """Liveness: the process answers."""
        return Health(status="ok", version=__version__)

    @app.get("/ready", response_model=Health, tags=["service"])
    def ready(store_: Annotated[Store, Depends(get_store)]) -> Health:
        """Readiness: the store answers."""
        import sqlalchemy as sa

        try:
            with store_.begin() as conn:
                conn.execute(sa.text("SELECT 1"))
        except Exception:
            raise HTTPException(503, "store unavailable") from None
        return Health(status="ready", version=__version__)

    @app.get("/metrics", tags=["service"], include_in_schema=False)
    def prometheus() -> Response:
        body, content_type = metrics.render()
        return Response(body, media_type=content_type)

    @app.post("/v1/detect", response_model=DetectResponse, tags=["detect"])
    def detect(
        body: DetectRequest,
        _key: Annotated[ApiKey, Depends(require(Role.PIPELINE, Role.STEWARD))],
    ) -> DetectResponse:
        """Find sensitive values; findings carry offsets, never values."""
        from dataward.detect.api import get_engine

        texts = body.texts
        if texts is None and body.text is not None:
            texts = [body.text]
        if texts is None:
            raise HTTPException(422, "give 'text' or 'texts'")
        if len(texts) > config.max_texts:
            raise HTTPException(422, f"at most {config.max_texts} texts per request")
        engine = get_engine(body.entities, threshold=body.threshold)
        results = [
            DetectResult(
                findings=[
                    FindingOut(**f.to_dict(explain=body.explain))
                    for f in engine.detect(t, language=body.language, explain=body.explain)
                ]
            )
            for t in texts
        ]
        return DetectResponse(results=results)

    import dataward.server.dashboard as dashboard  # the modules: the package imports this one
    import dataward.server.routes as routes

    routes.mount(app)
    dashboard.mount(app)
    import dataward.server.lineage as lineage_routes

    lineage_routes.mount(app)
    import dataward.server.monitor as monitor_routes

    monitor_routes.mount(app)
    return app
