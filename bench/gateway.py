"""The LLM gateway on loopback: added latency at a fixed request rate, PII that reaches the
upstream, and round-trip fidelity.

    python bench/gateway.py                       # 200 req/s for 5 s each way, 400 sentences
    python bench/gateway.py --rate 200 --seconds 10 --sentences 0   # 0: all 2,109
    python bench/gateway.py --json

Starts, each in its own process on free loopback ports: an echo stub of the OpenAI API (it
answers with the last user message, streamed in 4-character pieces when asked, and writes
every body it receives to a file), and ``dataward gateway`` in ``pseudonymize`` mode in front
of it, with a fresh ``DATAWARD_HOME`` and a pipeline key.

1. Latency: an open-loop load (requests sent at ``--rate`` per second whatever the answers
   do) of the dev PII sentences, non-streaming and streaming, straight to the stub (the
   baseline, same run, same client) and through the gateway; p50/p99 of each and the added
   latency (gateway minus direct).
2. Leakage: every sentence of ``../shared/data/pii_text_dev`` through the gateway; the share
   of labelled PII values (the spans) that appear in what the stub received.
3. Fidelity: the share of completions (the stub echoes the prompt, placeholders in) that
   the caller gets back equal to its original prompt.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

import httpx
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response, StreamingResponse

DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
SENTENCES = DATA / "pii_text_dev" / "generated_large.json"
UPSTREAM_KEY = "sk-bench-upstream"
PLACEHOLDER = re.compile(r"<[A-Z0-9_]{1,60}>")  # our own text, bounded: no backtracking blowup


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


# --- the stub upstream (runs in its own process: python bench/gateway.py --stub PORT FILE) ---


def stub_app(record: Path) -> FastAPI:
    app = FastAPI()
    out = record.open("a", encoding="utf-8")

    @app.post("/v1/chat/completions")
    async def chat(request: Request) -> Response:
        raw = await request.body()
        out.write(raw.decode() + "\n")
        out.flush()
        if request.headers.get("authorization") != f"Bearer {UPSTREAM_KEY}":
            return JSONResponse({"error": {"message": "bad key"}}, 401)
        body = json.loads(raw)
        text = body["messages"][-1]["content"]
        head = {"id": "chatcmpl-1", "created": 1, "model": body["model"]}
        if not body.get("stream"):
            return JSONResponse(
                {
                    **head,
                    "object": "chat.completion",
                    "choices": [
                        {
                            "index": 0,
                            "message": {"role": "assistant", "content": text},
                            "finish_reason": "stop",
                        }
                    ],
                }
            )

        def chunk(delta: dict[str, Any], finish: str | None = None) -> bytes:
            document = {
                **head,
                "object": "chat.completion.chunk",
                "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
            }
            return f"data: {json.dumps(document)}\n\n".encode()

        def events() -> Any:
            yield chunk({"role": "assistant", "content": ""})
            for at in range(0, len(text), 4):
                yield chunk({"content": text[at : at + 4]})
            yield chunk({}, "stop")
            yield b"data: [DONE]\n\n"

        return StreamingResponse(events(), media_type="text/event-stream")

    return app


def run_stub(port: int, record: Path) -> None:
    import uvicorn

    uvicorn.run(stub_app(record), host="127.0.0.1", port=port, log_level="warning")


# --- the load ------------------------------------------------------------------------------


async def _one(
    client: httpx.AsyncClient, url: str, key: str, text: str, stream: bool, model: str = "stub-1"
) -> str:
    body: dict[str, Any] = {
        "model": model,  # passed on untouched: the leakage check names each sentence by it
        "messages": [{"role": "user", "content": text}],
        "stream": stream,
    }
    headers = {"Authorization": f"Bearer {key}"}
    if not stream:
        response = await client.post(url, json=body, headers=headers)
        response.raise_for_status()
        return str(response.json()["choices"][0]["message"]["content"])
    parts: list[str] = []
    async with client.stream("POST", url, json=body, headers=headers) as response:
        response.raise_for_status()
        async for line in response.aiter_lines():
            if line.startswith("data: ") and line != "data: [DONE]":
                document = json.loads(line[6:])
                if "error" in document:
                    raise RuntimeError(document["error"]["code"])
                parts.append(document["choices"][0]["delta"].get("content") or "")
    return "".join(parts)


async def open_loop(
    url: str, key: str, texts: list[str], rate: float, seconds: float, stream: bool
) -> dict[str, float]:
    """Send ``rate`` requests a second for ``seconds``, each when its time comes."""
    total = int(rate * seconds)
    latencies: list[float] = []
    errors = 0
    limits = httpx.Limits(max_connections=400, max_keepalive_connections=400)
    async with httpx.AsyncClient(timeout=60, limits=limits, trust_env=False) as client:
        await _one(client, url, key, texts[0], stream)  # warm the connection and the engine
        start = time.perf_counter()

        async def fire(i: int) -> None:
            nonlocal errors
            await asyncio.sleep(max(0.0, start + i / rate - time.perf_counter()))
            began = time.perf_counter()
            try:
                await _one(client, url, key, texts[i % len(texts)], stream)
            except Exception:
                errors += 1
                return
            latencies.append((time.perf_counter() - began) * 1000)

        await asyncio.gather(*(fire(i) for i in range(total)))
        elapsed = time.perf_counter() - start
    latencies.sort()
    return {
        "requests": total,
        "errors": errors,
        "achieved_rps": round(len(latencies) / elapsed, 1),
        "p50_ms": round(statistics.median(latencies), 2) if latencies else float("nan"),
        "p99_ms": round(latencies[int(0.99 * (len(latencies) - 1))], 2)
        if latencies
        else float("nan"),
    }


async def leakage(
    url: str, key: str, records: list[dict[str, Any]], record: Path
) -> dict[str, Any]:
    """Every sentence through the gateway (16 at a time); then the stub's file."""
    before = len(record.read_text(encoding="utf-8").splitlines())
    semaphore = asyncio.Semaphore(16)
    back: list[str | None] = [None] * len(records)
    async with httpx.AsyncClient(timeout=60, trust_env=False) as client:

        async def run(i: int) -> None:
            async with semaphore:
                try:
                    text = records[i]["full_text"]
                    back[i] = await _one(client, url, key, text, False, f"bench-{i}")
                except httpx.HTTPStatusError:
                    back[i] = None  # blocked (a secret): nothing was sent

        await asyncio.gather(*(run(i) for i in range(len(records))))
    received = record.read_text(encoding="utf-8").splitlines()[before:]
    sent_texts: dict[str, str] = {}
    for line in received:
        body = json.loads(line)
        sent_texts[body["model"]] = PLACEHOLDER.sub(" ", body["messages"][-1]["content"])
    spans = leaked = personal = personal_leaked = 0
    per_type: Counter[str] = Counter()
    per_type_total: Counter[str] = Counter()
    fidelity_ok = fidelity_n = 0
    for i, rec in enumerate(records):
        if back[i] is None:
            continue
        fidelity_n += 1
        fidelity_ok += back[i] == rec["full_text"]
    for i, rec in enumerate(records):
        if back[i] is None:
            continue
        sent = sent_texts[f"bench-{i}"]
        for span in rec["spans"]:
            spans += 1
            per_type_total[span["entity_type"]] += 1
            hit = span["entity_value"] in sent
            if hit:
                leaked += 1
                per_type[span["entity_type"]] += 1
            if _personal(span):
                personal += 1
                personal_leaked += hit
    blocked = sum(1 for b in back if b is None)
    return {
        "sentences": len(records),
        "blocked": blocked,
        "labelled_values": spans,
        "values_reaching_upstream": leaked,
        "share_reaching_upstream": round(leaked / spans, 4) if spans else 0.0,
        "personal_values": personal,
        "personal_reaching_upstream": personal_leaked,
        "personal_share_reaching_upstream": round(personal_leaked / personal, 4)
        if personal
        else 0.0,
        "by_type": {
            t: f"{per_type[t]}/{per_type_total[t]}"
            for t in sorted(per_type_total, key=lambda t: -per_type[t])
        },
        "fidelity": round(fidelity_ok / fidelity_n, 4) if fidelity_n else 0.0,
    }


