"""Envelope encryption: a key management service wraps and unwraps data keys.

The key ring's master keys are data keys; a :class:`Kms` keeps the key that encrypts them
(the key-encryption key, KEK) out of the key file. :class:`LocalKms` keeps its KEK in a local
file (or in memory); :class:`AwsKms` asks AWS KMS and needs the ``aws`` extra (boto3).
"""

from __future__ import annotations

import importlib
import json
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from dataward.errors import KeyringError
from dataward.keys.files import read_or_create_secret, read_private

_NONCE = 12


@runtime_checkable
class Kms(Protocol):
    """Wraps and unwraps data keys; the wrapping key never leaves the service."""

    @property
    def key_id(self) -> str: ...

    def wrap(self, data_key: bytes, context: Mapping[str, str]) -> bytes:
        """Encrypt ``data_key`` bound to ``context`` (it must be given again to unwrap)."""
        ...

    def unwrap(self, wrapped: bytes, context: Mapping[str, str]) -> bytes:
        """Decrypt a key from :meth:`wrap`; a wrong KEK or context raises KeyringError."""
        ...

    def describe(self) -> dict[str, str]:
        """What the key file records to find this KMS again (never key material)."""
        ...


def _aad(key_id: str, context: Mapping[str, str]) -> bytes:
    return json.dumps({"key_id": key_id, **context}, sort_keys=True).encode()


class LocalKms:
    """A KEK held locally: in a 0600 file (``load_or_create``) or given in memory."""

    __slots__ = ("_aead", "_key_id", "_path")

    def __init__(self, kek: bytes, *, key_id: str = "local", path: Path | None = None) -> None:
        if len(kek) != 32:
            raise KeyringError("a local KEK must be 32 bytes")
        self._aead = AESGCM(kek)
        self._key_id = key_id
        self._path = path

    @classmethod
    def load_or_create(cls, path: str | os.PathLike[str]) -> LocalKms:
        """Read the KEK at ``path``, creating it (0600, atomically) on first use."""
        path = Path(path)
        read_or_create_secret(path, lambda: os.urandom(32).hex().encode())
        return cls.load(path)

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> LocalKms:
        """Read the KEK at ``path``; a missing file is an error (never a new KEK, which could
        not unwrap the keys the old one wrapped)."""
        path = Path(path)
        if not path.exists():
            raise KeyringError(
                f"the local KMS key (KEK) {path} is missing: restore it from your backup; the "
                "key ring's keys are wrapped with it and cannot be read without it",
                path=str(path),
            )
        kek = read_private(path)
        try:
            raw = bytes.fromhex(kek.decode("ascii").strip())
        except ValueError:
            raise KeyringError(f"{path} does not hold a hex KEK", path=str(path)) from None
        return cls(raw, key_id=f"local:{path.name}", path=path)

    @property
    def key_id(self) -> str:
        return self._key_id

    def wrap(self, data_key: bytes, context: Mapping[str, str]) -> bytes:
        nonce = os.urandom(_NONCE)
        return nonce + self._aead.encrypt(nonce, data_key, _aad(self._key_id, context))

    def unwrap(self, wrapped: bytes, context: Mapping[str, str]) -> bytes:
        try:
            return self._aead.decrypt(
                wrapped[:_NONCE], wrapped[_NONCE:], _aad(self._key_id, context)
            )
        except (InvalidTag, ValueError):
            raise KeyringError(
                f"cannot unwrap a key with the local KMS {self._key_id!r}: wrong KEK or context",
                key_id=self._key_id,
            ) from None

    def describe(self) -> dict[str, str]:
        out = {"kind": "local", "key_id": self._key_id}
        if self._path is not None:
            out["path"] = str(self._path)
        return out

    def __repr__(self) -> str:
        return f"LocalKms(key_id={self._key_id!r})"


class AwsKms:
    """AWS KMS: ``Encrypt``/``Decrypt`` of data keys under a KMS key (extra ``dataward[aws]``).

    boto3 is imported on first use, so constructing this class never needs it.
    """

    __slots__ = ("_client", "_key_id", "_region")

    def __init__(self, key_id: str, *, region: str | None = None, client: Any = None) -> None:
        if not key_id:
            raise KeyringError("AwsKms needs a KMS key id, alias or ARN")
        self._key_id = key_id
        self._region = region
        self._client = client

    @property
    def key_id(self) -> str:
        return self._key_id

    def _kms(self) -> Any:
        if self._client is None:
            try:
                boto3 = importlib.import_module("boto3")
            except ImportError:
                raise KeyringError(
                    "AWS KMS needs boto3: install it with `pip install 'dataward[aws]'`",
                    key_id=self._key_id,
                ) from None
            self._client = boto3.client("kms", region_name=self._region)
        return self._client

    def _call(self, operation: str, **kwargs: Any) -> Any:
        try:
            return getattr(self._kms(), operation)(**kwargs)
        except KeyringError:
            raise
        except Exception as exc:  # botocore errors; their text never holds key material
            code = getattr(exc, "response", {}).get("Error", {}).get("Code", type(exc).__name__)
            raise KeyringError(
                f"AWS KMS {operation} failed for key {self._key_id!r}: {code}",
                key_id=self._key_id,
                code=code,
            ) from None

    def wrap(self, data_key: bytes, context: Mapping[str, str]) -> bytes:
        out = self._call(
            "encrypt", KeyId=self._key_id, Plaintext=data_key, EncryptionContext=dict(context)
        )
        return bytes(out["CiphertextBlob"])

    def unwrap(self, wrapped: bytes, context: Mapping[str, str]) -> bytes:
        out = self._call(
            "decrypt", KeyId=self._key_id, CiphertextBlob=wrapped, EncryptionContext=dict(context)
        )
        return bytes(out["Plaintext"])

    def describe(self) -> dict[str, str]:
        out = {"kind": "aws", "key_id": self._key_id}
        if self._region:
            out["region"] = self._region
        return out

    def __repr__(self) -> str:
        return f"AwsKms(key_id={self._key_id!r})"


def kms_from_description(desc: Mapping[str, str]) -> Kms:
    """Rebuild the KMS a key file names; a local KMS needs its KEK file path."""
    kind = desc.get("kind")
    if kind == "aws":
        return AwsKms(desc["key_id"], region=desc.get("region"))
    if kind == "local" and "path" in desc:
        return LocalKms.load(desc["path"])
    raise KeyringError(
        f"the key file names a {kind!r} KMS that cannot be rebuilt from the file: pass kms=...",
        kind=kind,
    )
