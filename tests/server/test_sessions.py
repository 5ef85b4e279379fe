"""Dashboard sign-in over real HTTP: CSRF token, Origin check, throttling, sign-out by POST,
sessions in the store that end with their key."""

from __future__ import annotations

import re

import httpx

from tests.server.conftest import Live

CSRF = re.compile(r'name="csrf" value="([^"]*)"')


def _form(c: httpx.Client, path: str = "/dashboard/login") -> str:
    """The CSRF token of the form on ``path`` (and its cookie, kept by the client)."""
    page = c.get(path)
    assert page.status_code == 200, page.text
    match = CSRF.search(page.text)
    return match.group(1) if match else ""


def _sign_in(live: Live, c: httpx.Client, key: str, **headers: str) -> httpx.Response:
    token = _form(c)
    return c.post(
        "/dashboard/login",
        data={"key": key, "csrf": token},
        headers={"Origin": live.url, **headers},
    )


def _browser(live: Live) -> httpx.Client:
    return httpx.Client(base_url=live.url, timeout=30, follow_redirects=False)


def test_sign_in_needs_the_forms_token_and_its_own_origin(live: Live) -> None:
    key = live.keys["auditor"]
    with _browser(live) as c:
        token = _form(c)
        assert len(token) >= 32
        # another site posting the form (a cross-site request forgery) is refused
        r = c.post(
            "/dashboard/login",
            data={"key": key, "csrf": token},
            headers={"Origin": "https://evil.example"},
        )
        assert r.status_code == 403 and "dw_session" not in r.headers.get("set-cookie", "")
        # no Origin and no Referer: refused too
        r = c.post("/dashboard/login", data={"key": key, "csrf": token})
        assert r.status_code == 403
        # the right origin but not the form's token
        r = c.post(
            "/dashboard/login", data={"key": key, "csrf": "x" * 43}, headers={"Origin": live.url}
        )
        assert r.status_code == 403 and "dw_session" not in r.headers.get("set-cookie", "")
        r = c.post(
            "/dashboard/login",
            data={"key": key, "csrf": _form(c)},
            headers={"Referer": f"{live.url}/dashboard/login"},
        )
        assert r.status_code == 303 and r.headers["location"] == "/dashboard"
        cookie = r.headers["set-cookie"]
        assert "HttpOnly" in cookie and "SameSite=strict" in cookie
        assert "Secure" not in cookie  # plain HTTP, and no trusted proxy says otherwise


def test_failed_sign_ins_are_throttled_per_key(live: Live) -> None:
    key = live.keys["auditor"]
    key_id = key.split("_")[1]
    with _browser(live) as c:
        for _ in range(5):
            r = _sign_in(live, c, f"dw_{key_id}_guessed-secret")
            assert r.status_code == 401
        # the real key is now refused too, until the window passes; nothing is looked up
        r = _sign_in(live, c, key)
        assert r.status_code == 429 and int(r.headers["Retry-After"]) > 0
        assert "Too many failed sign-ins" in r.text
        # other keys from this client still work (the client has 5 failures of 10)
        assert _sign_in(live, c, live.keys["steward"]).status_code == 303


def test_failed_sign_ins_are_throttled_per_client(live: Live) -> None:
    with _browser(live) as c:
        for i in range(10):
            assert _sign_in(live, c, f"dw_guess{i}_nope").status_code == 401
        assert _sign_in(live, c, live.keys["admin"]).status_code == 429


def test_sign_out_is_a_post_with_the_sessions_token(live: Live) -> None:
    with _browser(live) as c:
        assert _sign_in(live, c, live.keys["auditor"]).status_code == 303
        token = _form(c, "/dashboard")  # the sign-out form on the dashboard
        # a link (GET) cannot sign anyone out
        assert c.get("/dashboard/logout").status_code == 405
        # a forged post without the session's token leaves the session open
        r = c.post("/dashboard/logout", data={"csrf": "forged"}, headers={"Origin": live.url})
        assert r.status_code == 403
        assert c.get("/dashboard").status_code == 200
        r = c.post("/dashboard/logout", data={"csrf": token}, headers={"Origin": live.url})
        assert r.status_code == 303 and r.headers["location"] == "/dashboard/login"
        session = c.cookies.get("dw_session")
        assert session is None
    with _browser(live) as again:  # the old cookie, replayed, is dead
        assert _sign_in(live, again, live.keys["auditor"]).status_code == 303
        sid = again.cookies["dw_session"]
        assert (
            again.post(
                "/dashboard/logout",
                data={"csrf": _form(again, "/dashboard")},
                headers={"Origin": live.url},
            ).status_code
            == 303
        )
        again.cookies.set("dw_session", sid)
        assert again.get("/dashboard").status_code == 303


def test_revoking_a_key_ends_its_sessions(live: Live) -> None:
    from dataward.server.apikeys import revoke

    with _browser(live) as c:
        assert _sign_in(live, c, live.keys["steward"]).status_code == 303
        assert c.get("/dashboard").status_code == 200
        assert revoke(live.store, live.keys["steward"].split("_")[1])
        r = c.get("/dashboard")
        assert r.status_code == 303 and r.headers["location"] == "/dashboard/login"


def test_the_store_keeps_no_session_id(live: Live) -> None:
    import sqlalchemy as sa

    with _browser(live) as c:
        assert _sign_in(live, c, live.keys["auditor"]).status_code == 303
        sid = c.cookies["dw_session"]
    with live.store.begin() as conn:
        rows = [tuple(r) for r in conn.execute(sa.text("SELECT * FROM dashboard_sessions"))]
    assert rows and sid not in repr(rows)
