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


FIRST = [
    "Ada",
    "Ben",
    "Chloe",
    "Dev",
    "Elena",
    "Farid",
    "Grace",
    "Hiro",
    "Ines",
    "Jon",
    "Kemi",
    "Lars",
    "Mina",
    "Noah",
    "Omar",
    "Priya",
    "Quinn",
    "Rosa",
    "Sam",
    "Tara",
    "Uma",
    "Viktor",
]
LAST = [
    "Lovelace",
    "Okafor",
    "Novak",
    "Garcia",
    "Chen",
    "Schmidt",
    "Rossi",
    "Kowalski",
    "Silva",
    "Nakamura",
    "Dubois",
    "Patel",
    "Jensen",
    "Moreau",
    "Haddad",
    "Ibrahim",
    "Costa",
    "Berg",
]
COMPANY = [
    "Acme Corp",
    "Globex Ltd",
    "Initech GmbH",
    "Umbrella Inc",
    "Stark Industries",
    "Wayne Enterprises",
    "Hooli LLC",
    "Vandelay Imports",
    "Soylent SA",
    "Tyrell BV",
    "Cyberdyne AG",
    "Wonka Holdings",
    "Pied Piper Inc",
    "Massive Dynamic plc",
]
PRODUCT = [
    "CloudSync",
    "DataVault",
    "Brightline",
    "Nimbus",
    "Quantum Desk",
    "PulseCRM",
    "OrbitPay",
    "SnapForm",
    "TrueNorth",
    "FlowBoard",
    "GreenLeaf",
    "Atlas Notes",
]


def _name(p: _Pools) -> str:
    return f"{p.pick(FIRST)} {p.pick(LAST)}"


CONTRACT_FILES = ["msa", "nda", "contract", "agreement", "sow", "lease"]
MARKETING_FILES = ["press_release", "landing", "blog", "newsletter", "brochure"]
CONTINENTS = ["Europe", "Asia", "Africa", "Americas"]
COMMENTS = ["fine", "ok thanks", "good service", "late delivery", "call me back", "great", "meh"]


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


LICENSE = [
    "// Copyright {y} {c}. All rights reserved.\n// SPDX-License-Identifier: Apache-2.0\n",
    "/*\n * Copyright (c) {y} {c}\n * Licensed under the MIT License.\n */\n",
    "// Proprietary and confidential. Copyright {y} {c}.\n",
    "/* (c) {y} {c} - internal use only */\n",
]
IDENT = [
    "user",
    "order",
    "invoice",
    "session",
    "cache",
    "token",
    "item",
    "payload",
    "config",
    "request",
    "result",
    "buffer",
    "queue",
    "metric",
    "account",
    "report",
    "event",
    "node",
]
VERB = [
    "load",
    "save",
    "parse",
    "build",
    "fetch",
    "render",
    "update",
    "check",
    "compute",
    "send",
    "merge",
    "resolve",
    "flush",
    "encode",
    "decode",
    "validate",
    "apply",
    "collect",
]


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

SERVICES = [
    "postgres",
    "redis",
    "stripe",
    "aws",
    "sendgrid",
    "github",
    "slack",
    "smtp",
    "mongo",
    "kafka",
    "openai",
    "twilio",
    "s3",
    "ldap",
    "oauth",
    "jwt",
    "sentry",
    "rabbitmq",
]


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

