"""A synthetic Snowflake account with habits, for the bench, the tests and the docs.

Principals belong to peer groups (roles) and have habits: the tables they read (a personal
subset of their group's), the hours they work, their usual row counts, their office network
and client. Weeks of history come first; in the last days the scenario injects anomalies of
each kind the detector knows (a volume spike, an off-hours read, a first read of a sensitive
column, a new network, a breadth sweep, a service account used from the web UI, a job reading
a column its approval does not cover) and benign novelties (a new hire reading what peers
read, late but usual work). Every injected query id is labelled, so recall, false alerts and
alerts on benign novelties can be counted.

The files are the ``ACCOUNT_USAGE`` views as CSV exports with Snowflake's column names.
Deterministic for a seed. The values in it are made up; query texts hold no real literal.
"""

from __future__ import annotations

import csv
import json
import random
import uuid
import zlib
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TypedDict

from dataward.store import Store

DB = "PROD.SALES"
TABLES = {
    "ANALYST": ["ORDERS", "ORDER_ITEMS", "PRODUCTS", "STORES", "RETURNS", "PROMOTIONS"],
    "DATA_SCIENTIST": ["FEATURES_CHURN", "EVENTS", "ORDERS", "PRODUCTS", "SESSIONS_WEB"],
    "ML_JOB": ["FEATURES_CHURN", "LABELS_CHURN"],
}
EXTRA_TABLES = [
    "CUSTOMERS",
    "PAYMENTS",
    "PATIENTS",
    "PAYROLL",
    "HR_REVIEWS",
    "LEGAL_HOLDS",
    "AUDIT_NOTES",
    "SUPPLIERS",
]
COLUMNS = {
    "ORDERS": ["ORDER_ID", "CUSTOMER_ID", "AMOUNT", "ORDERED_AT"],
    "ORDER_ITEMS": ["ORDER_ID", "PRODUCT_ID", "QTY"],
    "PRODUCTS": ["PRODUCT_ID", "NAME", "PRICE"],
    "STORES": ["STORE_ID", "CITY"],
    "RETURNS": ["ORDER_ID", "REASON"],
    "PROMOTIONS": ["PROMO_ID", "DISCOUNT"],
    "FEATURES_CHURN": ["CUSTOMER_ID", "TENURE", "SPEND_90D", "EMAIL"],
    "LABELS_CHURN": ["CUSTOMER_ID", "CHURNED"],
    "EVENTS": ["EVENT_ID", "KIND", "AT"],
    "SESSIONS_WEB": ["SESSION_ID", "PAGES"],
    "CUSTOMERS": ["CUSTOMER_ID", "NAME", "EMAIL", "SSN", "BANK_ACCOUNT"],
    "PAYMENTS": ["PAYMENT_ID", "CARD_NUMBER", "AMOUNT"],
    "PATIENTS": ["PATIENT_ID", "DIAGNOSIS", "DOB"],
    "PAYROLL": ["EMPLOYEE_ID", "SALARY", "BANK_ACCOUNT"],
    "HR_REVIEWS": ["EMPLOYEE_ID", "RATING"],
    "LEGAL_HOLDS": ["CASE_ID", "NOTE"],
    "AUDIT_NOTES": ["NOTE_ID", "TEXT"],
    "SUPPLIERS": ["SUPPLIER_ID", "NAME"],
}
TAGS = {
    "CUSTOMERS.SSN": "PII_HIGH",
    "CUSTOMERS.EMAIL": "PII",
    "CUSTOMERS.NAME": "PII",
    "CUSTOMERS.BANK_ACCOUNT": "PCI",
    "PAYMENTS.CARD_NUMBER": "PCI",
    "PATIENTS.DIAGNOSIS": "PHI",
    "PATIENTS.DOB": "PHI",
    "PAYROLL.SALARY": "CONFIDENTIAL",
    "PAYROLL.BANK_ACCOUNT": "PCI",
    "FEATURES_CHURN.EMAIL": "PII",
}
QH = ["QUERY_ID", "QUERY_TEXT", "DATABASE_NAME", "SCHEMA_NAME", "QUERY_TYPE", "SESSION_ID",
      "USER_NAME", "ROLE_NAME", "EXECUTION_STATUS", "START_TIME", "END_TIME", "BYTES_SCANNED",
      "ROWS_PRODUCED", "USER_TYPE"]  # fmt: skip
