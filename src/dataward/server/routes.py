"""The ``/v1`` routes beyond detection: decisions, go tokens, the audit log, the catalog."""

# No `from __future__ import annotations`: FastAPI reads these annotations at runtime.
from pathlib import Path
from typing import Annotated, Any

from fastapi import Depends, FastAPI, HTTPException, Query
from pydantic import BaseModel, Field

from dataward.errors import AuditError, PolicyError
from dataward.server.apikeys import ApiKey, Role
from dataward.server.jobs import get_job, start_job
from dataward.store import Store


class DecideRequest(BaseModel):
    """A request for a decision, as ``dataward decide`` reads it."""

    principal: dict[str, Any]
    action: str
    resource: dict[str, Any]
    context: dict[str, Any] = Field(default_factory=dict)
    evidence: list[dict[str, Any]] = Field(default_factory=list, max_length=100)
    """Signed protect receipts (``dataward protect --decision``) that prove obligations met;
    transforms only claimed in ``context.transforms`` lift no deny."""


class ScanRequest(BaseModel):
    paths: list[Annotated[str, Field(min_length=1, pattern=r"^[^\x00]*$")]] = Field(min_length=1)
    sample: int = Field(10_000, gt=0)
    full: bool = False
    force: bool = False


class ProtectRequest(BaseModel):
    """Text to protect: each finding is replaced by its type's operator (or the given rules)."""

    texts: list[str] = Field(min_length=1, max_length=1000)
    rules: list[dict[str, Any]] | None = None
    """Rules as in the ``protect:`` section of ``dataward.yaml`` (first match wins)."""


class TokenRequest(BaseModel):
    token: str
    request: DecideRequest | None = None
    """When given, the token is re-validated against this current request (inference time)."""