CONTRACT_TITLES = [
    "MASTER SERVICES AGREEMENT",
    "MUTUAL NON-DISCLOSURE AGREEMENT",
    "SOFTWARE LICENSE AGREEMENT",
    "COMMERCIAL LEASE AGREEMENT",
    "DATA PROCESSING AGREEMENT",
    "CONSULTING AGREEMENT",
    "SUPPLY AGREEMENT",
    "STATEMENT OF WORK",
    "AMENDMENT NO. 2 TO THE RESELLER AGREEMENT",
    "MEMORANDUM OF UNDERSTANDING",
]
CLAUSE_HEADS = [
    "Definitions",
    "Term and Termination",
    "Confidentiality",
    "Indemnification",
    "Limitation of Liability",
    "Governing Law",
    "Payment Terms",
    "Warranties",
    "Intellectual Property",
    "Assignment",
    "Force Majeure",
    "Notices",
    "Entire Agreement",
    "Severability",
    "Dispute Resolution",
    "Audit Rights",
]
CLAUSES = [
    "The Receiving Party shall hold all Confidential Information in strict confidence and shall "
    "not disclose it to any third party without the prior written consent of the Disclosing Party.",
    "This Agreement shall commence on the Effective Date and continue for a period of {n} months "
    "unless terminated earlier in accordance with this Section.",
    "Either party may terminate this Agreement upon {n} days' written notice if the other party "
    "materially breaches any provision hereof and fails to cure such breach.",
    "Each party shall indemnify, defend and hold harmless the other party from and against any "
    "and all claims, losses, damages and liabilities arising out of its gross negligence.",
    "In no event shall either party be liable for any indirect, incidental, special or "
    "consequential damages, including loss of profits, even if advised of the possibility thereof.",
    "This Agreement shall be governed by and construed in accordance with the laws of the State of "
    "{state}, without regard to its conflict of laws principles.",
    "Customer shall pay all undisputed invoices within {n} days of receipt; late payments shall "
    "accrue interest at the lesser of one percent per month or the maximum rate permitted by law.",
    "Provider warrants that the Services will be performed in a professional and workmanlike "
    "manner consistent with generally accepted industry standards.",
    "All right, title and interest in and to the Deliverables shall vest in the Customer upon "
    "payment in full, save for the Provider's pre-existing materials.",
    "Neither party may assign or transfer this Agreement without the prior written consent of the "
    "other party, which consent shall not be unreasonably withheld.",
    "Neither party shall be liable for any failure or delay in performance caused by events beyond "
    "its reasonable control, including acts of God, war, strikes or governmental action.",
    "All notices under this Agreement shall be in writing and deemed given when delivered "
    "personally or by certified mail, return receipt requested, to the addresses set forth above.",
    "This Agreement constitutes the entire agreement between the parties and supersedes all prior "
    "understandings, whether written or oral, relating to its subject matter.",
    "If any provision of this Agreement is held invalid or unenforceable, the remaining provisions "
    "shall continue in full force and effect.",
    "Any dispute arising hereunder shall be finally settled by binding arbitration in {state} "
    "under the rules of the American Arbitration Association.",
    "The Licensee shall keep accurate records and permit the Licensor, upon {n} days' notice, to "
    "audit such records no more than once in any twelve-month period.",
]
STATES = ["Delaware", "New York", "California", "Texas", "England and Wales", "Ontario", "Bavaria"]


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

FIN_LINES = [
    "Revenue",
    "Cost of goods sold",
    "Gross profit",
    "Operating expenses",
    "EBITDA",
    "Net income",
    "Total assets",
    "Total liabilities",
    "Shareholders' equity",
    "Cash and cash equivalents",
    "Accounts receivable",
    "Accounts payable",
    "Depreciation and amortization",
    "Operating cash flow",
    "Capital expenditure",
    "Deferred revenue",
    "Interest expense",
    "Income tax expense",
]
FIN_PROSE = [
    "Revenue for the quarter increased {p}% year over year to ${m}, driven by subscription growth.",
    "Gross margin was {p}%, compared with {q}% in the prior-year period.",
    "Operating expenses rose to ${m} as we continued to invest in research and development.",
    "Net income attributable to shareholders was ${m}, or ${e} per diluted share.",
    "We ended the fiscal year with ${m} in cash, cash equivalents and marketable securities.",
    "Free cash flow for the period was ${m}, reflecting improved working capital.",
    "The Board approved a quarterly dividend of ${e} per share and a buyback of ${m}.",
    "Adjusted EBITDA margin expanded {p} basis points to {q}% on a constant-currency basis.",
    "Guidance: for fiscal {y} we expect revenue between ${m} and ${m2}.",
    "Accounts receivable increased to ${m}; days sales outstanding were {p} days.",
]


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

