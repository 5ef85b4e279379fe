"""A generated corpus of documents, one generator per content class, to train and measure the
content model (:mod:`dataward.classify.content`).

Nothing here is real data: every document is built from templates, phrase pools and random
values (names, amounts, dates from a seeded :class:`random.Random`), except source code, which
is real: chunks of the Python standard library's own ``.py`` files. Each generator writes one
file (its name, its bytes) in a format a team would really have: ``.py``/``.js``/``.go`` code,
``.env``/``.ini``/``.yaml`` configs, ``.txt``/``.md`` prose, ``.csv`` tables, ``.jsonl``
records, ``.log`` lines.

**Held-out documents** (``holdout=True``) come from a disjoint half of every phrase pool and of
the standard library's files (split by a hash of the file's path), so the benchmark measures
documents the model never saw in training: other sentences, other code, other values.

>>> docs = generate(per_class=1, seed=3)
>>> sorted({d.label for d in docs}) == sorted(CLASS_NAMES)
True
"""

from __future__ import annotations

import json
import random
import sysconfig
import zlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from dataward.classify.content_model import CLASS_NAMES
from dataward.classify.content_phrases import (
    ANSWERS,
    CHAT,
    CLAUSE_HEADS,
    CLAUSES,
    COLORS,
    COMMENTS,
    COMPANY,
    CONTINENTS,
    CONTRACT_FILES,
    CONTRACT_TITLES,
    COUNTRIES,
    DEPTS,
    DX,
    FIN_LINES,
    FIN_PROSE,
    FIRST,
    HR_PROSE,
    IDENT,
    ITEMS,
    LAST,
    LICENSE,
    LOG_MSGS,
    MARKETING,
    MARKETING_FILES,
    MEDS,
    MODELS,
    OUTPUT_PROSE,
    PRODUCT,
    PROMPTS,
    SERVICES,
    SOAP,
    STATES,
    SUPPORT,
    SYMPTOMS,
    TITLES,
    VERB,
)


@dataclass(frozen=True, slots=True)
class Document:
    """One generated file: its class, its name and its bytes."""

    label: str
    name: str
    data: bytes


class _Pools:
    """Phrase pools split in two halves: training draws from one, held-out from the other."""

    def __init__(self, rng: random.Random, holdout: bool) -> None:
        self.rng = rng
        self.holdout = holdout

    def pick(self, pool: Sequence[str]) -> str:
        half = [p for i, p in enumerate(pool) if (i % 2 == 1) == self.holdout] or list(pool)
        return self.rng.choice(half)

    def some(self, pool: Sequence[str], low: int, high: int) -> list[str]:
        return [self.pick(pool) for _ in range(self.rng.randint(low, high))]


def _name(p: _Pools) -> str:
    return f"{p.pick(FIRST)} {p.pick(LAST)}"


def _clock(rng: random.Random) -> str:
    return f"{rng.randint(0, 23):02d}:{rng.randint(0, 59):02d}:{rng.randint(0, 59):02d}"


def _date(rng: random.Random) -> str:
    return f"20{rng.randint(18, 26)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"


def _money(rng: random.Random, low: int = 1_000, high: int = 9_000_000) -> str:
    return f"{rng.randint(low, high):,}"


# -- source code -------------------------------------------------------------------------------


@lru_cache(maxsize=2)
def _stdlib_files(holdout: bool) -> tuple[Path, ...]:
    root = Path(sysconfig.get_paths()["stdlib"])
    out = []
    for path in sorted(root.glob("*.py")) + sorted(root.glob("*/*.py")):
        if "test" in path.parts[-2] or path.name.startswith("test"):
            continue
        rel = str(path.relative_to(root))
        if (zlib.crc32(rel.encode()) % 2 == 1) == holdout and path.stat().st_size > 2_000:
            out.append(path)
    return tuple(out)


def _python(p: _Pools) -> Document:
    files = _stdlib_files(p.holdout)
    lines = files[p.rng.randrange(len(files))].read_text("utf-8", "replace").splitlines()
    n = p.rng.randint(15, 160)
    start = 0 if p.rng.random() < 0.4 else p.rng.randrange(max(1, len(lines) - n))
    body = "\n".join(lines[start : start + n])
    return Document("SOURCE_CODE", f"module_{p.rng.randint(1, 9999)}.py", body.encode())


