"""The key ring: versioned master keys, rotation, per-purpose sub-keys, a local key file.

One master key serves every keyed operator: sub-keys are derived per purpose (``hash``,
``token``, ``fpe``, ``encrypt``, ``date-shift``, ``surrogate``) and context with HKDF-SHA256
(RFC 5869), so a hash key never doubles as an encryption key. Rotation adds a new version and
makes it primary; old versions stay for reversing what they protected.

The key file (``DATAWARD_HOME/keys.json``) is created on first use with mode 0600 and rewritten
atomically. The store records the ring's fingerprint (never a key) against the file's location,
so a deleted or replaced key file is an error with the fix instead of a silent new ring
(:mod:`dataward.keys.records`). With a :class:`~dataward.keys.kms.Kms` the master keys
are stored wrapped (envelope encryption) and the file holds no usable key material.

Key material never appears in ``repr``, ``str``, logs or error messages.
"""

from __future__ import annotations

import base64
import json
import os
import threading
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.hashes import SHA256
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from dataward.errors import KeyringError
from dataward.keys.files import create_exclusively, read_private, replace_atomically
from dataward.keys.kms import Kms, kms_from_description
from dataward.keys.records import check_missing, register

KEYRING_FILE = "keys.json"
FORMAT = "dataward-keyring"
MASTER_KEY_BYTES = 32
_SALT = b"dataward/keyring/v1"


@dataclass(frozen=True, slots=True)
class MasterKey:
    """One version of the master key; ``material`` is left out of ``repr``."""

    version: int
    created: str
    material: bytes = field(repr=False)

    def __post_init__(self) -> None:
        if self.version < 1:
            raise KeyringError("key versions start at 1", version=self.version)
        if len(self.material) < 16:
            raise KeyringError("a master key must be at least 16 bytes", version=self.version)


def _now() -> str:
    return datetime.now(UTC).replace(microsecond=0).isoformat()


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