AH = ["QUERY_ID", "QUERY_START_TIME", "USER_NAME", "DIRECT_OBJECTS_ACCESSED",
      "BASE_OBJECTS_ACCESSED", "OBJECTS_MODIFIED", "PARENT_QUERY_ID", "ROOT_QUERY_ID"]  # fmt: skip
SE = ["SESSION_ID", "CREATED_ON", "USER_NAME", "AUTHENTICATION_METHOD", "LOGIN_EVENT_ID",
      "CLIENT_APPLICATION_ID", "CLIENT_APPLICATION_VERSION"]  # fmt: skip
LH = ["EVENT_ID", "EVENT_TIMESTAMP", "EVENT_TYPE", "USER_NAME", "CLIENT_IP",
      "REPORTED_CLIENT_TYPE", "FIRST_AUTHENTICATION_FACTOR", "IS_SUCCESS"]  # fmt: skip
TR = ["TAG_DATABASE", "TAG_SCHEMA", "TAG_NAME", "TAG_VALUE", "OBJECT_DATABASE", "OBJECT_SCHEMA",
      "OBJECT_NAME", "DOMAIN", "COLUMN_NAME"]  # fmt: skip


class Grant(TypedDict):
    """A training approval the scenario logs: a principal, a dataset, maybe only columns."""

    principal: str
    dataset: str
    columns: list[str] | None


@dataclass(slots=True)
class Person:
    name: str
    role: str
    service: bool
    tables: list[str]
    hours: tuple[int, int]
    rows: int
    net: str
    client: str
    start_day: int = 0


@dataclass(slots=True)
class Scenario:
    """What was written: the folder, the events, and the labelled query ids."""

    folder: Path
    events: int = 0
    anomalies: dict[str, list[str]] = field(default_factory=dict)
    """Kind → query ids of injected anomalies."""
    benign: dict[str, list[str]] = field(default_factory=dict)
    """Kind → query ids of benign novelties (new hire, late but usual work)."""
    start: datetime = datetime(2026, 1, 5, tzinfo=UTC)
    approvals: list[Grant] = field(default_factory=list)
    """Training decisions to log before the run: principal, dataset, columns."""