def _fn(p: _Pools) -> str:
    return f"{p.pick(VERB)}{p.pick(IDENT).title()}"


def _js(p: _Pools) -> str:
    out = [
        f"import {{ {_fn(p)} }} from './{p.pick(IDENT)}';",
        f"const {p.pick(IDENT)}s = require('{p.pick(IDENT)}-utils');",
        "",
    ]
    for _ in range(p.rng.randint(2, 8)):
        a, b = p.pick(IDENT), p.pick(IDENT)
        out += [
            f"export async function {_fn(p)}({a}, {b}) {{",
            f"  const {b}List = await {a}.{p.pick(VERB)}({b});",
            f"  if (!{b}List.length) {{ return null; }}",
            f"  return {b}List.map(({b}) => {b}.{p.pick(IDENT)}Id);",
            "}",
            "",
        ]
    return "\n".join(out)


def _go(p: _Pools) -> str:
    out = ["package " + p.pick(IDENT), "", 'import (\n\t"fmt"\n\t"net/http"\n)', ""]
    for _ in range(p.rng.randint(2, 7)):
        a = p.pick(IDENT)
        out += [
            f"func {_fn(p).title()}({a} *{a.title()}) error {{",
            f'\tif {a} == nil {{\n\t\treturn fmt.Errorf("no {a}")\n\t}}',
            f"\t{a}.{p.pick(IDENT).title()} = http.StatusOK",
            "\treturn nil",
            "}",
            "",
        ]
    return "\n".join(out)


def _java(p: _Pools) -> str:
    cls = p.pick(IDENT).title() + "Service"
    out = [
        f"package com.{p.pick(IDENT)}.{p.pick(IDENT)};",
        "",
        "import java.util.List;",
        "import java.util.Map;",
        "",
        f"public class {cls} {{",
    ]
    for _ in range(p.rng.randint(2, 6)):
        a = p.pick(IDENT)
        out += [
            f"    public List<{a.title()}> {_fn(p)}(Map<String, {a.title()}> {a}s) {{",
            f"        return {a}s.values().stream().filter(x -> x != null).toList();",
            "    }",
            "",
        ]
    return "\n".join([*out, "}"])


def _sql(p: _Pools) -> str:
    out = []
    for _ in range(p.rng.randint(2, 6)):
        a, b = p.pick(IDENT), p.pick(IDENT)
        out += [
            f"CREATE TABLE {a}s (\n  id BIGINT PRIMARY KEY,\n  {b}_id BIGINT NOT NULL,\n"
            f"  created_at TIMESTAMP DEFAULT now()\n);",
            f"SELECT {a}.id, COUNT(*) FROM {a}s {a} JOIN {b}s {b} ON {b}.id = {a}.{b}_id "
            f"GROUP BY {a}.id;",
        ]
    return "\n".join(out)


def _code(p: _Pools) -> Document:
    kind = p.rng.choice(["py", "py", "py", "js", "go", "java", "sql"])
    if kind == "py":
        return _python(p)
    text = {"js": _js, "go": _go, "java": _java, "sql": _sql}[kind](p)
    if p.rng.random() < 0.5:
        lic = p.pick(LICENSE).format(y=p.rng.randint(2015, 2026), c=p.pick(COMPANY))
        text = (lic if kind != "sql" else lic.replace("//", "--")) + text
    ext = {"js": p.rng.choice([".js", ".ts"]), "go": ".go", "java": ".java", "sql": ".sql"}[kind]
    return Document("SOURCE_CODE", f"{p.pick(IDENT)}_{p.pick(VERB)}{ext}", text.encode())


# -- credentials and configuration -------------------------------------------------------------


def _secret(rng: random.Random, n: int = 24) -> str:
    return "".join(
        rng.choice("abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789") for _ in range(n)
    )


