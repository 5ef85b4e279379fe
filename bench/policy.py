"""Policy decision latency with 200 policies: p50/p99 of decide(), without and with the store write.

    .venv/bin/python bench/policy.py [--policies 200] [--requests 2000]

Generates 200 policies (the built-in packs plus generated forbids with obligations and permits
over tags, purposes and environments) and times in-process decisions of a mixed request stream.
"""

from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from dataward.policy import PACKS, PolicyEngine, decide, set_sink
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
        tags = [*rng.sample(TAGS, 2), f"label_{rng.randrange(60)}"]
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


def measure(label: str, fn: Any, reqs: list[dict[str, Any]]) -> None:
    for r in reqs[:100]:  # warm up
        fn(r)
    times = []
    for r in reqs:
        t0 = time.perf_counter()
        fn(r)
        times.append((time.perf_counter() - t0) * 1000)
    times.sort()
    p50 = statistics.median(times)
    p99 = times[int(len(times) * 0.99) - 1]
    print(f"{label:44} p50 {p50:6.3f} ms   p99 {p99:6.3f} ms   (n={len(times)})")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--policies", type=int, default=200)
    parser.add_argument("--requests", type=int, default=2000)
    args = parser.parse_args()
    set_sink(lambda *a: None)  # measure the policy layer, not the audit log
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        generate(folder, args.policies)
        engine = PolicyEngine.load(PACKS, [folder])
        print(f"{len(engine.policies)} policies, revision {engine.revision[:19]}...")
        reqs = requests(args.requests)
        effects: dict[str, int] = {}
        for r in reqs:
            e = engine.decide(r, issue_token=False).effect
            effects[e] = effects.get(e, 0) + 1
        print("effects:", effects)
        measure(
            "engine.evaluate (no token, no store)",
            lambda r: engine.evaluate(engine.prepare(r)),
            reqs,
        )
        measure("engine.decide (go tokens for train jobs)", lambda r: engine.decide(r), reqs)
        store = open_store(f"sqlite:///{folder / 'bench.db'}")
        measure(
            "decide() + SQLite decision log", lambda r: decide(r, engine=engine, store=store), reqs
        )
        store.close()


if __name__ == "__main__":
    main()