class _Writer:
    def __init__(self, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        self.files = {}
        self.writers = {}
        for name, header in (
            ("QUERY_HISTORY", QH),
            ("ACCESS_HISTORY", AH),
            ("SESSIONS", SE),
            ("LOGIN_HISTORY", LH),
            ("TAG_REFERENCES", TR),
        ):
            fh = (folder / f"{name}.csv").open("w", newline="", encoding="utf-8")
            self.files[name] = fh
            w = csv.writer(fh)
            w.writerow(header)
            self.writers[name] = w

    def close(self) -> None:
        for fh in self.files.values():
            fh.close()


def _ts(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M:%S.%f")[:-3] + " +0000"


def generate(
    folder: Path,
    *,
    people: int = 12,
    services: int = 3,
    weeks: int = 3,
    queries_per_day: int = 12,
    seed: int = 7,
    anomalies: bool = True,
) -> Scenario:
    """Write a scenario's CSV exports into ``folder``."""
    rng = random.Random(seed)
    out = Scenario(folder)
    w = _Writer(folder)
    for key, value in TAGS.items():
        table, column = key.split(".")
        w.writers["TAG_REFERENCES"].writerow(
            ["GOV", "TAGS", "SENSITIVITY", value, "PROD", "SALES", table, "COLUMN", column]
        )
    staff: list[Person] = []
    for i in range(people):
        role = "ANALYST" if i % 2 == 0 else "DATA_SCIENTIST"
        pool = TABLES[role]
        late = i == 2
        staff.append(
            Person(
                name=f"{'ANA' if role == 'ANALYST' else 'DS'}_{i:03d}",
                role=role,
                service=False,
                tables=rng.sample(pool, k=min(len(pool), rng.randint(3, 5))),
                hours=(13, 23) if late else (7 + rng.randint(0, 2), 17 + rng.randint(0, 2)),
                rows=rng.choice([200, 500, 1200, 3000]),
                net=f"10.{10 + i % 2}.{i % 2}",
                client="PYTHON_DRIVER" if role == "DATA_SCIENTIST" else "JDBC_DRIVER",
            )
        )
    for j in range(services):
        staff.append(
            Person(
                f"SVC_TRAIN_{j}",
                "ML_JOB",
                True,
                list(TABLES["ML_JOB"]),
                (0, 24),
                50_000,
                "10.99.0",
                "PYTHON_DRIVER",
            )
        )
    hire = Person(
        "ANA_NEWHIRE",
        "ANALYST",
        False,
        TABLES["ANALYST"][:3],
        (9, 17),
        800,
        "10.10.0",
        "JDBC_DRIVER",
        start_day=weeks * 7 - 3,
    )
    staff.append(hire)
    counter = [0]
    login_of: dict[str, str] = {}

    def query(
        p: Person,
        when: datetime,
        tables: list[str],
        rows: int,
        *,
        client: str | None = None,
        ip: str | None = None,
        columns: list[str] | None = None,
    ) -> str:
        counter[0] += 1
        qid = f"01b{seed:02d}{counter[0]:09d}-0000-{zlib.crc32(p.name.encode()) % 10000:04d}"
        ip = ip or f"{p.net}.{10 + counter[0] % 3}"
        client = client or p.client
        sess_key = f"{p.name}|{ip}|{client}|{when.date()}"
        session = login_of.get(sess_key)
        if session is None:
            session = str(100000 + len(login_of))
            login_of[sess_key] = session
            login_id = str(900000 + len(login_of))
            w.writers["LOGIN_HISTORY"].writerow(
                [
                    login_id,
                    _ts(when - timedelta(seconds=5)),
                    "LOGIN",
                    p.name,
                    ip,
                    client,
                    "PASSWORD" if not p.service else "RSA_KEYPAIR",
                    "YES",
                ]
            )
            w.writers["SESSIONS"].writerow(
                [
                    session,
                    _ts(when - timedelta(seconds=4)),
                    p.name,
                    "PASSWORD",
                    login_id,
                    client,
                    "3.14.0",
                ]
            )

        def _cols(t: str) -> list[str]:
            if columns is not None and len(tables) == 1:
                return columns
            return COLUMNS[t][: 2 + counter[0] % 2] if not p.service else COLUMNS[t][:2]

        objs: list[dict[str, object]] = []
        for t in tables:
            cols = _cols(t)
            objs.append(
                {
                    "objectDomain": "Table",
                    "objectName": f"PROD.SALES.{t}",
                    "objectId": zlib.crc32(t.encode()) % 10**6,
                    "columns": [{"columnId": k, "columnName": c} for k, c in enumerate(cols)],
                }
            )
        selected = ", ".join(c for t in tables for c in _cols(t))
        text = f"select {selected} from {', '.join('PROD.SALES.' + t for t in tables)} where x = ?"
        w.writers["QUERY_HISTORY"].writerow(
            [
                qid,
                text,
                "PROD",
                "SALES",
                "SELECT",
                session,
                p.name,
                p.role,
                "SUCCESS",
                _ts(when),
                _ts(when + timedelta(seconds=2)),
                rows * 120,
                rows,
                "SERVICE" if p.service else "PERSON",
            ]
        )
        w.writers["ACCESS_HISTORY"].writerow(
            [qid, _ts(when), p.name, json.dumps(objs), json.dumps(objs), "[]", "", ""]
        )
        out.events += 1
        return qid

    days = weeks * 7
    for day in range(days):
        date = out.start + timedelta(days=day)
        weekday = date.weekday() < 5
        for p in staff:
            if day < p.start_day:
                continue
            if p.service:
                for hour in range(0, 24, 2):
                    when = date + timedelta(hours=hour, minutes=rng.randint(0, 5))
                    query(p, when, p.tables, int(p.rows * rng.uniform(0.9, 1.1)))
                continue
            if not weekday:
                continue
            for _ in range(max(1, int(rng.gauss(queries_per_day, 3)))):
                start, end = p.hours
                when = date + timedelta(hours=rng.uniform(start, end - 0.1))
                qid = query(
                    p,
                    when,
                    [rng.choice(p.tables)],
                    max(1, int(p.rows * rng.lognormvariate(0, 0.4))),
                )
                if p is hire and day == p.start_day:
                    out.benign.setdefault("new_hire", []).append(qid)
    # The last weekday of the history: injected anomalies and benign novelties.
    last = out.start + timedelta(days=days - 1)
    while last.weekday() >= 5:
        last -= timedelta(days=1)
    if anomalies:
        ana, ds = staff[0], staff[1]
        at = last + timedelta(hours=11)
        out.anomalies["volume"] = [query(ana, at, [ana.tables[0]], ana.rows * 200)]
        out.anomalies["off_hours"] = [
            query(staff[4], last + timedelta(hours=3), [staff[4].tables[0]], staff[4].rows)
        ]
        out.anomalies["sensitive_column"] = [
            query(
                ds,
                at + timedelta(minutes=5),
                ["CUSTOMERS"],
                900,
                columns=["CUSTOMER_ID", "SSN", "BANK_ACCOUNT"],
            )
        ]
        out.anomalies["new_network"] = [
            query(
                staff[6],
                at + timedelta(minutes=7),
                [staff[6].tables[0]],
                staff[6].rows,
                ip="203.0.113.77",
            )
        ]
        sweep = [
            query(staff[8], at + timedelta(minutes=10 + k), [t], 80_000, columns=COLUMNS[t])
            for k, t in enumerate(EXTRA_TABLES[2:8])
        ]
        out.anomalies["breadth_sweep"] = sweep
        svc = staff[people]
        out.anomalies["service_interactive"] = [
            query(
                svc,
                at + timedelta(minutes=20),
                svc.tables[:1],
                100,
                client="SNOWFLAKE_UI",
                ip="10.99.0.10",
            )
        ]
        job = staff[people + 1]
        out.anomalies["columns_outside_approval"] = [
            query(
                job,
                at + timedelta(minutes=30),
                ["FEATURES_CHURN"],
                50_000,
                columns=["CUSTOMER_ID", "EMAIL", "SSN_HASH"],
            )
        ]
    night = staff[2]
    out.benign["late_but_usual"] = [
        query(night, last + timedelta(hours=22), [night.tables[0]], night.rows)
    ]
    for svc in staff[people : people + services]:
        for table in TABLES["ML_JOB"]:
            cols = (
                ["CUSTOMER_ID", "TENURE"]
                if svc is staff[people + 1] and table == "FEATURES_CHURN"
                else None
            )
            out.approvals.append(
                {"principal": svc.name, "dataset": f"PROD.SALES.{table}", "columns": cols}
            )
    w.close()
    return out


def log_approvals(store: Store, scenario: Scenario) -> list[str]:
    """Log the scenario's training decisions in ``store`` (allowed, from its start, no expiry)
    as the policy engine logs them; their ids."""
    from dataward.policy.decision import Decision
    from dataward.policy.records import log_decisions
    from dataward.policy.request import digest

    decisions = []
    when = scenario.start.strftime("%Y-%m-%dT%H:%M:%SZ")
    for grant in scenario.approvals:
        columns = grant["columns"]
        resources = (
            [{"type": "Dataset", "id": grant["dataset"]}]
            if columns is None
            else [{"type": "Column", "id": c, "parent": grant["dataset"]} for c in columns]
        )
        for resource in resources:
            request = {
                "principal": {"type": "ServiceAccount", "id": grant["principal"]},
                "action": "train",
                "resource": resource,
                "context": {
                    "purpose": "churn_model",
                    "time": when,
                    "job_id": f"job-{grant['principal']}",
                },
            }
            decisions.append(
                Decision(
                    decision_id=str(uuid.uuid4()),
                    effect="allow",
                    evaluated_effect="allow",
                    obligations=(),
                    approvals=(),
                    reasons=("scenario.training",),
                    mode="enforce",
                    point="training",
                    policy_revision="scenario",
                    input_digest=digest(request),
                    timestamp=when,
                    expires_at=None,
                    input=request,
                )
            )
    log_decisions(store, decisions)
    return [d.decision_id for d in decisions]