def _config(p: _Pools) -> Document:
    rng = p.rng
    pairs = []
    for _ in range(rng.randint(4, 14)):
        svc = p.pick(SERVICES)
        key = p.pick(
            [
                "HOST",
                "PORT",
                "USER",
                "PASSWORD",
                "API_KEY",
                "SECRET",
                "TOKEN",
                "URL",
                "DB_NAME",
                "CLIENT_ID",
                "CLIENT_SECRET",
                "REGION",
                "TIMEOUT",
                "BUCKET",
            ]
        )
        val = {
            "HOST": f"{svc}.internal",
            "PORT": str(rng.randint(1000, 9999)),
            "URL": f"https://{svc}.internal:{rng.randint(1000, 9999)}",
            "REGION": rng.choice(["eu-west-1", "us-east-2"]),
            "TIMEOUT": str(rng.randint(5, 90)),
            "DB_NAME": p.pick(IDENT),
        }.get(key, _secret(rng))
        pairs.append((svc, key, val))
    kind = rng.choice(["env", "ini", "yaml", "properties", "json", "toml"])
    if kind == "env":
        text = "\n".join(f"{s.upper()}_{k}={v}" for s, k, v in pairs)
        name = rng.choice([".env.production", "app.env", "settings.env", "prod.env"])
    elif kind in ("ini", "toml"):
        out = []
        for s in dict.fromkeys(s for s, _, _ in pairs):
            out.append(f"[{s}]")
            out += [
                f"{k.lower()} = {v!r}" if kind == "toml" else f"{k.lower()} = {v}"
                for s2, k, v in pairs
                if s2 == s
            ]
        text, name = "\n".join(out), f"{p.pick(IDENT)}.{kind if kind == 'toml' else 'cfg'}"
    elif kind == "yaml":
        out = []
        for s in dict.fromkeys(s for s, _, _ in pairs):
            out.append(f"{s}:")
            out += [f"  {k.lower()}: {v}" for s2, k, v in pairs if s2 == s]
        text, name = "\n".join(out), rng.choice(["config.yaml", "secrets.yml", "values.yaml"])
    elif kind == "properties":
        text = "\n".join(f"{s}.{k.lower().replace('_', '.')}={v}" for s, k, v in pairs)
        name = "application.properties"
    else:
        obj: dict[str, dict[str, str]] = {}
        for s, k, v in pairs:
            obj.setdefault(s, {})[k.lower()] = v
        text, name = json.dumps(obj, indent=2), rng.choice(["config.json", "credentials.json"])
    return Document("CREDENTIALS_CONFIG", name, text.encode())


# -- contracts ---------------------------------------------------------------------------------


def _contract(p: _Pools) -> Document:
    rng = p.rng
    a, b = p.pick(COMPANY), p.pick(COMPANY)
    out = [
        p.pick(CONTRACT_TITLES),
        "",
        f'This Agreement is made and entered into as of {_date(rng)} (the "Effective Date") '
        f'by and between {a} ("Provider") and {b} ("Customer"), each a "Party".',
        "",
    ]
    if rng.random() < 0.6:
        out += [
            "WHEREAS, the parties wish to set out the terms on which the Services are "
            "provided; NOW, THEREFORE, in consideration of the mutual covenants herein, the "
            "parties agree as follows:",
            "",
        ]
    for i in range(1, rng.randint(4, 10)):
        head = p.pick(CLAUSE_HEADS)
        body = p.pick(CLAUSES).format(
            n=rng.choice([10, 15, 30, 60, 90, 12, 24]), state=p.pick(STATES)
        )
        out += [f"{i}. {head}. {body}" if rng.random() < 0.5 else f"Section {i} - {head}\n{body}"]
    if rng.random() < 0.7:
        out += [
            "",
            "IN WITNESS WHEREOF, the parties have executed this Agreement as of the "
            "Effective Date.",
            f"{a}  By: ____________  Name: {_name(p)}  Title: Director",
            f"{b}  By: ____________  Name: {_name(p)}  Title: General Counsel",
        ]
    ext = rng.choice([".txt", ".md", ".txt"])
    return Document(
        "CONTRACT_LEGAL",
        f"{p.pick(CONTRACT_FILES)}_{rng.randint(1, 999)}{ext}",
        "\n".join(out).encode(),
    )


# -- financial reports -------------------------------------------------------------------------


