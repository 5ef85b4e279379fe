"""What every parser shares: the report of bad rows, opening files, reading times.

A malformed row never stops a run and never loses the rows after it: the parser records a
:class:`Problem` (file, line, what was wrong, never the row's content) and goes on.
"""

from __future__ import annotations

import gzip
import io
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import IO

from dataward.errors import SourceError
from dataward.monitor.event import AccessEvent, PrincipalKind

MAX_PROBLEMS = 1000
"""Problems kept in detail per run; more are counted only."""


@dataclass(frozen=True, slots=True)
class Problem:
    """One row that could not be used: where, and why (no content of the row)."""

    file: str
    line: int
    reason: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.reason}"


@dataclass(slots=True)
class ParseReport:
    """Rows read, events made, problems met."""

    rows: int = 0
    events: int = 0
    problems: list[Problem] = field(default_factory=list)
    problem_count: int = 0
    files: int = 0

    def problem(self, file: str | Path, line: int, reason: str) -> None:
        self.problem_count += 1
        if len(self.problems) < MAX_PROBLEMS:
            self.problems.append(Problem(str(file), line, reason))

    def to_dict(self) -> dict[str, object]:
        return {
            "files": self.files,
            "rows": self.rows,
            "events": self.events,
            "problems": self.problem_count,
            "details": [str(p) for p in self.problems],
        }


def expand(paths: Iterable[str | Path]) -> list[Path]:
    """Files of ``paths`` (directories walked, hidden files skipped), sorted; a missing path is
    an error at once (nothing was read yet)."""
    out: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            out.extend(
                p
                for p in sorted(path.rglob("*"))
                if p.is_file()
                and not any(part.startswith(".") for part in p.relative_to(path).parts)
            )
        elif path.is_file():
            out.append(path)
        else:
            raise SourceError(f"{path}: no such file or directory", path=str(path))
    return out


def open_text(path: Path) -> IO[str]:
    """A text stream of ``path`` (gunzipped when it ends in ``.gz``, as CloudTrail delivers)."""
    if path.suffix == ".gz":
        return io.TextIOWrapper(
            gzip.open(path, "rb"), encoding="utf-8", errors="replace", newline=""
        )
    return path.open(encoding="utf-8", errors="replace", newline="")


def lines(path: Path) -> Iterator[tuple[int, str]]:
    """Numbered lines of ``path`` without their line ends."""
    with open_text(path) as fh:
        for number, line in enumerate(fh, 1):
            yield number, line.rstrip("\r\n")


def parse_time(value: object) -> datetime:
    """An ISO 8601 time, Snowflake's ``2024-01-02 03:04:05.678 -0800``, or epoch milliseconds;
    ``ValueError`` otherwise."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        seconds = value / 1000 if value > 1e11 else value
        return datetime.fromtimestamp(seconds, UTC)
    if not isinstance(value, str) or not value.strip():
        raise ValueError("no time")
    text = value.strip()
    if text.isdigit():
        return parse_time(int(text))
    if text.endswith("Z"):
        text = text[:-1] + "+00:00"
    # Snowflake writes "2024-01-02 03:04:05.678 -0800" (a space before the offset).
    if len(text) > 6 and text[-6] == " " and text[-5] in "+-" and text[-4:].isdigit():
        text = text[:-6] + text[-5:-2] + ":" + text[-2:]
    if text.endswith(" UTC"):
        text = text[:-4] + "+00:00"
    moment = datetime.fromisoformat(text)
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


# Names that say a principal is a program, not a person: SVC_ETL, etl-job, airflow@..., bots.
# Bounded, no nested quantifiers: linear on any name.
_SERVICE = re.compile(
    r"(^|[^a-z])(svc|service|sa|job|jobs|etl|bot|pipeline|airflow|dbt|spark|app)([^a-z]|$)"
)


def principal_kind(name: str, hint: str | None = None) -> PrincipalKind:
    """``service`` or ``human`` from the source's hint (``hint`` ``service``/``human``) or the
    name (``SVC_TRAINING``, ``etl-nightly``); ``human`` for a name with an ``@`` and no
    service word."""
    if hint == "service":
        return "service"
    if hint == "human":
        return "human"
    return "service" if _SERVICE.search(name.lower()) else "human"


def as_int(value: object) -> int | None:
    """An integer count or ``None`` (empty, null, not a number)."""
    if value is None or value == "":
        return None
    try:
        return int(float(str(value)))
    except ValueError:
        return None


@dataclass(slots=True)
class Parsed:
    """Events in time order, the sensitivity tags the source declared, and the report."""

    events: list[AccessEvent] = field(default_factory=list)
    tags: dict[str, set[str]] = field(default_factory=dict)
    """``OBJECT.COLUMN`` (or ``OBJECT``) → tags such as ``PII_HIGH``."""
    report: ParseReport = field(default_factory=ParseReport)

    names: dict[str, str] = field(default_factory=dict)
    """Object keys already masked in this parse (:meth:`masked`)."""

    def masked(self, path: str) -> str:
        """``path`` (an S3 prefix) with any value a detector finds in it as ``<ENTITY>``: a key
        can be named by an e-mail, and objects reach alerts and the audit log."""
        found = self.names.get(path)
        if found is None:
            from dataward.detect.api import masked_path

            found = self.names[path] = masked_path(path)
        return found

    def add_tag(self, target: str, tag: str) -> None:
        self.tags.setdefault(target.upper(), set()).add(tag.upper())
