"""Protecting a folder: ``IN`` → ``OUT`` with the same relative layout, every file protected by
:func:`~dataward.protect.files.protect_file` (atomic and verified, one file at a time).

Fail closed: every file under ``IN`` is looked at first (hidden ones too); a file no format can
read and write back (a PDF, a zip, an ORC file, an unreadable one) stops the run before
anything is written, naming the files, unless ``skip_unsupported=True`` (then they are listed
in the report and left out of ``OUT``: never copied unprotected).

Resume: ``OUT/.dataward-protect.json`` records, per output, the SHA-256 of its input, of the
output and of the run's settings (rules, key ring, verification, the decision's id, Dataward's
version). A file is skipped when its input, its output and the settings are unchanged, so a
run stopped half way (Ctrl-C, a bad file) goes on where it stopped. The record of a file is
written only after its output was verified and renamed into place.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from dataward.errors import ConfigError, SourceError
from dataward.keys.ring import KeyRing
from dataward.policy.evidence import RECEIPT, RESUME_RECORD, decision_ref
from dataward.protect.files import BATCH_ROWS, FileReport, Progress, output_format, protect_file
from dataward.protect.plan import ProtectPlan, RulesLike, as_config
from dataward.protect.protector import Protector
from dataward.sources.output import atomic_file

MANIFEST = RESUME_RECORD
"""The resume record in the output folder (not part of the folder's version, see
:func:`dataward.policy.evidence.folder_sha256`)."""


class UnsupportedFilesError(SourceError):
    """Files in the input folder that cannot be protected; nothing was written."""


@dataclass(slots=True)
class FolderReport:
    """What a folder run did; holds no values (file names are the input's own)."""

    input: str
    output: str
    files: list[FileReport] = field(default_factory=list)
    resumed: list[str] = field(default_factory=list)
    """Relative paths skipped because their output was complete for the same input."""
    unsupported: dict[str, str] = field(default_factory=dict)
    """Relative path → why it cannot be protected (left out of the output)."""

    def to_dict(self) -> dict[str, Any]:
        return {
            "input": self.input,
            "output": self.output,
            "files": [f.to_dict() for f in self.files],
            "resumed": self.resumed,
            "unsupported": self.unsupported,
        }


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(1 << 20):
            digest.update(chunk)
    return "sha256:" + digest.hexdigest()


def _files(root: Path) -> list[str]:
    """Every file under ``root`` (hidden ones too), and every link to a folder (not followed),
    as sorted relative POSIX paths."""
    found: list[str] = []
    errors: list[OSError] = []
    for dirpath, dirnames, filenames in os.walk(root, onerror=errors.append):
        dirnames.sort()
        base = Path(dirpath)
        found.extend((base / n).relative_to(root).as_posix() for n in filenames)
        found.extend(
            (base / n).relative_to(root).as_posix() for n in dirnames if (base / n).is_symlink()
        )
    if errors:
        exc = errors[0]
        raise SourceError(
            f"{exc.filename or root}: cannot list the folder ({exc.strerror or exc})",
            path=str(exc.filename or root),
        )
    return sorted(found)


def survey(root: Path) -> tuple[list[str], dict[str, str]]:
    """The files under ``root`` that can be protected, and why each other one cannot."""
    from dataward.sources import open_source

    supported: list[str] = []
    unsupported: dict[str, str] = {}
    for rel in _files(root):
        path = root / rel
        if path.is_dir():
            unsupported[rel] = "a symbolic link to a folder (not followed)"
            continue
        try:
            source = open_source(path)
            output_format(source, path)
        except (SourceError, ConfigError) as exc:
            unsupported[rel] = str(exc).removeprefix(f"{path}: ")
            continue
        supported.append(rel)
    return supported, unsupported


def _chosen(root: Path, skip_unsupported: bool) -> tuple[list[str], dict[str, str]]:
    """The files a run protects (:func:`survey`'s); unsupported ones stop it unless skipped."""
    supported, unsupported = survey(root)
    if unsupported and not skip_unsupported:
        listed = "; ".join(f"{rel} ({why})" for rel, why in list(unsupported.items())[:10])
        more = f" and {len(unsupported) - 10} more" if len(unsupported) > 10 else ""
        raise UnsupportedFilesError(
            f"{root}: {len(unsupported)} file(s) cannot be protected: {listed}{more}; "
            "nothing was written (remove them, or pass --skip-unsupported to leave them out)",
            path=str(root),
            files=sorted(unsupported),
        )
    return supported, unsupported


def plan_folder(
    input: str | Path,
    rules: RulesLike = None,
    *,
    decision: Any = None,
    skip_unsupported: bool = False,
) -> list[tuple[str, ProtectPlan]]:
    """The plan of each file :func:`protect_folder` would protect (the same files, hidden ones
    too, in the same order), as (relative path, plan)."""
    from dataward.protect.plan import plan

    root = Path(input)
    if not root.is_dir():
        raise SourceError(f"{root}: no such folder", path=str(root))
    supported, _unsupported = _chosen(root, skip_unsupported)
    return [(rel, plan(root / rel, rules, decision=decision)) for rel in supported]


def _check_folders(input: Path, output: Path) -> None:
    if not input.is_dir():
        raise SourceError(f"{input}: no such folder", path=str(input))
    src, dst = input.resolve(), output.resolve()
    if src == dst or src in dst.parents or dst in src.parents:
        raise ConfigError(
            "OUTPUT must be a folder outside INPUT (and not one that holds it)", path=str(output)
        )
    if output.exists() and not output.is_dir():
        raise ConfigError(f"{output} is not a folder", path=str(output))


def _settings(rules: RulesLike, keyring: KeyRing, verify: bool | None, decision: Any) -> str:
    from dataward import __version__

    doc = {
        "config": as_config(rules).model_dump(mode="json"),
        "keyring": keyring.fingerprint,
        "primary": keyring.primary,
        "verify": verify,
        "decision": None if decision is None else decision_ref(decision).decision_id,
        "version": __version__,
    }
    text = json.dumps(doc, sort_keys=True, default=str, separators=(",", ":"))
    return "sha256:" + hashlib.sha256(text.encode()).hexdigest()


def _load_manifest(path: Path) -> dict[str, Any]:
    try:
        doc = json.loads(path.read_text("utf-8"))
    except (OSError, ValueError):
        return {}  # none yet, or unreadable: every file is done again
    files = doc.get("files") if isinstance(doc, dict) else None
    return files if isinstance(files, dict) else {}


def protect_folder(
    input: str | Path,
    output: str | Path,
    rules: RulesLike = None,
    *,
    keyring: KeyRing | None = None,
    batch_rows: int = BATCH_ROWS,
    verify: bool | None = None,
    decision: Any = None,
    skip_unsupported: bool = False,
    on_file: Callable[[str, int, int], None] | None = None,
    on_progress: Progress | None = None,
) -> FolderReport:
    """Protect every file under ``input`` into the same place under ``output`` (see the
    module docstring). ``on_file(relative path, number, total)`` is called before each file;
    ``on_progress`` with the rows done. With ``decision``, each output gets its receipt
    beside it (``name.receipt.json``)."""
    src_root, out_root = Path(input), Path(output)
    _check_folders(src_root, out_root)
    config = as_config(rules)
    ring = keyring if keyring is not None else KeyRing.load_or_create()
    supported, unsupported = _chosen(src_root, skip_unsupported)
    report = FolderReport(str(src_root), str(out_root), unsupported=unsupported)
    out_root.mkdir(parents=True, exist_ok=True)
    manifest_path = out_root / MANIFEST
    done = _load_manifest(manifest_path)
    settings = _settings(config, ring, verify, decision)
    for n, rel in enumerate(supported, 1):
        if on_file is not None:
            on_file(rel, n, len(supported))
        src, dst = src_root / rel, out_root / rel
        in_hash = sha256_file(src)
        entry = done.get(rel)
        if (
            isinstance(entry, dict)
            and entry.get("input_sha256") == in_hash
            and entry.get("settings") == settings
            and dst.is_file()
            and sha256_file(dst) == entry.get("output_sha256")
        ):
            report.resumed.append(rel)
            continue
        dst.parent.mkdir(parents=True, exist_ok=True)
        result = protect_file(
            src,
            dst,
            config,
            keyring=ring,
            protector=None if decision is not None else Protector(config, keyring=ring),
            batch_rows=batch_rows,
            on_progress=on_progress,
            verify=verify,
            decision=decision,
        )
        if result.receipt is not None:
            with atomic_file(dst.with_name(dst.name + RECEIPT)) as fh:
                fh.write((json.dumps(result.receipt, indent=2) + "\n").encode())
        report.files.append(result)
        done[rel] = {
            "input_sha256": in_hash,
            "output_sha256": sha256_file(dst),
            "settings": settings,
            "verify": result.verify.get("mode"),
        }
        with atomic_file(manifest_path) as fh:
            doc = {"version": 1, "files": done}
            fh.write((json.dumps(doc, indent=1, sort_keys=True) + "\n").encode())
    return report


__all__ = [
    "MANIFEST",
    "FolderReport",
    "UnsupportedFilesError",
    "plan_folder",
    "protect_folder",
    "survey",
]
