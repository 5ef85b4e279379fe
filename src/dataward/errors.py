"""The one error tree of Dataward.

::

    DatawardError
     ├── ConfigError (ValueError)        bad settings, config files, custom detector files
     │    └── UnknownNameError (KeyError) a registry name that does not exist ("did you mean")
     ├── DetectorError                   a detector failed to compile or run
     ├── SourceError (OSError)           input that cannot be read: missing, binary, bad encoding
     ├── ProtectError                    an operator could not protect a value
     │    ├── KeyringError               a key file, key version or KMS failed
     │    └── RevealError                a protected value could not be reversed
     ├── PolicyError                     policy files and evaluation
     │    └── TokenError                 a go token is malformed, forged, expired or stale
     └── AuditError                      the audit log failed a check

Every error carries its context as attributes and pickles across processes.
A message never contains a sensitive value; use :func:`dataward.redaction.preview`.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any


class DatawardError(Exception):
    """Base of every error Dataward raises on purpose."""

    exit_code = 1

    def __init__(self, message: str, **context: Any) -> None:
        super().__init__(message)
        self.message = message
        self.context = context
        for key, value in context.items():
            setattr(self, key, value)

    def __reduce__(self) -> tuple[Any, ...]:
        return (_rebuild, (type(self), self.message, self.context))

    def __str__(self) -> str:
        return self.message


def _rebuild(cls: type[DatawardError], message: str, context: dict[str, Any]) -> DatawardError:
    err = cls.__new__(cls)
    DatawardError.__init__(err, message, **context)
    return err


class ConfigError(DatawardError, ValueError):
    """A setting, config file or custom detector file is invalid."""

    exit_code = 2


class UnknownNameError(ConfigError, KeyError):
    """A name is not in a registry; the message lists close matches."""

    kind: str
    name: str
    suggestions: list[str]

    def __init__(self, kind: str, name: str, known: Iterable[str]) -> None:
        import difflib

        known = sorted(known)
        close = difflib.get_close_matches(name, known, n=3, cutoff=0.6)
        hint = f" Did you mean {', '.join(repr(c) for c in close)}?" if close else ""
        where = _LISTED_BY.get(kind)
        if where is not None:
            listing = f"Known: {len(known)} ({where})."
        elif len(known) <= 20:
            listing = f"Known: {', '.join(known)}."
        else:
            listing = f"Known: {len(known)} (see the docs)."
        super().__init__(
            f"Unknown {kind} {name!r}.{hint} {listing}",
            kind=kind,
            name=name,
            suggestions=close,
        )

    def __str__(self) -> str:  # KeyError would otherwise quote the message
        return self.message


def yaml_problem(exc: Exception) -> str:
    """Where and why a YAML document failed to parse (``line 3, column 9: expected ...``),
    without the excerpt PyYAML quotes around the mark: that line may hold a secret (a webhook
    URL, an API token)."""
    problem = getattr(exc, "problem", None) or type(exc).__name__
    mark = getattr(exc, "problem_mark", None)
    if mark is None:
        return str(problem)
    return f"line {mark.line + 1}, column {mark.column + 1}: {problem}"


# Where the names of a registry kind are listed when there are too many to print: a command
# that exists (a test checks each against the CLI) or a docs page.
_LISTED_BY = {
    "entity": "list them with `dataward entities`",
    "policy pack": "list them with `dataward policy packs`",
    "detector": "docs/detector-catalog.md lists them",
}


class DetectorError(DatawardError):
    """A detector could not be compiled or failed while running."""


class SourceError(DatawardError, OSError):
    """An input cannot be read: missing, binary, badly encoded or malformed."""

    exit_code = 3


class ProtectError(DatawardError):
    """An operator could not protect a value (the value itself is never in the message)."""


class KeyringError(ProtectError):
    """A key file, a key version or a key management service failed."""


class RevealError(ProtectError):
    """A protected value could not be reversed: wrong key, wrong context or not a token."""


class PolicyError(DatawardError):
    """A policy is invalid or could not be evaluated."""


class TokenError(PolicyError):
    """A go token is malformed, forged, expired or no longer holds."""


class AuditError(DatawardError):
    """The audit log failed verification or could not be written."""

    exit_code = 4