def _finance(p: _Pools) -> Document:
    rng = p.rng
    kind = rng.choice(["prose", "csv", "csv", "md"])
    if kind == "csv":
        cols = rng.choice(
            [
                ["line_item", "q1", "q2", "q3", "q4"],
                ["account", "fy2024", "fy2025", "variance"],
                ["account_code", "description", "debit", "credit", "balance"],
                ["metric", "actual", "budget", "variance_pct"],
            ]
        )
        rows = [",".join(cols)]
        for _ in range(rng.randint(6, 30)):
            first = (
                str(rng.randint(1000, 9999))
                if cols[0] == "account_code"
                else f'"{p.pick(FIN_LINES)}"'
            )
            vals = [first]
            if cols[1] == "description":
                vals.append(f'"{p.pick(FIN_LINES)}"')
            vals += [
                f"{rng.randint(-90000, 9000000) / 100:.2f}" for _ in range(len(cols) - len(vals))
            ]
            rows.append(",".join(vals))
        stem = p.pick(["pnl", "balance_sheet", "ledger", "budget", "gl_export"])
        name = f"{stem}_q{rng.randint(1, 4)}.csv"
        return Document("FINANCIAL_REPORT", name, "\n".join(rows).encode())
    out = [
        f"{p.pick(COMPANY)} - {p.pick(['Q1', 'Q2', 'Q3', 'Q4', 'Annual', 'Interim'])} "
        f"Financial Results {rng.randint(2019, 2026)}",
        "",
    ]
    for _ in range(rng.randint(3, 9)):
        out.append(
            p.pick(FIN_PROSE).format(
                p=rng.randint(2, 60),
                q=rng.randint(10, 80),
                m=_money(rng),
                m2=_money(rng),
                e=f"{rng.random() * 5:.2f}",
                y=rng.randint(2020, 2027),
            )
        )
    if kind == "md":
        out += ["", "| Line item | This year | Last year |", "|---|---:|---:|"]
        out += [
            f"| {p.pick(FIN_LINES)} | {_money(rng)} | {_money(rng)} |"
            for _ in range(rng.randint(4, 10))
        ]
    return Document(
        "FINANCIAL_REPORT",
        f"report_{rng.randint(1, 999)}.{'md' if kind == 'md' else 'txt'}",
        "\n".join(out).encode(),
    )


# -- HR ----------------------------------------------------------------------------------------


def _hr(p: _Pools) -> Document:
    rng = p.rng
    kind = rng.choice(["csv", "csv", "prose", "jsonl"])
    if kind == "prose":
        out = [
            f"{p.pick(['Employee file', 'HR memo', 'People team notes', 'Personnel record'])} "
            f"- {p.pick(DEPTS)}",
            "",
        ]
        for _ in range(rng.randint(3, 10)):
            out.append(
                p.pick(HR_PROSE).format(
                    n=_name(p),
                    d=p.pick(DEPTS),
                    t=_date(rng),
                    j=p.pick(TITLES),
                    r=rng.randint(1, 5),
                    p=rng.randint(2, 15),
                    m=f"${_money(rng, 40000, 250000)}",
                )
            )
        return Document("HR_RECORD", f"hr_notes_{rng.randint(1, 999)}.txt", "\n".join(out).encode())
    cols = [
        "employee_id",
        "full_name",
        "department",
        "job_title",
        "salary",
        "hire_date",
        "manager",
        "performance_rating",
        "employment_type",
        "leave_balance",
    ]
    cols = [c for c in cols if c in ("employee_id", "salary") or rng.random() < 0.7]
    recs = []
    for _ in range(rng.randint(8, 40)):
        recs.append(
            {
                "employee_id": f"E{rng.randint(10000, 99999)}",
                "full_name": _name(p),
                "department": p.pick(DEPTS),
                "job_title": p.pick(TITLES),
                "salary": rng.randint(35000, 240000),
                "hire_date": _date(rng),
                "manager": _name(p),
                "performance_rating": rng.randint(1, 5),
                "employment_type": rng.choice(["full-time", "part-time", "contractor"]),
                "leave_balance": rng.randint(0, 30),
            }
        )
    if kind == "jsonl":
        text = "\n".join(json.dumps({c: r[c] for c in cols}) for r in recs)
        return Document("HR_RECORD", f"employees_{rng.randint(1, 99)}.jsonl", text.encode())
    text = "\n".join([",".join(cols), *(",".join(str(r[c]) for c in cols) for r in recs)])
    return Document(
        "HR_RECORD", f"{p.pick(['employees', 'payroll', 'staff', 'headcount'])}.csv", text.encode()
    )


# -- medical -----------------------------------------------------------------------------------


