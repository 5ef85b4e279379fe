"""The dashboard: the inventory, scans, recent decisions and the audit log's status, as HTML.

Served by the same app. A person signs in with an API key (roles admin, steward, auditor); the
key is exchanged for a random session id in an HttpOnly, SameSite=Strict cookie (``Secure``
when the request came over TLS) and never stored in the browser. Sessions live in the store
(:mod:`dataward.server.sessions`), so every worker knows them and revoking the key ends them.

Form posts (sign-in, sign-out) must come from this site: the ``Origin`` (or, without one, the
``Referer``) must be the service's own, and a CSRF token must match (a cookie for the sign-in
form, the session's token for sign-out). Failed sign-ins are throttled per client and per key.
"""

# No `from __future__ import annotations`: FastAPI reads these annotations at runtime.
import secrets
from importlib.resources import files
from typing import Annotated, Any

from fastapi import Depends, FastAPI, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from jinja2 import Environment, FileSystemLoader, select_autoescape

from dataward.server.apidocs import mount_docs
from dataward.server.apikeys import Role, authenticate
from dataward.server.reports import latest_report, mount_reports, published_reports, report_response
from dataward.server.sessions import (
    SESSION_SECONDS,
    close_session,
    get_session,
    key_id_of,
    note_failure,
    open_session,
    same_token,
    throttled,
)
from dataward.server.views import (
    PER_PAGE,
    audit_status,
    inventory,
    latest_posture,
    overview_charts,
    recent_alerts,
    recent_decisions,
    recent_scans,
)
from dataward.store import Store

COOKIE = "dw_session"
LOGIN_CSRF_COOKIE = "dw_login_csrf"
VIEWERS = {Role.ADMIN, Role.STEWARD, Role.AUDITOR}


def same_origin(request: Request) -> bool:
    """Whether a form post comes from this site: its ``Origin`` (or ``Referer``) names the
    scheme and host the request was sent to. A post with neither is refused."""
    host = request.headers.get("host")
    if not host:
        return False
    own = f"{request.url.scheme}://{host}".lower()
    origin = request.headers.get("origin")
    if origin is not None:
        return origin.lower() == own
    referer = (request.headers.get("referer") or "").lower()
    return referer.startswith(own + "/")


def _tls(request: Request) -> bool:
    return request.url.scheme == "https"


