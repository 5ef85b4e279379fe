"""What is known about a resource's sensitivity: the classification a decision needs, the check
of the tags a request names, and the messages that explain both.

A ``Dataset`` or ``Column`` resource is classified when the resolver (the catalog) knows it
exactly, or when the request declares a sensitive tag for it (:func:`classify_resource`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Literal

from dataward.errors import PolicyError

ClassificationStatus = Literal["classified", "not_classified", "needs_scan"]
NOT_CLASSIFIED: ClassificationStatus = "not_classified"
NEEDS_SCAN: ClassificationStatus = "needs_scan"


class UnknownTagError(PolicyError):
    """A request names a tag or category that no taxonomy entry, category or dataset tag has
    (a usage error: exit code 2 in the CLI, 400 in the service)."""

    exit_code = 2


@dataclass(frozen=True, slots=True)
class Classification:
    """What is known about a resource's sensitivity, and from where."""

    status: ClassificationStatus
    tags: tuple[str, ...] = ()
    source: str = "catalog"
    """``catalog`` (a scan), ``request`` (tags the caller declared) or ``resolver``."""
    detail: str = ""
    """One sentence for people; never a data value."""
    dataset_id: int | None = None
    path: str | None = None
    sampled: bool | None = None
    rows: int | None = None
    scanned_rows: int | None = None
    content_classes: tuple[str, ...] = ()
    """What the dataset is (``SOURCE_CODE``...), from the catalog: ``resource.content_classes``."""

    @property
    def classified(self) -> bool:
        return self.status == "classified"

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "status": self.status,
            "source": self.source,
            "tags": list(self.tags),
        }
        for key in ("detail", "dataset_id", "path", "sampled", "rows", "scanned_rows"):
            value = getattr(self, key)
            if value not in (None, ""):
                out[key] = value
        return out


TagResolver = Callable[[str], "list[str] | Classification"]
"""Resource id -> its classification; a plain list of tags means classified with those tags
(an empty list: not classified)."""


@lru_cache(maxsize=1)
def _entity_categories() -> dict[str, tuple[str, ...]]:
    from dataward.taxonomy import taxonomy
    from dataward.taxonomy.vocabulary import CATEGORIES

    out = {t.name: t.categories for t in taxonomy()}
    out.update({c: (c,) for c in CATEGORIES})
    return out


def check_tags(tags: Iterable[str], where: str, extra: Iterable[str] = ()) -> None:
    """Raise :class:`UnknownTagError` for the first tag that is no taxonomy name, category,
    dataset tag or ``extra`` name (the string literals of the active policies: your own
    policies may use tags of your own), with the closest known names."""
    from dataward.taxonomy import did_you_mean, known_tags

    known = known_tags() | frozenset(extra)
    for tag in tags:
        if tag not in known:
            raise UnknownTagError(
                f"{where}: unknown tag {tag!r}.{did_you_mean(tag, known)} Tags are entity types, "
                "categories or dataset tags (`dataward entities` lists them)",
                field=where,
            )


def _resolve(resolver: TagResolver | None, rid: str) -> Classification:
    if resolver is None:
        return Classification(
            NOT_CLASSIFIED, source="resolver", detail="no catalog was consulted for this dataset"
        )
    got = resolver(rid)
    if isinstance(got, Classification):
        return got
    if got:
        return Classification("classified", tuple(got), source="resolver")
    return Classification(
        NOT_CLASSIFIED, source="resolver", detail="the tag resolver knows no tags for it"
    )


_SENSITIVE = frozenset(
    {"PII", "PHI", "PCI", "SECRET", "CREDENTIAL", "GOVERNMENT_ID", "FINANCIAL", "SPECIAL_CATEGORY"}
)


def _is_sensitive_tag(tag: str) -> bool:
    """A dataset tag other than ``PUBLIC``, or a tag of a sensitive category (``US_SSN``)."""
    if tag in ("PII_HIGH", "CONFIDENTIAL"):
        return True
    return bool(categories_of([tag]) & _SENSITIVE)


def classify_resource(
    resolver: TagResolver | None, rid: str, declared: Iterable[str]
) -> Classification:
    """The classification of dataset ``rid``: the resolver's when it knows the dataset; else the
    request's declared tags, for a dataset the catalog does not hold, when one is sensitive (a
    dataset tag other than ``PUBLIC``, or a type or category of personal, health, card, secret
    or financial data: only a scan may call a dataset public, and a label of your own says
    nothing about sensitivity); else not classified."""
    found = _resolve(resolver, rid)
    if found.classified or found.dataset_id is not None:
        return found  # a cataloged dataset that needs a scan is not classified by a declaration
    sensitive = sorted(t for t in set(declared) if _is_sensitive_tag(t))
    if sensitive:
        return Classification(
            "classified",
            tuple(sensitive),
            source="request",
            detail="tags declared in the request (the catalog does not know the dataset)",
        )
    return found


def categories_of(tags: Iterable[str]) -> set[str]:
    """Taxonomy categories of tags that are entity types or categories (``PII_HIGH`` → PII)."""
    known = _entity_categories()
    out: set[str] = set()
    for tag in tags:
        if tag in known:
            out.update(known[tag])
        else:
            head = tag.split("_", 1)[0]
            if head in known and known[head] == (head,):
                out.add(head)
    return out


def classification_messages(c: Classification | None, reasons: Sequence[str]) -> tuple[str, ...]:
    """Why an unclassified dataset was stopped, and how the dataset was classified."""
    if c is None:
        return ()
    if not c.classified:
        if c.status not in reasons:
            return ()
        why = f": {c.detail}" if c.detail else ""
        return (
            f"the dataset is not classified ({c.status}{why}); scan it with `dataward scan` "
            "and name it by its path or catalog id",
        )
    if c.source != "catalog":
        return (f"classified from {c.detail or c.source}",)
    if c.sampled:
        return (
            f"classified by a sampled scan: {c.scanned_rows or 0:,} of {c.rows or 0:,} rows "
            "looked at",
        )
    return (f"classified by a scan of every row ({c.rows or 0:,} rows)",)
