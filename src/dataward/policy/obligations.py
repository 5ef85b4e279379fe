"""Obligations: the transformations that lift a ``forbid`` policy, and what ``protect`` calls them.

A forbid policy names what lifts it in an annotation, ``@obligation("tokenize:PHI")``, and checks
for it in its ``unless`` clause (``context.transforms.contains("tokenize:PHI")``). Alternatives are
separated by ``|``: ``@obligation("tokenize:PHI | deidentify:PHI")``. A transform is
``VERB:TARGET`` where the target is a taxonomy category (``PHI``) or entity type (``US_SSN``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

OPERATORS: dict[str, str] = {
    "tokenize": "token",
    "pseudonymize": "token",
    "encrypt": "encrypt",
    "fpe": "fpe",
    "hash": "hash",
    "mask": "mask",
    "redact": "redact",
    "deidentify": "redact",
    "anonymize": "redact",
    "replace": "replace",
    "nullify": "nullify",
    "suppress": "suppress",
}
"""Obligation verb → Dataward protect operator name."""

_TRANSFORM_RE = re.compile(r"[a-z][a-z0-9_-]*:[A-Za-z][A-Za-z0-9_.-]*")


@dataclass(frozen=True, slots=True)
class Obligation:
    """A transformation to apply before the request is allowed."""

    transform: str
    """As policies name it: ``tokenize:PHI``."""
    operator: str
    """The protect operator that performs it: ``token``."""
    target: str
    """Category or entity type it applies to: ``PHI``."""
    policies: tuple[str, ...]
    """Ids of the policies it lifts."""

    def to_dict(self) -> dict[str, Any]:
        return {
            "transform": self.transform,
            "operator": self.operator,
            "target": self.target,
            "policies": list(self.policies),
        }


def parse_obligation(value: str) -> list[str]:
    """The alternative transforms of an ``@obligation`` annotation; ValueError when malformed."""
    alternatives = [part.strip() for part in value.split("|")]
    for alt in alternatives:
        if not _TRANSFORM_RE.fullmatch(alt):
            raise ValueError(
                f"@obligation({value!r}): {alt!r} is not VERB:TARGET, e.g. 'tokenize:PHI'"
            )
        verb = alt.split(":", 1)[0]
        if verb not in OPERATORS:
            known = ", ".join(sorted(OPERATORS))
            raise ValueError(f"@obligation({value!r}): unknown verb {verb!r} (known: {known})")
    return alternatives


def obligation(transform: str, policies: tuple[str, ...]) -> Obligation:
    verb, target = transform.split(":", 1)
    return Obligation(transform, OPERATORS.get(verb, verb), target, policies)
