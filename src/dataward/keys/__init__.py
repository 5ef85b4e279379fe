"""Key material, in one place: the key ring, KMS envelopes, key files and signing keys.

- :mod:`~dataward.keys.ring`: :class:`KeyRing`, versioned master keys and the per-purpose
  HKDF sub-keys every keyed operator and the catalog use (``DATAWARD_HOME/keys.json``);
- :mod:`~dataward.keys.kms`: envelope encryption of the master keys (:class:`LocalKms`,
  :class:`AwsKms`);
- :mod:`~dataward.keys.records`: the store's record of which ring protected its data, so a lost
  key file is an error (:func:`retire_keyring` gives a ring up on purpose);
- :mod:`~dataward.keys.signing`: the Ed25519 signing keys, one per :class:`SigningPurpose`
  (:data:`AUDIT` signs checkpoints and receipts, :data:`GO_TOKEN` signs go tokens);
- :mod:`~dataward.keys.files`: private files (0600 in a 0700 folder, written atomically).

>>> from dataward.keys import KeyRing
>>> KeyRing.from_secret(b"k" * 32).subkey("hash") == KeyRing.from_secret(b"k" * 32).subkey("hash")
True
"""

from __future__ import annotations

from dataward.keys.kms import AwsKms, Kms, LocalKms
from dataward.keys.records import retire_keyring
from dataward.keys.ring import KeyRing, MasterKey
from dataward.keys.signing import (
    AUDIT,
    GO_TOKEN,
    Signer,
    SigningPurpose,
    Verifier,
    load_signer,
)

__all__ = [
    "AUDIT",
    "GO_TOKEN",
    "AwsKms",
    "KeyRing",
    "Kms",
    "LocalKms",
    "MasterKey",
    "Signer",
    "SigningPurpose",
    "Verifier",
    "load_signer",
    "retire_keyring",
]
