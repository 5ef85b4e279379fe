"""Service throughput and latency on loopback: concurrent clients for a bounded time.

    python bench/service.py                  # 8 clients, 10 s per endpoint
    python bench/service.py --clients 16 --seconds 20

Starts `dataward serve` in a subprocess on a free loopback port with a fresh DATAWARD_HOME,
creates a pipeline key, then hammers each endpoint from threads with keep-alive connections.
Reports requests/s and p50/p99 latency per endpoint, next to GET /health as the baseline of
the HTTP stack itself measured in the same run.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path

import httpx

DECISION = {
    "principal": {"type": "ServiceAccount", "id": "trainer", "groups": ["ml"]},
    "action": "train",
    "resource": {"type": "Dataset", "id": "claims", "version": "v1", "tags": ["PHI", "PII"]},
    "context": {
        "purpose": "analytics",
        "environment": "prod",
        "transforms": ["tokenize:PHI"],
        "lawful_basis": ["legitimate_interests"],
        "consent": ["analytics"],
    },
}
SAMPLE = "Patient Jane called from +1 415 555 0132; card 4111 1111 1111 1111; mail ada@example.org"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _load(
    url: str, clients: int, seconds: float, call: Callable[[httpx.Client], httpx.Response], key: str
) -> dict[str, float]:
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()
    stop = time.monotonic() + seconds

    def worker() -> None:
        mine: list[float] = []
        with httpx.Client(
            base_url=url, headers={"Authorization": f"Bearer {key}"}, timeout=30
        ) as c:
            while time.monotonic() < stop:
                t = time.perf_counter()
                try:
                    ok = call(c).status_code == 200
                except httpx.TransportError:
                    ok = False
                mine.append(time.perf_counter() - t)
                if not ok:
                    with lock:
                        errors[0] += 1
        with lock:
            latencies.extend(mine)

    threads = [threading.Thread(target=worker) for _ in range(clients)]
    started = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.monotonic() - started
    latencies.sort()
    q = statistics.quantiles(latencies, n=100) if len(latencies) > 2 else [0.0] * 99
    return {
        "requests": len(latencies),
        "req_s": round(len(latencies) / elapsed, 1),
        "p50_ms": round(q[49] * 1000, 2),
        "p99_ms": round(q[98] * 1000, 2),
        "errors": errors[0],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=10.0)
    args = parser.parse_args()
    exe = str(Path(sys.executable).with_name("dataward"))
    with tempfile.TemporaryDirectory() as home:
        # the bench measures the service, not its per-key rate limit
        env = {**os.environ, "DATAWARD_HOME": home, "DATAWARD_SERVER__RATE_PER_SECOND": "1000000"}
        key = subprocess.run(
            [exe, "apikey", "create", "--role", "pipeline", "--name", "bench"],
            env=env,
            check=True,
            capture_output=True,
            text=True,
        ).stdout.strip()
        port = _free_port()
        server = subprocess.Popen(
            [exe, "serve", "--port", str(port)],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        url = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 60
            while True:
                try:
                    if httpx.get(f"{url}/health").status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                if time.monotonic() > deadline:
                    raise SystemExit("server did not start")
                time.sleep(0.2)
            httpx.post(
                f"{url}/v1/detect",
                json={"text": SAMPLE},
                headers={"Authorization": f"Bearer {key}"},
                timeout=120,
            )
            results = {
                "health (baseline)": _load(
                    url, args.clients, args.seconds, lambda c: c.get("/health"), key
                ),
                "decide": _load(
                    url,
                    args.clients,
                    args.seconds,
                    lambda c: c.post("/v1/decide", json=DECISION),
                    key,
                ),
                "detect (1 text)": _load(
                    url,
                    args.clients,
                    args.seconds,
                    lambda c: c.post("/v1/detect", json={"text": SAMPLE}),
                    key,
                ),
            }
        finally:
            server.terminate()
            server.wait(10)
    print(
        json.dumps({"clients": args.clients, "seconds": args.seconds, "results": results}, indent=2)
    )


if __name__ == "__main__":
    main()
