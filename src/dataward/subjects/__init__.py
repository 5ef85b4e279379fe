"""Data subjects: where a person's records are, erasing them everywhere, and consent.

- :mod:`~dataward.subjects.index`: the subject index (keyed hashes of identifiers per dataset
  version, never the identifiers), :func:`find`;
- :mod:`~dataward.subjects.erase`: erasure plans, carried out, verified and certified;
- :mod:`~dataward.subjects.consent`: consent withdrawn by subject or purpose, and what it
  invalidates;
- :mod:`~dataward.subjects.certificates`: signed deletion certificates named in the audit log.
"""

from __future__ import annotations

from dataward.subjects.certificates import Certificate, load_certificate, verify_certificate
from dataward.subjects.erase import ErasurePlan, ErasureResult, execute, plan
from dataward.subjects.hashing import DEFAULT_ENTITIES, SubjectConfig, SubjectError
from dataward.subjects.index import Location, find, index_file, index_paths, indexed

__all__ = [
    "DEFAULT_ENTITIES",
    "Certificate",
    "ErasurePlan",
    "ErasureResult",
    "Location",
    "SubjectConfig",
    "SubjectError",
    "execute",
    "find",
    "index_file",
    "index_paths",
    "indexed",
    "load_certificate",
    "plan",
    "verify_certificate",
]