def mount(app: FastAPI) -> None:
    """Add the dashboard routes and static files to ``app``."""
    folder = files("dataward.server")
    env = Environment(
        loader=FileSystemLoader(str(folder.joinpath("templates"))),
        autoescape=select_autoescape(["html"]),
    )
    app.mount("/static", StaticFiles(directory=str(folder.joinpath("static"))), name="static")
    get_store = app.state.get_store

    def render(name: str, status: int = 200, **context: Any) -> HTMLResponse:
        response = HTMLResponse(env.get_template(name).render(**context), status_code=status)
        response.headers["Cache-Control"] = "no-store"
        return response

    def login_page(request: Request, status: int = 200, error: str | None = None) -> Response:
        """The sign-in form with a CSRF token that its cookie repeats."""
        token = request.cookies.get(LOGIN_CSRF_COOKIE) or ""
        if not 20 <= len(token) <= 100:
            token = secrets.token_urlsafe(32)
        response = render("login.html", status=status, who=None, error=error, csrf=token)
        response.set_cookie(
            LOGIN_CSRF_COOKIE,
            token,
            max_age=3600,
            path="/dashboard",
            httponly=True,
            samesite="strict",
            secure=_tls(request),
        )
        return response

    @app.get("/dashboard/login", response_class=HTMLResponse, include_in_schema=False)
    def login_form(request: Request) -> Response:
        return login_page(request)

    @app.post("/dashboard/login", include_in_schema=False)
    def login(
        request: Request,
        store: Annotated[Store, Depends(get_store)],
        key: Annotated[str, Form()] = "",
        csrf: Annotated[str, Form()] = "",
    ) -> Response:
        if not same_origin(request):
            return login_page(request, 403, "This form must be sent from the sign-in page.")
        expected = request.cookies.get(LOGIN_CSRF_COOKIE) or ""
        if not expected or not same_token(expected, csrf):
            return login_page(request, 403, "The form expired; please sign in again.")
        presented = key.strip()
        client = request.client.host if request.client else "unknown"
        key_id = key_id_of(presented)
        wait = throttled(store, client, key_id)
        if wait is not None:
            response = login_page(
                request, 429, f"Too many failed sign-ins; try again in {wait // 60 + 1} minutes."
            )
            response.headers["Retry-After"] = str(wait)
            return response
        found = authenticate(store, presented)
        if found is None:
            note_failure(store, client, key_id)
            return login_page(request, 401, "That key is not valid.")
        if found.role not in VIEWERS:
            return login_page(request, 403, f"A {found.role.value} key cannot open the dashboard.")
        response = RedirectResponse("/dashboard", status_code=303)
        response.set_cookie(
            COOKIE,
            open_session(store, found),
            max_age=SESSION_SECONDS,
            httponly=True,
            samesite="strict",
            secure=_tls(request),
        )
        response.delete_cookie(LOGIN_CSRF_COOKIE, path="/dashboard")
        return response

    @app.post("/dashboard/logout", include_in_schema=False)
    def logout(
        request: Request,
        store: Annotated[Store, Depends(get_store)],
        csrf: Annotated[str, Form()] = "",
    ) -> Response:
        session = get_session(store, request.cookies.get(COOKIE))
        if session is not None:
            if not same_origin(request) or not same_token(session.csrf, csrf):
                return Response("sign-out refused: not sent from the dashboard", 403)
            close_session(store, request.cookies.get(COOKIE))
        response = RedirectResponse("/dashboard/login", status_code=303)
        response.delete_cookie(COOKIE, httponly=True, samesite="strict", secure=_tls(request))
        return response

    def viewer(request: Request, store: Store) -> Any:
        """The signed-in session, or ``None`` (the caller redirects to the sign-in page)."""
        return get_session(store, request.cookies.get(COOKIE))

    @app.get("/dashboard", response_class=HTMLResponse, include_in_schema=False)
    def dashboard(
        request: Request,
        store: Annotated[Store, Depends(get_store)],
        q: str = "",
        tag: str = "",
        page: int = 1,
    ) -> Response:
        session = viewer(request, store)
        if session is None:
            return RedirectResponse("/dashboard/login", status_code=303)
        inv = inventory(store, q=q[:200], tag=tag[:60], page=page)
        decisions = recent_decisions(store)
        return render(
            "dashboard.html",
            who=session.key,
            csrf=session.csrf,
            inventory=inv,
            scans=recent_scans(store),
            decisions=decisions,
            audit=audit_status(store),
            charts=overview_charts(inv, decisions, latest_posture(store)),
            report=latest_report(store),
        )

    @app.get("/dashboard/decisions", response_class=HTMLResponse, include_in_schema=False)
    def decisions_page(
        request: Request, store: Annotated[Store, Depends(get_store)], page: int = 1
    ) -> Response:
        session = viewer(request, store)
        if session is None:
            return RedirectResponse("/dashboard/login", status_code=303)
        rows = recent_decisions(store, limit=None, days=None)
        pages = max(1, -(-len(rows) // PER_PAGE))
        page = min(max(page, 1), pages)
        return render(
            "decisions.html",
            who=session.key,
            csrf=session.csrf,
            decisions=rows[(page - 1) * PER_PAGE : page * PER_PAGE],
            total=len(rows),
            page=page,
            pages=pages,
        )

    @app.get("/dashboard/alerts", response_class=HTMLResponse, include_in_schema=False)
    def alerts_page(request: Request, store: Annotated[Store, Depends(get_store)]) -> Response:
        session = viewer(request, store)
        if session is None:
            return RedirectResponse("/dashboard/login", status_code=303)
        return render(
            "alerts.html", who=session.key, csrf=session.csrf, alerts=recent_alerts(store)
        )

    @app.get("/dashboard/reports", response_class=HTMLResponse, include_in_schema=False)
    def reports_page(request: Request, store: Annotated[Store, Depends(get_store)]) -> Response:
        session = viewer(request, store)
        if session is None:
            return RedirectResponse("/dashboard/login", status_code=303)
        return render(
            "reports.html", who=session.key, csrf=session.csrf, reports=published_reports(store)
        )

    @app.get("/dashboard/reports/latest", include_in_schema=False)
    def latest_report_page(
        request: Request, store: Annotated[Store, Depends(get_store)]
    ) -> Response:
        session = viewer(request, store)
        if session is None:
            return RedirectResponse("/dashboard/login", status_code=303)
        return report_response(store, "html")

    mount_docs(app)
    mount_reports(app)

    @app.get("/", include_in_schema=False)
    def root() -> Response:
        return RedirectResponse("/dashboard", status_code=303)