NOT_PERSONAL = frozenset({"ORGANIZATION", "TITLE", "PREFIX"})
"""Labels of the dev set that name no person: companies, job titles, honorifics."""
HONORIFICS = frozenset({"mr", "mrs", "ms", "miss", "dr", "sir", "madam", "prof"})


def _personal(span: dict[str, Any]) -> bool:
    """Whether a labelled span is a value about a person (the set also labels a lone "Mr." as
    PERSON)."""
    value = span["entity_value"].strip().rstrip(".").lower()
    return span["entity_type"] not in NOT_PERSONAL and value not in HONORIFICS


# --- orchestration -------------------------------------------------------------------------


def _wait(url: str, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"a bench process exited early ({process.returncode})")
        try:
            httpx.get(url, timeout=2, trust_env=False)
            return
        except httpx.HTTPError:
            time.sleep(0.2)
    raise SystemExit(f"{url} did not answer")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rate", type=float, default=200.0)
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--sentences", type=int, default=400, help="0: all")
    parser.add_argument("--threshold", type=float, help="the gateway's detection threshold")
    parser.add_argument("--workers", type=int, default=1, help="gateway workers (Redis vault)")
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/0")
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--stub", nargs=2, metavar=("PORT", "FILE"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.stub:
        run_stub(int(args.stub[0]), Path(args.stub[1]))
        return
    records = json.loads(SENTENCES.read_text(encoding="utf-8"))
    if args.sentences:
        records = records[: args.sentences]
    texts = [r["full_text"] for r in records]
    work = Path(tempfile.mkdtemp(prefix="dataward-bench-gateway-"))
    record = work / "received.jsonl"
    record.touch()
    env = {**os.environ, "DATAWARD_HOME": str(work / "home"), "BENCH_UPSTREAM_KEY": UPSTREAM_KEY}
    env.pop("DATAWARD_DATABASE_URL", None)
    dataward = [sys.executable, "-m", "dataward.cli.main"]
    key = subprocess.run(
        [*dataward, "apikey", "create", "--role", "pipeline", "--name", "bench"],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    stub_port, gw_port = _free_port(), _free_port()
    stub = subprocess.Popen(
        [sys.executable, __file__, "--stub", str(stub_port), str(record)], env=env
    )
    gateway = subprocess.Popen(
        [
            *dataward,
            "gateway",
            "--upstream",
            f"http://127.0.0.1:{stub_port}/v1",
            "--port",
            str(gw_port),
            "--upstream-key-env",
            "BENCH_UPSTREAM_KEY",
            *(["--threshold", str(args.threshold)] if args.threshold is not None else []),
            *(["--workers", str(args.workers), "--redis", args.redis] if args.workers > 1 else []),
        ],
        env=env,
        stderr=subprocess.DEVNULL,
    )
    try:
        _wait(f"http://127.0.0.1:{stub_port}/docs", stub)
        _wait(f"http://127.0.0.1:{gw_port}/health", gateway)
        direct = f"http://127.0.0.1:{stub_port}/v1/chat/completions"
        through = f"http://127.0.0.1:{gw_port}/v1/chat/completions"
        result: dict[str, Any] = {
            "rate": args.rate,
            "seconds": args.seconds,
            "workers": args.workers,
            "latency": {},
        }
        for stream in (False, True):
            name = "streaming" if stream else "non_streaming"
            base = asyncio.run(
                open_loop(direct, UPSTREAM_KEY, texts, args.rate, args.seconds, stream)
            )
            via = asyncio.run(open_loop(through, key, texts, args.rate, args.seconds, stream))
            result["latency"][name] = {
                "direct": base,
                "gateway": via,
                "added_p50_ms": round(via["p50_ms"] - base["p50_ms"], 2),
                "added_p99_ms": round(via["p99_ms"] - base["p99_ms"], 2),
                "ratio_p50": round(via["p50_ms"] / base["p50_ms"], 2),
            }
        result["leakage"] = asyncio.run(leakage(through, key, records, record))
    finally:
        for process in (gateway, stub):
            process.terminate()
            process.wait(20)
    if args.json:
        print(json.dumps(result, indent=2))
        return
    print(
        f"gateway bench: {args.rate:g} req/s for {args.seconds:g} s each, open loop, loopback, "
        f"{args.workers} gateway worker(s), {os.cpu_count()} CPUs"
    )
    for name, row in result["latency"].items():
        d, g = row["direct"], row["gateway"]
        print(
            f"  {name:14} direct p50 {d['p50_ms']:7.2f} ms p99 {d['p99_ms']:7.2f} ms "
            f"({d['achieved_rps']} req/s) | gateway p50 {g['p50_ms']:7.2f} ms "
            f"p99 {g['p99_ms']:7.2f} ms ({g['achieved_rps']} req/s, {g['errors']} errors) | "
            f"added p50 {row['added_p50_ms']:+.2f} ms p99 {row['added_p99_ms']:+.2f} ms "
            f"(x{row['ratio_p50']} of direct)"
        )
    leak = result["leakage"]
    print(
        f"  leakage: {leak['values_reaching_upstream']}/{leak['labelled_values']} labelled PII "
        f"values reached the upstream ({leak['share_reaching_upstream']:.2%}; goal < 1%), "
        f"{leak['blocked']} of {leak['sentences']} sentences blocked"
    )
    print(
        f"  values about a person (all but ORGANIZATION, TITLE, PREFIX and lone honorifics): "
        f"{leak['personal_reaching_upstream']}/{leak['personal_values']} "
        f"({leak['personal_share_reaching_upstream']:.2%})"
    )
    print(f"  by type: {leak['by_type']}")
    print(f"  round-trip fidelity: {leak['fidelity']:.2%} of completions restored exactly")


if __name__ == "__main__":
    main()
