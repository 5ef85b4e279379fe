"""Line-level secrets evaluation on CredSweeper's samples (``../shared/data/secrets_dev``).

Unit: a ``(file, line)`` pair. Expected pairs come from ``expected_output.json``: every line of a
finding's ``line_data_list``, except that a multi-line private-key block counts once, on its first
line (CredSweeper lists each body line of a PEM block; Dataward reports one span). A finding
counts on the line where it starts.

Files are read as bytes: a file with NUL bytes is decoded as UTF-16 when it has a byte-order mark,
otherwise it is skipped as binary (archives, images, office files, keystores: CredSweeper's default
run does not look inside them either, and expects nothing there). Other files are decoded as UTF-8,
with Latin-1 as the fallback.

Labels we dispute (reported apart, never removed from the score): findings of CredSweeper rules
for values that are identifiers or non-secrets by our definition (UUIDs, salts, nonces, bucket
names, domains, client/app ids) and values that are obvious placeholders.

Run: ``python bench/secrets_eval.py [root]``. Error lists print file:line and entity only.
"""

from __future__ import annotations

import json
import re
import sys
from collections import defaultdict
from pathlib import Path
from typing import Any

DEFAULT_ROOT = Path(__file__).resolve().parent.parent.parent / "shared" / "data" / "secrets_dev"

_BLOCK_RULES = ("PEM Private Key", "BASE64 encoded PEM Private Key")
_DISPUTED_RULES = frozenset(
    {
        "UUID",
        "Salt",
        "Nonce",
        "AWS S3 Bucket",
        "Firebase Domain",
        "AWS Client ID",
        "Square Client ID",
        "Tencent WeChat API App ID",
    }
)
_PLACEHOLDER = re.compile(r"example|xxxx|changeme|dummy|\*\*\*\*|<[^>]+>|\$\{|\{\{", re.IGNORECASE)
_UUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")


def file_class(name: str) -> str:
    """``positive``, ``negative``, ``fp-trap`` or ``other``, from CredSweeper's name suffixes."""
    if re.search(r"(?:^|[._])fp(?:[._]|$)", name) or name == "false_positive":
        return "fp-trap"
    if re.search(r"(?:^|[._])p(?:[._]|$)", name) or name.endswith("_TRUE"):
        return "positive"
    if re.search(r"(?:^|[._])n(?:[._]|$)", name) or name.endswith("_FALSE"):
        return "negative"
    return "other"


def read_text(path: Path) -> str | None:
    """The text of ``path``, or ``None`` for a binary file."""
    data = path.read_bytes()
    if b"\x00" in data:
        if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
            return data.decode("utf-16", errors="replace")
        return None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("latin-1")


def secret_entities() -> list[str]:
    """Entities whose taxonomy categories include SECRET or CREDENTIAL."""
    from dataward.taxonomy import taxonomy

    return [t.name for t in taxonomy() if {"SECRET", "CREDENTIAL"} & set(t.categories)]


def load_expected(root: Path) -> tuple[dict[tuple[str, int], str], set[tuple[str, int]]]:
    """Expected ``(file, line) -> rule`` and the pairs whose label we dispute."""
    raw = json.loads((root / "expected_output.json").read_text(encoding="utf-8"))
    expected: dict[tuple[str, int], str] = {}
    disputed: set[tuple[str, int]] = set()
    for finding in raw:
        rule = finding["rule"]
        lines = finding["line_data_list"]
        if rule in _BLOCK_RULES:
            lines = lines[:1]
        for ld in lines:
            key = (Path(ld["path"]).name, int(ld["line_num"]))
            expected.setdefault(key, rule)
            value = ld.get("value") or ""
            if (
                rule in _DISPUTED_RULES
                or _UUID.fullmatch(value.strip())
                or _PLACEHOLDER.search(value)
            ):
                disputed.add(key)
    # a line is disputed only when every label on it is
    return expected, disputed