DEPTS = ["Engineering", "Sales", "Finance", "Legal", "Marketing", "Operations", "Support", "HR"]
TITLES = [
    "Software Engineer",
    "Account Executive",
    "Analyst",
    "Manager",
    "Director",
    "Recruiter",
    "Designer",
    "Paralegal",
    "Controller",
    "Team Lead",
    "Intern",
]
HR_PROSE = [
    "{n} joined the {d} team on {t} as {j}; probation ends after six months.",
    "Performance review: {n} meets expectations; rating {r} of 5. Merit increase of {p}% approved.",
    "Salary adjustment for {n}: new base salary {m} effective {t}, bonus target {p}%.",
    "{n} requested {p} days of parental leave starting {t}; manager approval pending.",
    "Disciplinary note: {n} received a written warning for repeated absence without notice.",
    "Offer letter: we are pleased to offer {n} the position of {j} in {d}, starting {t}.",
    "Exit interview with {n}: reason for leaving - career growth; eligible for rehire.",
    "Onboarding checklist for {n}: laptop, badge, payroll enrolment, benefits election by {t}.",
    "Promotion: {n} promoted to {j} with a compensation band change to level {r}.",
    "Headcount plan: {d} approved to hire {r} additional {j}s in the next quarter.",
]


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

DX = [
    "type 2 diabetes mellitus",
    "essential hypertension",
    "acute bronchitis",
    "migraine",
    "asthma, mild persistent",
    "hyperlipidemia",
    "major depressive disorder",
    "otitis media",
    "community-acquired pneumonia",
    "osteoarthritis of the knee",
    "atrial fibrillation",
    "chronic kidney disease stage 3",
    "urinary tract infection",
    "hypothyroidism",
]
MEDS = [
    "metformin 500 mg twice daily",
    "lisinopril 10 mg daily",
    "amoxicillin 875 mg BID",
    "sumatriptan 50 mg PRN",
    "albuterol inhaler 2 puffs q4h PRN",
    "atorvastatin 20 mg nightly",
    "sertraline 50 mg daily",
    "levothyroxine 75 mcg daily",
    "apixaban 5 mg BID",
    "ibuprofen 400 mg TID with food",
    "nitrofurantoin 100 mg BID x5 days",
]
SOAP = [
    "Subjective: patient reports {s} for {n} days, denies fever or chest pain.",
    "Objective: BP {bp} mmHg, HR {hr} bpm, temp {t} C, SpO2 {o}% on room air.",
    "Assessment: {dx}.",
    "Plan: start {med}; follow up in {n} weeks; labs ordered (CBC, BMP).",
    "History of present illness: {s}, worse at night; prior episodes treated with {med}.",
    "Allergies: NKDA. Current medications: {med}.",
    "Discharge summary: admitted for {dx}, treated with IV fluids and {med}; stable at discharge.",
    "Lab results: HbA1c {t}%, LDL {hr} mg/dL, creatinine 1.{o} mg/dL.",
]
SYMPTOMS = [
    "cough",
    "headache",
    "fatigue",
    "shortness of breath",
    "joint pain",
    "dizziness",
    "abdominal pain",
    "palpitations",
    "ear pain",
    "dysuria",
]


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

CHAT = [
    "hey, did you see the build failed again?",
    "yes looking at it now",
    "can we sync at 3?",
    "sure, sending an invite",
    "thanks!",
    "lol that deploy was wild",
    "who owns the billing bug?",
    "I think Dev does, ping him",
    "ok will do",
    "lunch?",
    "brb",
    "sounds good to me",
    "did the customer reply?",
    "not yet, I'll follow up tomorrow",
    "np",
    "great work today 🎉",
    "is the meeting still on?",
    "yep, same room",
    "can you review my PR",
    "on it",
]
SUPPORT = [
    "Hi, I can't log into my account.",
    "I'm sorry to hear that! Can you tell me the email on the account?",
    "My order hasn't arrived yet.",
    "Let me check the tracking for you.",
    "Thank you for waiting.",
    "Is there anything else I can help you with?",
    "No, that's all, thanks.",
    "I was charged twice this month.",
    "I've issued a refund; it should appear in 3-5 business days.",
    "That fixed it!",
]


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


PROMPTS = [
    "Summarize the following meeting notes in three bullet points.",
    "Translate this paragraph into French.",
    "Write a SQL query that lists overdue invoices.",
    "Classify the sentiment of this review: 'The product broke after a week.'",
    "Explain the difference between TCP and UDP.",
    "Draft a polite reply declining the offer.",
    "Extract the company names from the text below.",
    "What is the capital of Australia?",
    "Rewrite this email to sound more formal.",
    "Generate five title ideas for a blog post.",
    "You are a helpful assistant. Answer concisely.",
    "Fix the bug in this Python function.",
]
ANSWERS = [
    "Sure! Here are three bullet points:\n- Budget approved\n- Launch in May\n- Hiring paused",
    "Voici la traduction du paragraphe.",
    "SELECT id FROM invoices WHERE due_date < now();",
    "Negative.",
    "TCP is connection-oriented and reliable; UDP is connectionless and faster.",
    "Thank you for the offer; unfortunately we must decline at this time.",
    "Acme Corp, Globex Ltd",
    "Canberra.",
    "Dear Sir or Madam, I am writing to follow up.",
    "1. Ten Tips for Remote Teams\n2. Why Data Matters\n3. Scaling Without Pain",
    "As an AI language model, I can help with that.",
    "The loop should start at index 0.",
]
MODELS = [
    "gpt-4o",
    "gpt-4o-mini",
    "claude-3-5-sonnet",
    "llama-3-70b",
    "mistral-large",
    "gemini-1.5-pro",
]


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