def _medical(p: _Pools) -> Document:
    rng = p.rng
    kind = rng.choice(["note", "note", "csv", "jsonl"])
    if kind == "note":
        out = [
            f"{p.pick(['Clinic note', 'Progress note', 'Encounter', 'Discharge note'])} "
            f"{_date(rng)}  MRN {rng.randint(100000, 999999)}",
            "",
        ]
        for _ in range(rng.randint(3, 8)):
            out.append(
                p.pick(SOAP).format(
                    s=p.pick(SYMPTOMS),
                    n=rng.randint(2, 14),
                    bp=f"{rng.randint(100, 170)}/{rng.randint(60, 100)}",
                    hr=rng.randint(55, 120),
                    t=f"{rng.uniform(36, 39):.1f}",
                    o=rng.randint(90, 99),
                    dx=p.pick(DX),
                    med=p.pick(MEDS),
                )
            )
        return Document(
            "MEDICAL_RECORD", f"note_{rng.randint(1, 9999)}.txt", "\n".join(out).encode()
        )
    cols = [
        "patient_id",
        "mrn",
        "encounter_date",
        "diagnosis",
        "icd10",
        "medication",
        "provider",
        "blood_pressure",
        "allergies",
    ]
    cols = [c for c in cols if c in ("patient_id", "diagnosis") or rng.random() < 0.7]
    recs = [
        {
            "patient_id": f"P{rng.randint(1000, 9999)}",
            "mrn": str(rng.randint(100000, 999999)),
            "encounter_date": _date(rng),
            "diagnosis": p.pick(DX),
            "icd10": f"{rng.choice('EIJKMNF')}{rng.randint(10, 99)}.{rng.randint(0, 9)}",
            "medication": p.pick(MEDS),
            "provider": f"Dr. {p.pick(LAST)}",
            "blood_pressure": f"{rng.randint(100, 170)}/{rng.randint(60, 100)}",
            "allergies": rng.choice(["none", "penicillin", "latex", "peanuts"]),
        }
        for _ in range(rng.randint(8, 40))
    ]
    if kind == "jsonl":
        text = "\n".join(json.dumps({c: r[c] for c in cols}) for r in recs)
        return Document("MEDICAL_RECORD", f"encounters_{rng.randint(1, 99)}.jsonl", text.encode())
    text = "\n".join([",".join(cols), *(",".join(f'"{r[c]}"' for c in cols) for r in recs)])
    return Document(
        "MEDICAL_RECORD", f"{p.pick(['patients', 'encounters', 'ehr_extract'])}.csv", text.encode()
    )


# -- chats, prompt logs, model outputs ---------------------------------------------------------


def _chat(p: _Pools) -> Document:
    rng = p.rng
    names = [p.pick(FIRST) for _ in range(rng.randint(2, 4))]
    kind = rng.choice(["txt", "txt", "jsonl", "support"])
    turns = []
    for i in range(rng.randint(6, 30)):
        if kind == "support":
            who = "Agent" if i % 2 else "Customer"
            turns.append((who, p.pick(SUPPORT)))
        else:
            turns.append((rng.choice(names), p.pick(CHAT)))
    if kind == "jsonl":
        text = "\n".join(
            json.dumps(
                {
                    "ts": f"{_date(rng)}T{rng.randint(8, 20):02d}:{rng.randint(0, 59):02d}:00",
                    "user": w,
                    "channel": f"#{p.pick(IDENT)}",
                    "text": t,
                }
            )
            for w, t in turns
        )
        return Document(
            "CHAT_TRANSCRIPT", f"slack_export_{rng.randint(1, 99)}.jsonl", text.encode()
        )
    stamp = rng.random() < 0.5
    text = "\n".join(
        (f"[{rng.randint(8, 20):02d}:{rng.randint(0, 59):02d}] " if stamp else "") + f"{w}: {t}"
        for w, t in turns
    )
    return Document(
        "CHAT_TRANSCRIPT",
        f"{p.pick(['chat', 'transcript', 'support_chat'])}_{rng.randint(1, 999)}.txt",
        text.encode(),
    )


