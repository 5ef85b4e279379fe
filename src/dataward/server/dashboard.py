"""The dashboard: the inventory, scans, recent decisions and the audit log's status, as HTML.

Served by the same app. A person signs in with an API key (roles admin, steward, auditor); the
key is exchanged for a random session id in an HttpOnly, SameSite=Strict cookie and never stored
in the browser. Pages are rendered on the server; no script is needed to read them.
"""

# No `from __future__ import annotations`: FastAPI reads these annotations at runtime.
import secrets
import threading
import time
from dataclasses import dataclass
from importlib.resources import files
from typing import Annotated, Any

from fastapi import Depends, FastAPI, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from jinja2 import Environment, FileSystemLoader, select_autoescape

from dataward.server import views
from dataward.server.apikeys import ApiKey, Role, authenticate
from dataward.store import Store

COOKIE = "dw_session"
SESSION_SECONDS = 8 * 3600
VIEWERS = {Role.ADMIN, Role.STEWARD, Role.AUDITOR}


@dataclass
class _Session:
    key: ApiKey
    expires: float


class Sessions:
    def __init__(self) -> None:
        self._items: dict[str, _Session] = {}
        self._lock = threading.Lock()

    def open(self, key: ApiKey) -> str:
        sid = secrets.token_urlsafe(32)
        with self._lock:
            self._items[sid] = _Session(key, time.time() + SESSION_SECONDS)
        return sid

    def get(self, sid: str | None) -> ApiKey | None:
        if not sid:
            return None
        with self._lock:
            s = self._items.get(sid)
            if s is None or s.expires < time.time():
                self._items.pop(sid, None)
                return None
            return s.key

    def close(self, sid: str | None) -> None:
        with self._lock:
            self._items.pop(sid or "", None)


def mount(app: FastAPI) -> None:
    """Add the dashboard routes and static files to ``app``."""
    folder = files("dataward.server")
    env = Environment(
        loader=FileSystemLoader(str(folder.joinpath("templates"))),
        autoescape=select_autoescape(["html"]),
    )
    app.mount("/static", StaticFiles(directory=str(folder.joinpath("static"))), name="static")
    sessions = Sessions()
    get_store = app.state.get_store

    def render(name: str, status: int = 200, **context: Any) -> HTMLResponse:
        return HTMLResponse(env.get_template(name).render(**context), status_code=status)

    @app.get("/dashboard/login", response_class=HTMLResponse, include_in_schema=False)
    def login_form() -> HTMLResponse:
        return render("login.html", who=None, error=None)

    @app.post("/dashboard/login", include_in_schema=False)
    def login(
        store: Annotated[Store, Depends(get_store)], key: Annotated[str, Form()] = ""
    ) -> Response:
        found = authenticate(store, key.strip())
        if found is None:
            return render("login.html", status=401, who=None, error="That key is not valid.")
        if found.role not in VIEWERS:
            return render(
                "login.html",
                status=403,
                who=None,
                error=f"A {found.role.value} key cannot open the dashboard.",
            )
        response = RedirectResponse("/dashboard", status_code=303)
        response.set_cookie(
            COOKIE,
            sessions.open(found),
            max_age=SESSION_SECONDS,
            httponly=True,
            samesite="strict",
        )
        return response

    @app.get("/dashboard/logout", include_in_schema=False)
    def logout(request: Request) -> Response:
        sessions.close(request.cookies.get(COOKIE))
        response = RedirectResponse("/dashboard/login", status_code=303)
        response.delete_cookie(COOKIE)
        return response

    @app.get("/dashboard", response_class=HTMLResponse, include_in_schema=False)
    def dashboard(request: Request, store: Annotated[Store, Depends(get_store)]) -> Response:
        who = sessions.get(request.cookies.get(COOKIE))
        if who is None:
            return RedirectResponse("/dashboard/login", status_code=303)
        return render(
            "dashboard.html",
            who=who,
            inventory=views.inventory(store),
            scans=views.recent_scans(store),
            decisions=views.recent_decisions(store),
            audit=views.audit_status(store),
        )

    @app.get("/", include_in_schema=False)
    def root() -> Response:
        return RedirectResponse("/dashboard", status_code=303)