def mount(app: FastAPI) -> None:
    require = app.state.require
    get_store = app.state.get_store
    config = app.state.config

    @app.get("/v1/catalog/datasets", tags=["catalog"])
    def catalog_datasets(
        store: Annotated[Store, Depends(get_store)],
        _key: Annotated[ApiKey, Depends(require(Role.AUDITOR, Role.STEWARD, Role.PIPELINE))],
    ) -> dict[str, Any]:
        """Every cataloged dataset with its tags and summary."""
        from dataward.catalog import Catalog

        return {"datasets": Catalog(store).datasets()}

    @app.get("/v1/catalog/datasets/{key:path}", tags=["catalog"])
    def catalog_dataset(
        key: str,
        store: Annotated[Store, Depends(get_store)],
        _key: Annotated[ApiKey, Depends(require(Role.AUDITOR, Role.STEWARD, Role.PIPELINE))],
    ) -> dict[str, Any]:
        """One dataset (by id, path or file name) with its columns and tags."""
        from dataward.catalog import Catalog
        from dataward.catalog.catalog import CatalogError

        try:
            return Catalog(store).dataset(key)
        except CatalogError as exc:
            raise HTTPException(404, str(exc)) from None

    @app.post("/v1/scan", status_code=202, tags=["scan"])
    def start_scan(
        body: ScanRequest,
        store: Annotated[Store, Depends(get_store)],
        key: Annotated[ApiKey, Depends(require(Role.STEWARD, Role.PIPELINE))],
    ) -> dict[str, Any]:
        """Scan files the service can read (under its scan roots, symlinks resolved, never the
        service's home) as a background job."""
        from dataward.server.roots import ScanRootError, ScanRoots
        from dataward.settings import get_settings

        roots = ScanRoots.of(config.scan_roots or [Path.cwd()], Path(get_settings().home))
        paths, exclude = [], []
        for raw in body.paths:
            try:
                path = roots.check(raw)
            except ScanRootError as exc:
                raise HTTPException(exc.status, str(exc)) from None
            paths.append(path)
            exclude.extend(roots.excluded(path))
        job_id = start_job(
            store,
            started_by=key.actor,
            paths=paths,
            exclude=exclude,
            sample=body.sample,
            full=body.full,
            force=body.force,
            lost_after=config.job_lost_seconds,
        )
        return {"job_id": job_id, "status": "running"}

    @app.get("/v1/jobs/{job_id}", tags=["scan"])
    def job_status(
        job_id: str,
        store: Annotated[Store, Depends(get_store)],
        _key: Annotated[ApiKey, Depends(require(Role.STEWARD, Role.PIPELINE, Role.AUDITOR))],
    ) -> dict[str, Any]:
        """A scan job's status (``running``, ``done``, ``failed`` or ``lost``), progress (files,
        rows) and, when done, its result; any worker answers."""
        job = get_job(store, job_id, lost_after=config.job_lost_seconds)
        if job is None:
            raise HTTPException(404, f"no job {job_id!r}")
        return job

    @app.post("/v1/decide", tags=["decide"])
    def decide(
        body: DecideRequest,
        store: Annotated[Store, Depends(get_store)],
        key: Annotated[ApiKey, Depends(require(Role.PIPELINE, Role.STEWARD))],
    ) -> dict[str, Any]:
        """Go or no-go for a training, inference or retrieval request, with its obligations."""
        from dataward.policy import decide as policy_decide

        try:
            decision = policy_decide(
                body.model_dump(exclude={"evidence"}), store=store, evidence=body.evidence
            )
        except PolicyError as exc:
            raise HTTPException(400, str(exc)) from None
        return decision.to_dict()

    @app.post("/v1/protect", tags=["protect"])
    def protect(
        body: ProtectRequest,
        _key: Annotated[ApiKey, Depends(require(Role.PIPELINE, Role.STEWARD))],
    ) -> dict[str, Any]:
        """Protect texts before they reach a model: findings replaced in place."""
        from dataward.audit import record
        from dataward.audit.events import ProtectEvent
        from dataward.errors import ConfigError, KeyringError, ProtectError
        from dataward.protect import fpe_versions
        from dataward.protect.apply import Protector

        try:
            protector = Protector({"rules": body.rules} if body.rules is not None else None)
        except ConfigError as exc:
            raise HTTPException(422, str(exc)) from None
        try:
            results = [protector.protect_text(t) for t in body.texts]
        except KeyringError:
            raise  # the service's keys, not the caller's request: a 500
        except ProtectError as exc:
            if body.rules is None:
                raise
            # the caller's rule cannot protect these texts (an FPE alphabet or length that does
            # not fit the values): the caller's error, and the message names no value
            raise HTTPException(422, f"the given rules cannot protect these texts: {exc}") from None
        fpe_versions.flush()  # a reveal in another worker (or after a crash) finds the versions
        record(
            ProtectEvent(
                texts=len(body.texts), rules="request" if body.rules is not None else "default"
            )
        )
        return {"results": results}

    @app.post("/v1/tokens/verify", tags=["decide"])
    def verify_token(
        body: TokenRequest,
        _key: Annotated[ApiKey, Depends(require(Role.PIPELINE, Role.STEWARD, Role.AUDITOR))],
    ) -> dict[str, Any]:
        """Check a go token's signature and expiry, or re-validate it against a request."""
        from dataward.errors import TokenError
        from dataward.policy.revalidation import revalidate
        from dataward.policy.tokens import verify_token as verify

        if body.request is not None:
            return revalidate(body.token, body.request.model_dump()).to_dict()
        try:
            return {"valid": True, "problems": [], "claims": verify(body.token)}
        except TokenError as exc:
            return {"valid": False, "problems": [str(exc)], "claims": {}}

    @app.get("/v1/audit/events", tags=["audit"])
    def audit_events(
        store: Annotated[Store, Depends(get_store)],
        _key: Annotated[ApiKey, Depends(require(Role.AUDITOR, Role.STEWARD))],
        start: Annotated[int, Query(ge=0, le=2**63 - 1)] = 0,
        limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    ) -> dict[str, Any]:
        """Events of the audit log; personal details stay sealed."""
        from dataward.audit import open_audit_log

        log = open_audit_log(store)
        events = [e.to_dict() for e in log.events(start, limit)]
        return {"size": log.size(), "events": events}

    @app.get("/v1/audit/verify", tags=["audit"])
    def audit_verify(
        store: Annotated[Store, Depends(get_store)],
        _key: Annotated[ApiKey, Depends(require(Role.AUDITOR))],
    ) -> dict[str, Any]:
        """Recompute the whole log: leaves, tree heads, checkpoints and their signatures."""
        from dataward.audit import open_audit_log

        try:
            return open_audit_log(store).verify().to_dict()
        except AuditError as exc:
            return {"ok": False, "error": str(exc)}

    @app.get("/v1/audit/proof/{index}", tags=["audit"])
    def audit_proof(
        index: int,
        store: Annotated[Store, Depends(get_store)],
        _key: Annotated[ApiKey, Depends(require(Role.AUDITOR))],
    ) -> dict[str, Any]:
        """A receipt for one event that verifies offline against a signed checkpoint."""
        from dataward.audit import make_receipt, open_audit_log

        log = open_audit_log(store)
        if not 0 <= index < log.size():
            raise HTTPException(404, f"no event {index}; the log has {log.size()}")
        return make_receipt(log, index)