def _prompt_log(p: _Pools) -> Document:
    rng = p.rng
    kind = rng.choice(["pc", "messages", "io", "csv"])
    recs: list[dict[str, object]] = []
    for _ in range(rng.randint(5, 30)):
        prompt, answer, model = p.pick(PROMPTS), p.pick(ANSWERS), p.pick(MODELS)
        if kind == "pc":
            recs.append(
                {
                    "request_id": _secret(rng, 12),
                    "model": model,
                    "prompt": prompt,
                    "completion": answer,
                    "prompt_tokens": rng.randint(10, 900),
                    "completion_tokens": rng.randint(5, 600),
                    "latency_ms": rng.randint(80, 9000),
                }
            )
        elif kind == "messages":
            recs.append(
                {
                    "model": model,
                    "messages": [
                        {"role": "system", "content": "You are a helpful assistant."},
                        {"role": "user", "content": prompt},
                        {"role": "assistant", "content": answer},
                    ],
                    "usage": {"total_tokens": rng.randint(20, 2000)},
                }
            )
        else:
            recs.append(
                {
                    "timestamp": _date(rng),
                    "model_name": model,
                    "input": prompt,
                    "output": answer,
                    "temperature": rng.choice([0, 0.2, 0.7, 1.0]),
                }
            )
    if kind == "csv":
        text = "\n".join(
            ["timestamp,model,prompt,response,tokens"]
            + [
                f'{r["timestamp"]},{r["model_name"]},"{r["input"]}",'
                f'"{str(r["output"]).replace(chr(10), " ")}",{rng.randint(20, 900)}'
                for r in recs
            ]
        )
        return Document(
            "PROMPT_COMPLETION_LOG", f"llm_calls_{rng.randint(1, 99)}.csv", text.encode()
        )
    text = "\n".join(json.dumps(r) for r in recs)
    return Document(
        "PROMPT_COMPLETION_LOG",
        f"{p.pick(['prompts', 'llm_log', 'completions', 'inference_log'])}.jsonl",
        text.encode(),
    )


def _model_output(p: _Pools) -> Document:
    rng = p.rng
    kind = rng.choice(["md", "txt", "jsonl", "preds"])
    if kind == "preds":
        recs = [
            {
                "id": i,
                "prediction": rng.choice(["positive", "negative", "neutral", "spam", "not_spam"]),
                "score": round(rng.random(), 4),
                "model_version": f"v{rng.randint(1, 9)}.{rng.randint(0, 9)}",
            }
            for i in range(rng.randint(10, 50))
        ]
        return Document(
            "MODEL_OUTPUT",
            f"predictions_{rng.randint(1, 99)}.jsonl",
            "\n".join(json.dumps(r) for r in recs).encode(),
        )
    if kind == "jsonl":
        recs = [
            {
                "sample_id": i,
                "generated_text": " ".join(p.some(OUTPUT_PROSE, 2, 5)),
                "finish_reason": rng.choice(["stop", "length"]),
            }
            for i in range(rng.randint(5, 25))
        ]
        return Document(
            "MODEL_OUTPUT",
            f"generations_{rng.randint(1, 99)}.jsonl",
            "\n".join(json.dumps(r) for r in recs).encode(),
        )
    text = "\n\n".join(p.some(OUTPUT_PROSE, 3, 9))
    return Document(
        "MODEL_OUTPUT",
        f"{p.pick(['output', 'response', 'answer', 'draft'])}_{rng.randint(1, 999)}.{kind}",
        text.encode(),
    )


# -- logs --------------------------------------------------------------------------------------


def _syslog(p: _Pools) -> Document:
    rng = p.rng
    kind = rng.choice(["app", "access", "syslog", "jsonl"])
    out = []
    for _ in range(rng.randint(10, 60)):
        ts = f"{_date(rng)}T{_clock(rng)}Z"
        msg = p.pick(LOG_MSGS).format(
            h=f"{p.pick(SERVICES)}.internal", n=rng.randint(1, 999), k=p.pick(IDENT)
        )
        lvl = rng.choice(["INFO", "INFO", "DEBUG", "WARN", "ERROR"])
        if kind == "app":
            out.append(f"{ts} {lvl} [{p.pick(SERVICES)}] {msg}")
        elif kind == "access":
            out.append(
                f"10.{rng.randint(0, 255)}.{rng.randint(0, 255)}.{rng.randint(1, 254)} - - "
                f"[{rng.randint(1, 28):02d}/May/2025:{_clock(rng)} +0000] "
                f'"{rng.choice(["GET", "POST"])} /api/{p.pick(IDENT)} HTTP/1.1" '
                f"{rng.choice([200, 200, 201, 304, 404, 500])} {rng.randint(100, 90000)}"
            )
        elif kind == "syslog":
            out.append(
                f"May {rng.randint(1, 28)} {rng.randint(0, 23):02d}:{rng.randint(0, 59):02d}:01 "
                f"host{rng.randint(1, 9)} {p.pick(SERVICES)}[{rng.randint(100, 9999)}]: {msg}"
            )
        else:
            out.append(
                json.dumps(
                    {"time": ts, "level": lvl.lower(), "logger": p.pick(SERVICES), "msg": msg}
                )
            )
    name = f"{p.pick(SERVICES)}.{'jsonl' if kind == 'jsonl' else 'log'}"
    return Document("SYSTEM_LOG", name, "\n".join(out).encode())