class KeyRing:
    """Versioned master keys with one primary version, and the sub-keys derived from them.

    >>> ring = KeyRing.from_secret(b"correct horse battery staple!!!!")
    >>> ring.primary, len(ring.subkey("hash"))
    (1, 32)
    >>> ring
    KeyRing(versions=[1], primary=1)
    """

    __slots__ = ("_cache", "_keys", "_kms", "_lock", "_path", "_primary")

    def __init__(
        self,
        keys: Iterable[MasterKey],
        primary: int | None = None,
        *,
        path: Path | None = None,
        kms: Kms | None = None,
    ) -> None:
        self._keys = {k.version: k for k in keys}
        if not self._keys:
            raise KeyringError("a key ring needs at least one key")
        self._primary = max(self._keys) if primary is None else primary
        if self._primary not in self._keys:
            raise KeyringError(f"primary key version {self._primary} is not in the ring")
        self._path = path
        self._kms = kms
        self._cache: dict[tuple[str, int, str, int], bytes] = {}
        self._lock = threading.Lock()

    # -- construction ---------------------------------------------------------------------------

    @classmethod
    def generate(cls) -> KeyRing:
        """A new in-memory ring with one random key (nothing is written)."""
        return cls([MasterKey(1, _now(), os.urandom(MASTER_KEY_BYTES))])

    @classmethod
    def from_secret(cls, secret: bytes, version: int = 1) -> KeyRing:
        """An in-memory ring from known key material (tests, or a key from a secret store)."""
        return cls([MasterKey(version, _now(), bytes(secret))])

    @classmethod
    def load_or_create(
        cls, home: str | os.PathLike[str] | None = None, *, kms: Kms | None = None
    ) -> KeyRing:
        """The ring in ``home/keys.json`` (default ``DATAWARD_HOME``), created on first use."""
        if home is None:
            from dataward.settings import get_settings

            home = get_settings().home
        path = Path(home) / KEYRING_FILE
        if not path.exists():
            # A ring the store knows was kept here: its loss is an error, not a new ring.
            check_missing(path)
            ring = cls([MasterKey(1, _now(), os.urandom(MASTER_KEY_BYTES))], path=path, kms=kms)
            # Two processes may race to create the file: the first link wins, the other loads it.
            if create_exclusively(path, ring._serialize()):
                register(ring.fingerprint, path)
                return ring
        ring = cls.load(path, kms=kms)
        register(ring.fingerprint, path)  # rings made before the store recorded them, too
        return ring

    @classmethod
    def load(cls, path: str | os.PathLike[str], *, kms: Kms | None = None) -> KeyRing:
        """Read a key file; wrapped keys are unwrapped with ``kms`` or the KMS the file names."""
        path = Path(path)
        try:
            doc = json.loads(read_private(path))
        except (ValueError, UnicodeDecodeError):
            raise KeyringError(f"{path} is not a Dataward key file", path=str(path)) from None
        if not isinstance(doc, dict) or doc.get("format") != FORMAT:
            raise KeyringError(f"{path} is not a Dataward key file", path=str(path))
        if kms is None and isinstance(doc.get("kms"), dict):
            kms = kms_from_description(doc["kms"])
        keys = []
        try:
            for entry in doc["keys"]:
                version = int(entry["version"])
                if "wrapped" in entry:
                    if kms is None:
                        raise KeyringError(
                            f"{path} holds wrapped keys: pass the KMS that wrapped them",
                            path=str(path),
                        )
                    material = kms.unwrap(base64.b64decode(entry["wrapped"]), _context(version))
                else:
                    material = base64.b64decode(entry["material"])
                keys.append(MasterKey(version, str(entry.get("created", "")), material))
            primary = int(doc["primary"])
        except (KeyError, TypeError, ValueError):
            raise KeyringError(f"{path} is a damaged key file", path=str(path)) from None
        return cls(keys, primary, path=path, kms=kms)

    # -- use ------------------------------------------------------------------------------------

    @property
    def primary(self) -> int:
        """The version new values are protected with."""
        return self._primary

    @property
    def fingerprint(self) -> str:
        """A public id of the ring: an HKDF value of its first master key (so rotation keeps it),
        from which no key can be derived. The store records it (:mod:`.records`)."""
        return self.subkey("keyring-fingerprint", version=min(self._keys), length=16).hex()

    @property
    def versions(self) -> list[int]:
        return sorted(self._keys)

    @property
    def path(self) -> Path | None:
        return self._path

    def __contains__(self, version: object) -> bool:
        return version in self._keys

    def subkey(
        self, purpose: str, *, version: int | None = None, context: str = "", length: int = 32
    ) -> bytes:
        """HKDF-SHA256 sub-key of master ``version`` (default: primary) for purpose and context."""
        if not purpose:
            raise KeyringError("a sub-key needs a purpose")
        version = self._primary if version is None else version
        cache_key = (purpose, version, context, length)
        cached = self._cache.get(cache_key)
        if cached is not None:
            return cached
        master = self._keys.get(version)
        if master is None:
            raise KeyringError(
                f"key version {version} is not in the key ring (versions: {self.versions})",
                version=version,
            )
        info = b"dataward\x00" + purpose.encode() + b"\x00" + context.encode()
        key = HKDF(algorithm=SHA256(), length=length, salt=_SALT, info=info).derive(master.material)
        with self._lock:
            self._cache[cache_key] = key
        return key

    def rotate(self) -> int:
        """Add a new master key version, make it primary, save the file; return the version."""
        with self._lock:
            version = max(self._keys) + 1
            self._keys[version] = MasterKey(version, _now(), os.urandom(MASTER_KEY_BYTES))
            self._primary = version
        if self._path is not None:
            replace_atomically(self._path, self._serialize())
        return version

    def save(self, path: str | os.PathLike[str] | None = None) -> Path:
        """Write the ring (0600, atomically) to ``path`` or the file it was loaded from."""
        target = Path(path) if path is not None else self._path
        if target is None:
            raise KeyringError("this key ring has no file: pass a path")
        replace_atomically(target, self._serialize())
        self._path = target
        return target

    def _serialize(self) -> bytes:
        doc: dict[str, Any] = {"format": FORMAT, "format_version": 1, "primary": self._primary}
        if self._kms is not None:
            doc["kms"] = self._kms.describe()
        entries = []
        for key in sorted(self._keys.values(), key=lambda k: k.version):
            entry: dict[str, Any] = {"version": key.version, "created": key.created}
            if self._kms is not None:
                entry["wrapped"] = _b64(self._kms.wrap(key.material, _context(key.version)))
            else:
                entry["material"] = _b64(key.material)
            entries.append(entry)
        doc["keys"] = entries
        return json.dumps(doc, indent=2).encode() + b"\n"

    def __repr__(self) -> str:
        where = f", path={str(self._path)!r}" if self._path is not None else ""
        return f"KeyRing(versions={self.versions}, primary={self._primary}{where})"

    __str__ = __repr__

    def __reduce__(self) -> tuple[Any, ...]:
        # Pickles (for worker processes) carry the keys but never the KMS client.
        return (KeyRing, (list(self._keys.values()), self._primary))


def _context(version: int) -> dict[str, str]:
    return {"purpose": "dataward-master-key", "version": str(version)}
