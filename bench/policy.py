"""Policy decision latency with 200 policies: p50/p99 of evaluate, decide, and decide() with the
store (decision log and audit log).

    .venv/bin/python bench/policy.py [--policies 200] [--requests 5000] [--warmup 500]

Policies: the built-in packs (34) plus generated ones up to ``--policies``: a third are permits
(``principal in Group::"team-N"`` with a tag and a purpose), the rest forbids over a tag and an
environment with an ``@obligation("mask:LABEL_N")`` that their ``unless`` checks.

Requests (seeded, the same every run): 50 users in 17 groups, 30 datasets; action uniform over
train, fine_tune, infer, retrieve, export, read_features; tags two of PHI, EMAIL_ADDRESS,
CREDIT_CARD, US_SSN, AWS_ACCESS_KEY, PUBLIC, SPECIAL_CATEGORY plus one of 60 generated labels;
purpose uniform over six; environment dev or prod; lawful basis none or ``contract``; a job id on
every fourth request (so allowed training requests get a go token). About 72% end
allow_with_obligations (after the obligation search), 24% deny, 4% allow.

Each measurement runs the warm-up requests first, then times ``--requests`` calls one by one
(``time.perf_counter``). "decide() + store" is what a real call does: approvals read from the
store, the decision written to the decision log (sync writer, the default) or queued for the
background writer (the time to drain its queue afterwards is printed). The audit
sink is a no-op except in the "+ audit log" line, which appends to the real Merkle audit log.
"""

from __future__ import annotations

import argparse
import math
import os
import random
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from dataward.policy import PACKS, PolicyEngine, decide, flush, reload, set_sink
from dataward.policy.records import decisions
from dataward.store import open_store

PURPOSES = ["training", "marketing", "treatment", "analytics", "fraud", "bias_detection"]
TAGS = [
    "PHI",
    "EMAIL_ADDRESS",
    "CREDIT_CARD",
    "US_SSN",
    "AWS_ACCESS_KEY",
    "PUBLIC",
    "SPECIAL_CATEGORY",
]
ACTIONS = ["train", "fine_tune", "infer", "retrieve", "export", "read_features"]


def generate(folder: Path, total: int) -> int:
    base = PolicyEngine.load(PACKS)
    n = total - len(base.policies)
    rng = random.Random(7)
    lines = []
    for i in range(n):
        tag = f"label_{i % 40}"
        purpose = rng.choice(PURPOSES)
        if i % 3 == 0:
            lines.append(
                f'@id("gen.permit-{i}")\n'
                f'permit (principal in Group::"team-{i % 17}", action, resource)\n'
                f'when {{ resource.tags.contains("{tag}") && context.purpose == "{purpose}" }};\n'
            )
        else:
            env = rng.choice(["dev", "prod"])
            lines.append(
                f'@id("gen.forbid-{i}")\n@obligation("mask:{tag.upper()}")\n'
                f"forbid (principal, action, resource)\n"
                f'when {{ resource.tags.contains("{tag}") && context.environment == "{env}" }}\n'
                f'unless {{ context.transforms.contains("mask:{tag.upper()}") }};\n'
            )
    (folder / "generated.cedar").write_text("\n".join(lines))
    return n


def requests(count: int) -> list[dict[str, Any]]:
    rng = random.Random(11)
    out = []
    for i in range(count):
        tags = [*rng.sample(TAGS, 2), f"label_{rng.randrange(40)}"]  # labels the policies use
        out.append(
            {
                "principal": {"type": "User", "id": f"u{i % 50}", "groups": [f"team-{i % 17}"]},
                "action": rng.choice(ACTIONS),
                "resource": {"type": "Dataset", "id": f"ds{i % 30}", "tags": tags, "version": "v1"},
                "context": {
                    "purpose": rng.choice(PURPOSES),
                    "environment": rng.choice(["dev", "prod"]),
                    "lawful_basis": rng.choice([[], ["contract"]]),
                    "job_id": f"job-{i}" if i % 4 == 0 else "",
                },
            }
        )
    return out


def measure(label: str, fn: Any, reqs: list[dict[str, Any]], warmup: int) -> None:
    for r in reqs[:warmup]:
        fn(r)
    times = []
    for r in reqs[warmup:]:
        t0 = time.perf_counter()
        fn(r)
        times.append((time.perf_counter() - t0) * 1000)
    times.sort()
    p50 = statistics.median(times)
    p99 = times[math.ceil(len(times) * 0.99) - 1]
    print(
        f"{label:46} p50 {p50:6.3f} ms   p99 {p99:6.3f} ms   max {times[-1]:6.2f} ms"
        f"   (n={len(times)})",
        flush=True,
    )


def drained(store: Any) -> None:
    t0 = time.perf_counter()
    flush()
    print(f"{'':46} queue drained {(time.perf_counter() - t0) * 1000:.1f} ms after the last call")
    with store.begin() as conn:
        count = conn.execute(sa.select(sa.func.count()).select_from(decisions)).scalar_one()
    print(f"{'':46} {count} decisions in the log")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--policies", type=int, default=200)
    parser.add_argument("--requests", type=int, default=5000)
    parser.add_argument("--warmup", type=int, default=500)
    parser.add_argument("--skip-audit", action="store_true", help="leave out the audit-log line")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        os.environ["DATAWARD_HOME"] = str(folder / "home")
        set_sink(lambda *a: None)  # the policy layer alone, except in the audit line
        generate(folder, args.policies)
        engine = PolicyEngine.load(PACKS, [folder])
        print(f"{len(engine.policies)} policies, revision {engine.revision[:19]}...")
        reqs = requests(args.requests + args.warmup)
        effects: dict[str, int] = {}
        for r in reqs:
            e = engine.decide(r, issue_token=False).effect
            effects[e] = effects.get(e, 0) + 1
        print("effects:", effects)
        w = args.warmup
        measure(
            "engine.evaluate (no token, no store)",
            lambda r: engine.evaluate(engine.prepare(r)),
            reqs,
            w,
        )
        measure("engine.decide (go tokens, no store)", lambda r: engine.decide(r), reqs, w)
        store = open_store(f"sqlite:///{folder / 'bench.db'}")
        os.environ["DATAWARD_POLICY_LOG_WRITER"] = "background"
        measure(
            "decide() + store (SQLite, background writer)",
            lambda r: decide(r, engine=engine, store=store),
            reqs,
            w,
        )
        drained(store)
        os.environ["DATAWARD_POLICY_LOG_WRITER"] = "sync"
        measure(
            "decide() + store (SQLite, sync writer)",
            lambda r: decide(r, engine=engine, store=store),
            reqs,
            w,
        )
        del os.environ["DATAWARD_POLICY_LOG_WRITER"]
        if not args.skip_audit:
            set_sink(None)  # the real audit log, in the same SQLite file
            os.environ["DATAWARD_DATABASE_URL"] = f"sqlite:///{folder / 'bench.db'}"
            measure(
                "decide() + store + audit log (sync, default)",
                lambda r: decide(r, engine=engine, store=store),
                reqs,
                w,
            )
            drained(store)
        reload()
        store.close()


if __name__ == "__main__":
    main()