# -- marketing ---------------------------------------------------------------------------------


def _marketing(p: _Pools) -> Document:
    rng = p.rng
    prod, comp = p.pick(PRODUCT), p.pick(COMPANY)
    lines = [f"# {p.pick(['Meet', 'Introducing', 'Discover', 'Announcing'])} {prod}", ""]
    lines += [p.pick(MARKETING).format(p=prod, c=comp) for _ in range(rng.randint(4, 12))]
    if rng.random() < 0.5:
        lines += ["", f"© {rng.randint(2015, 2026)} {comp}. All rights reserved."]
    ext = rng.choice(["md", "txt", "md"])
    return Document(
        "MARKETING_PUBLIC",
        f"{p.pick(MARKETING_FILES)}_{rng.randint(1, 99)}.{ext}",
        "\n".join(lines).encode(),
    )


# -- other -------------------------------------------------------------------------------------


def _other(p: _Pools) -> Document:
    rng = p.rng
    kind = rng.choice(["colors", "catalog", "sensor", "ids", "countries", "comments", "list"])
    n = rng.randint(8, 60)
    if kind == "colors":
        rows = ["color"] + [p.pick(COLORS) for _ in range(n)]
    elif kind == "catalog":
        rows = ["sku,item,color,weight_g"] + [
            f"SKU{rng.randint(1000, 9999)},{p.pick(ITEMS)},{p.pick(COLORS)},{rng.randint(5, 900)}"
            for _ in range(n)
        ]
    elif kind == "sensor":
        rows = ["sensor_id,reading,unit"] + [
            f"S{rng.randint(1, 40)},{rng.uniform(-10, 40):.2f},{rng.choice(['C', 'kPa', 'lux'])}"
            for _ in range(n)
        ]
    elif kind == "ids":
        rows = ["id,key"] + [f"{i},K{100000 + i}" for i in range(n)]
    elif kind == "countries":
        rows = ["country,population_m,continent"] + [
            f"{p.pick(COUNTRIES)},{rng.randint(1, 1400)},{p.pick(CONTINENTS)}" for _ in range(n)
        ]
    elif kind == "comments":
        rows = ["id,comment"] + [f"{i},{p.pick(COMMENTS)}" for i in range(n)]
    else:
        words = p.some(ITEMS + COLORS + COUNTRIES, 8, 40)
        return Document("OTHER", f"list_{rng.randint(1, 99)}.txt", "\n".join(words).encode())
    return Document("OTHER", f"{kind}_{rng.randint(1, 99)}.csv", "\n".join(rows).encode())


GENERATORS: dict[str, Callable[[_Pools], Document]] = {
    "SOURCE_CODE": _code,
    "CREDENTIALS_CONFIG": _config,
    "CONTRACT_LEGAL": _contract,
    "FINANCIAL_REPORT": _finance,
    "HR_RECORD": _hr,
    "MEDICAL_RECORD": _medical,
    "CHAT_TRANSCRIPT": _chat,
    "PROMPT_COMPLETION_LOG": _prompt_log,
    "MODEL_OUTPUT": _model_output,
    "SYSTEM_LOG": _syslog,
    "MARKETING_PUBLIC": _marketing,
    "OTHER": _other,
}


def generate(per_class: int, seed: int = 0, *, holdout: bool = False) -> list[Document]:
    """``per_class`` documents of every class, deterministic for a seed (``holdout``: from the
    other half of every pool, see the module docstring)."""
    rng = random.Random(seed)
    pools = _Pools(rng, holdout)
    return [GENERATORS[label](pools) for _ in range(per_class) for label in CLASS_NAMES]


def write(docs: Sequence[Document], folder: Path) -> list[tuple[Path, str]]:
    """Write the documents under ``folder`` (one subfolder per document: names repeat);
    returns (path, label) pairs."""
    out = []
    for i, doc in enumerate(docs):
        path = folder / f"{i:05d}" / doc.name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(doc.data)
        out.append((path, doc.label))
    return out
