"""Bodies are limited as they stream in, and /v1 callers are authenticated before any is read.

These speak raw HTTP/1.1 to the real uvicorn server so that the body can be sent chunked and
left unfinished: a server that waits for the whole body before answering never answers here.
"""

from __future__ import annotations

import socket
from urllib.parse import urlsplit

from tests.server.conftest import Live

CHUNK = b"a" * 16_384


def _open(live: Live, path: str, headers: dict[str, str]) -> socket.socket:
    """Send the head of a chunked POST; the body follows with :func:`_chunk`."""
    url = urlsplit(live.url)
    sock = socket.create_connection((url.hostname, url.port), timeout=30)
    head = [f"POST {path} HTTP/1.1", f"Host: {url.netloc}", "Transfer-Encoding: chunked"]
    head += [f"{k}: {v}" for k, v in headers.items()]
    sock.sendall(("\r\n".join(head) + "\r\n\r\n").encode())
    return sock


def _chunk(sock: socket.socket, data: bytes) -> None:
    sock.sendall(f"{len(data):x}\r\n".encode() + data + b"\r\n")


def _status(sock: socket.socket) -> tuple[int, bytes]:
    """The status and head of the response; the body was never finished by the client."""
    received = b""
    while b"\r\n\r\n" not in received:
        part = sock.recv(65536)
        if not part:
            break
        received += part
    head = received.split(b"\r\n\r\n", 1)[0]
    return int(head.split(b" ", 2)[1]), head


def test_an_anonymous_chunked_body_is_refused_before_it_is_read(live: Live) -> None:
    with _open(live, "/v1/detect", {"Content-Type": "application/json"}) as sock:
        _chunk(sock, b'{"text": "' + CHUNK)
        # The body never ends: the server must answer from the headers alone.
        status, head = _status(sock)
    assert status == 401
    assert b"www-authenticate: bearer" in head.lower()


def test_a_chunked_body_over_the_limit_is_cut_off(live: Live) -> None:
    # the live server allows 200,000 bytes; 13 chunks of 16 KiB pass that, and the body never
    # ends, so only a server that counts the bytes as they arrive can answer
    headers = {"Authorization": f"Bearer {live.keys['pipeline']}"}
    with _open(live, "/v1/detect", {**headers, "Content-Type": "application/json"}) as sock:
        _chunk(sock, b'{"text": "')
        for _ in range(13):
            _chunk(sock, CHUNK)
        status, _head = _status(sock)
    assert status == 413


def test_a_chunked_body_under_the_limit_still_works(live: Live) -> None:
    headers = {"Authorization": f"Bearer {live.keys['pipeline']}"}
    with _open(live, "/v1/detect", {**headers, "Content-Type": "application/json"}) as sock:
        for part in (b'{"text": "mail ', b"someone@example.org", b'"}'):
            _chunk(sock, part)
        sock.sendall(b"0\r\n\r\n")
        status, _head = _status(sock)
    assert status == 200


def test_a_form_body_outside_v1_is_small(live: Live) -> None:
    """The sign-in form needs no key, so its limit is 16 KiB, not the API's."""
    with _open(
        live, "/dashboard/login", {"Content-Type": "application/x-www-form-urlencoded"}
    ) as s:
        _chunk(s, b"key=" + CHUNK)
        _chunk(s, CHUNK)
        status, _head = _status(s)
    assert status == 413


def test_security_headers_on_every_response(live: Live) -> None:
    with live.client() as c:
        for path in ("/health", "/dashboard/login", "/v1/detect"):
            r = c.get(path)
            assert "frame-ancestors 'none'" in r.headers["content-security-policy"], path
            assert r.headers["x-content-type-options"] == "nosniff"
            assert r.headers["x-frame-options"] == "DENY"
            assert r.headers["referrer-policy"] == "same-origin"
            assert "strict-transport-security" not in r.headers  # plain HTTP: no HSTS
        # X-Forwarded-Proto from a proxy nobody trusts changes nothing
        r = c.get("/health", headers={"X-Forwarded-Proto": "https"})
        assert "strict-transport-security" not in r.headers