OUTPUT_PROSE = [
    "Certainly! Here's a concise overview of the topic you asked about.",
    "In summary, the key factors are cost, speed and reliability.",
    "Here is a step-by-step guide:\n1. Open the settings.\n2. Select the account.\n3. Save.",
    "I hope this helps! Let me know if you'd like more detail on any point.",
    "Great question. There are several ways to approach this problem.",
    "Below is a draft you can adapt to your needs.",
    "Note: this response was generated automatically and may contain errors.",
    "Overall, the evidence suggests a moderate positive effect.",
    "To conclude, adopting a phased rollout reduces risk while preserving momentum.",
    "**Key takeaways:**\n- Start small\n- Measure everything\n- Iterate quickly",
    "As an AI, I don't have personal opinions, but here are some perspectives.",
    "Of course! Below you'll find three options, each with pros and cons.",
    "Sure! Here's a rewritten version of your paragraph with a more formal tone.",
    "Here's a summary of the main points:\n- The budget grew\n- Two risks remain",
    "I'm happy to help with that. Let me break it down step by step.",
    "Let me know if you'd like me to expand on any of these sections.",
    "As an AI language model, I cannot browse the internet, but I can explain the concept.",
    "Here are a few suggestions you might consider:\n1. Clarify the goal\n2. Set a deadline",
    "In conclusion, both approaches have merit depending on your constraints.",
    "I hope this answers your question! Feel free to ask a follow-up.",
    "**Summary:** the proposal is feasible, with moderate cost and low risk.",
    "Sure, here is the translated text, keeping the original formatting.",
    "Based on the information provided, the most likely explanation is a configuration error.",
    "Certainly. Below is an example implementation and an explanation of how it works.",
]


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

LOG_MSGS = [
    "connection established to {h}",
    "request completed in {n} ms",
    "cache miss for key {k}",
    "retrying job {k} (attempt {n})",
    "worker {n} started",
    "health check ok",
    "slow query took {n} ms",
    "failed to reach {h}: timeout after {n} s",
    "user session expired",
    "scheduled task {k} finished",
    "disk usage at {n}%",
    "TLS handshake failed with {h}",
    "queue depth {n}",
    "reloading configuration",
    "out of memory in worker {n}",
    "deprecated endpoint called: /v1/{k}",
]


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

MARKETING = [
    "Introducing {p}: the fastest way to organise your team's work.",
    "Sign up today and get your first month free.",
    "Learn more at our website.",
    "Join thousands of happy customers who trust {p} every day.",
    "{c} today announced the general availability of {p}, a new platform for modern teams.",
    "Our award-winning support team is here for you 24/7.",
    "Limited-time offer: save 30% on annual plans.",
    "Follow us for news, tips and product updates.",
    "Built for speed. Designed for simplicity. Loved by teams everywhere.",
    "Download the free e-book and discover five ways to boost productivity.",
    "About {c}: {c} builds software that helps businesses grow. Visit our newsroom for more.",
    "Subscribe to our newsletter and never miss an update.",
    "Watch the webinar on demand and see {p} in action.",
    "Press contact: media relations team. All trademarks are the property of their owners.",
    "Now available in 12 languages and on every device.",
    "Try it free - no credit card required.",
]


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

COLORS = ["red", "green", "blue", "yellow", "purple", "orange", "black", "white", "teal", "grey"]
COUNTRIES = ["France", "Japan", "Brazil", "Kenya", "Canada", "India", "Norway", "Peru", "Egypt"]
ITEMS = ["widget", "bolt", "lamp", "chair", "mug", "cable", "notebook", "sensor", "valve", "gear"]


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