def _prf(tp: int, fp: int, fn: int) -> dict[str, float | int]:
    p = tp / (tp + fp) if tp + fp else 1.0
    r = tp / (tp + fn) if tp + fn else 1.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return {"tp": tp, "fp": fp, "fn": fn, "precision": p, "recall": r, "f1": f}


def evaluate(root: Path = DEFAULT_ROOT, backend: str = "auto") -> dict[str, Any]:
    """Line-level precision, recall and F1, per file class and overall, with FP/FN lists."""
    from dataward.detect.engine import Engine

    entities = secret_entities()
    engine = Engine.default(entities=entities, backend=backend)  # type: ignore[arg-type]
    expected, disputed = load_expected(root)
    found: dict[tuple[str, int], str] = {}
    skipped: list[str] = []
    files = sorted(p for p in (root / "samples").iterdir() if p.is_file())
    for path in files:
        text = read_text(path)
        if text is None:
            skipped.append(path.name)
            continue
        starts = [0] + [i + 1 for i, c in enumerate(text) if c == "\n"]
        import bisect

        for f in engine.detect(text, language="en"):
            line = bisect.bisect_right(starts, f.start)
            found.setdefault((path.name, line), f.entity)
    classes: dict[str, dict[str, int]] = defaultdict(lambda: {"tp": 0, "fp": 0, "fn": 0})
    fps: list[tuple[str, int, str]] = []
    fns: list[tuple[str, int, str]] = []
    for key, entity in sorted(found.items()):
        c = classes[file_class(key[0])]
        if key in expected:
            c["tp"] += 1
        else:
            c["fp"] += 1
            fps.append((key[0], key[1], entity))
    for key, rule in sorted(expected.items()):
        if key not in found:
            classes[file_class(key[0])]["fn"] += 1
            fns.append((key[0], key[1], rule))
    tp = sum(c["tp"] for c in classes.values())
    fp = sum(c["fp"] for c in classes.values())
    fn = sum(c["fn"] for c in classes.values())
    disputed_fn = sum(1 for f in fns if (f[0], f[1]) in disputed)
    return {
        "entities": entities,
        "files": len(files),
        "skipped_binary": skipped,
        "expected_lines": len(expected),
        "disputed_lines": len(disputed),
        "disputed_fn": disputed_fn,
        "overall": _prf(tp, fp, fn),
        "overall_without_disputed": _prf(tp, fp, fn - disputed_fn),
        "by_class": {k: _prf(v["tp"], v["fp"], v["fn"]) for k, v in sorted(classes.items())},
        "false_positives": fps,
        "false_negatives": fns,
    }


def _row(name: str, m: dict[str, Any]) -> str:
    return (
        f"{name:<24} {m['tp']:>5} {m['fp']:>5} {m['fn']:>5} "
        f"{m['precision']:>7.3f} {m['recall']:>7.3f} {m['f1']:>7.3f}"
    )


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    root = Path(args[0]) if args else DEFAULT_ROOT
    verbose = "-v" in args
    if root.name == "-v":
        root = DEFAULT_ROOT
    if not root.is_dir():
        print(f"skipped: needs the shared development data at {root} (../shared/data)")
        return 0
    res = evaluate(root)
    print(
        f"files {res['files']}, skipped as binary {len(res['skipped_binary'])}, "
        f"expected lines {res['expected_lines']} (disputed {res['disputed_lines']})"
    )
    print(f"{'class':<24} {'tp':>5} {'fp':>5} {'fn':>5} {'prec':>7} {'recall':>7} {'f1':>7}")
    for name, m in res["by_class"].items():
        print(_row(name, m))
    print(_row("overall", res["overall"]))
    print(_row("overall-w/o-disputed", res["overall_without_disputed"]))
    if verbose:
        for file, line, entity in res["false_positives"]:
            print(f"FP {file}:{line} {entity}")
        for file, line, rule in res["false_negatives"]:
            print(f"FN {file}:{line} {rule}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
