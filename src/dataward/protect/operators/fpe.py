"""``fpe``: format-preserving encryption (NIST FF3-1), reversible with the key."""

from __future__ import annotations

import string
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

from dataward.errors import ConfigError, ProtectError, RevealError
from dataward.protect.base import KeyedOperator, operators
from dataward.protect.ff3 import FF3Cipher
from dataward.protect.fpe_versions import FpeVersions

ALPHABETS: dict[str, str] = {
    "digits": string.digits,
    "lower": string.ascii_lowercase,
    "upper": string.ascii_uppercase,
    "letters": string.ascii_uppercase + string.ascii_lowercase,
    "alnum-lower": string.digits + string.ascii_lowercase,
    "alnum-upper": string.digits + string.ascii_uppercase,
    "alnum": string.digits + string.ascii_uppercase + string.ascii_lowercase,
}
_DIGITS = frozenset(string.digits)
_DOUBLE = (0, 2, 4, 6, 8, 1, 3, 5, 7, 9)  # Luhn contribution of a doubled digit
_UNDOUBLE = tuple(_DOUBLE.index(c) for c in range(10))


def luhn_residue(digits: str) -> int:
    """Luhn sum mod 10 (0 for a valid number)."""
    total = 0
    for j, ch in enumerate(reversed(digits)):
        d = ord(ch) - 48
        total += _DOUBLE[d] if j % 2 else d
    return total % 10


def _recorded_version(found: list[int], asked: int | None, context: str) -> int:
    """The version to decrypt with, given those recorded for the value."""
    if not found:
        raise RevealError(
            "fpe: this value was not made by fpe with this key ring, context "
            f"({context!r}) and alphabet (Dataward records the key version of each FPE value "
            "it makes); check --context and --param, or, for values protected before versions "
            "were recorded, pass --param key_version=N --param verify_version=false",
            operator="fpe",
        )
    if asked is None:
        if len(found) > 1:
            raise RevealError(
                f"fpe: this value was made with key versions {found} (two originals share it); "
                "pass --param key_version=N",
                operator="fpe",
                versions=found,
            )
        return found[0]
    if asked not in found:
        made = found[0] if len(found) == 1 else found
        raise RevealError(
            f"fpe: this value was protected with key version {made}, not {asked}: reveal it "
            "with that version (or without --param key_version)",
            operator="fpe",
            version=asked,
        )
    return asked


@operators.register("fpe")
@dataclass(frozen=True, slots=True, kw_only=True)
class FpeOperator(KeyedOperator):
    """Encrypt the characters of ``alphabet`` in place with FF3-1; all other characters
    (separators, spaces, letters of a digits-only alphabet) stay where they are.

    The output has the input's length and shape, so schemas and validators keep working, and
    the key reverses it. ``keep_first``/``keep_last`` leave that many alphabet characters in
    clear (a card's BIN and last four). ``luhn=True`` (digits only) keeps the Luhn check:
    the last encrypted position is recomputed so the output is Luhn-valid exactly when the
    input was, and the original comes back on reversal. The tweak is derived from the key and
    ``context``. Values with fewer alphabet characters than FF3-1's minimum (6 digits, 4
    alphanumerics) raise, or are masked with ``on_short="mask"``; very long values are
    encrypted in chunks.

    >>> from dataward.keys import KeyRing
    >>> op = FpeOperator(keyring=KeyRing.from_secret(b"k" * 32), luhn=True)
    >>> out = op.apply("4111-1111-1111-1111")
    >>> len(out), out[4::5], luhn_residue(out.replace("-", "")), op.reverse(out)
    (19, '---', 0, '4111-1111-1111-1111')
    """

    name = "fpe"
    purpose = "fpe"
    reversible = True

    alphabet: str = "digits"
    """A name from ALPHABETS, or the characters themselves (at least two, all distinct)."""
    keep_first: int = 0
    keep_last: int = 0
    luhn: bool = False
    on_short: Literal["error", "mask"] = "error"
    verify_version: bool = True
    """Reveal checks the key version recorded for the value (see
    :mod:`dataward.protect.fpe_versions`); ``False`` only for values made before versions were
    recorded, with ``key_version`` given."""
    _chars: str = field(init=False, repr=False, compare=False)
    _versions: list[FpeVersions | None] = field(
        init=False, default_factory=list, repr=False, compare=False
    )
    _ciphers: dict[int, tuple[FF3Cipher, bytes]] = field(
        init=False, default_factory=dict, repr=False, compare=False
    )

    def __post_init__(self) -> None:
        chars = ALPHABETS.get(self.alphabet, self.alphabet)
        if len(chars) < 2 or len(set(chars)) != len(chars) or len(chars) > 256:
            raise ConfigError(
                f"fpe: alphabet must be one of {', '.join(ALPHABETS)} or 2..256 distinct characters"
            )
        if self.luhn and chars != ALPHABETS["digits"]:
            raise ConfigError("fpe: luhn=True needs alphabet='digits'")
        if self.keep_first < 0 or self.keep_last < 0:
            raise ConfigError("fpe: keep_first and keep_last must be >= 0")
        if self.on_short not in ("error", "mask"):
            raise ConfigError("fpe: on_short must be 'error' or 'mask'")
        object.__setattr__(self, "_chars", chars)

    def _cipher(self, version: int) -> tuple[FF3Cipher, bytes]:
        pair = self._ciphers.get(version)
        if pair is None:
            ring = self.ring()
            cipher = FF3Cipher(self.key(32, version), self._chars)
            tweak = ring.subkey("fpe-tweak", version=version, context=self.context, length=7)
            pair = self._ciphers[version] = (cipher, tweak)
        return pair

    def _recorder(self) -> FpeVersions | None:
        """Where this operator's outputs are recorded with their key version: only with the
        deployment's key ring (one loaded from its key file)."""
        if not self._versions:
            ring = self.ring()
            recorder = None if ring.path is None else FpeVersions(ring, self.context, self._chars)
            self._versions.append(recorder)
        return self._versions[0]

    def apply(self, value: str, entity: str | None = None) -> str:
        version = self.version()
        out = self._transform(value, version, encrypt=True)
        recorder = self._recorder()
        if recorder is not None:
            recorder.note((out,), version)
        return out

    def apply_many(self, values: Sequence[str], entity: str | None = None) -> list[str | None]:
        out = self._apply_many(values, self.version())
        recorder = self._recorder()
        if recorder is not None:
            recorder.note(out, self.version())
        return out

    def _apply_many(self, values: Sequence[str], version: int) -> list[str | None]:
        cipher, tweak = self._cipher(version)
        chars = self._chars
        if chars == ALPHABETS["digits"] and not (self.keep_first or self.keep_last or self.luhn):
            lo, hi, encrypt, slow = cipher.minlen, cipher.maxlen, cipher.encrypt, self._transform
            # The common case: all digits, nothing kept.
            return [
                encrypt(v, tweak)
                if v.isdigit() and v.isascii() and lo <= len(v) <= hi
                else slow(v, version, encrypt=True)
                for v in values
            ]
        if self.luhn and not (self.keep_first or self.keep_last):
            lo, hi, encrypt, slow = cipher.minlen, cipher.maxlen, cipher.encrypt, self._transform
            out: list[str | None] = []
            for v in values:
                if v.isdigit() and v.isascii() and lo < len(v) <= hi + 1:
                    body = encrypt(v[:-1], tweak)
                    # The check digit (not doubled) restores the input's Luhn residue.
                    need = (luhn_residue(v) - luhn_residue(body + "0")) % 10
                    out.append(body + str(need))
                else:
                    out.append(slow(v, version, encrypt=True))
            return out
        return [self._transform(v, version, encrypt=True) for v in values]

    def prefetch_versions(self, values: Sequence[str | None]) -> None:
        """Look up the recorded key versions of many values at once (file reveal)."""
        recorder = self._recorder() if self.verify_version else None
        if recorder is not None:
            recorder.prefetch(values)

    def reverse(self, value: str, version: int | None = None) -> str:
        """Decrypt with the key version recorded for ``value`` (a given ``version`` or
        ``key_version`` must match it). FF3-1 output carries no version and no integrity check,
        so with the deployment's key ring the version comes from the store (see
        :mod:`dataward.protect.fpe_versions`): an unknown value or another version raises
        :class:`RevealError` instead of giving a wrong value of the same shape. An in-memory
        ring (or ``verify_version=False``) decrypts with the given version or the primary."""
        asked = version if version is not None else self.key_version
        recorder = self._recorder() if self.verify_version else None
        if recorder is not None:
            asked = _recorded_version(recorder.versions(value), asked, self.context)
        return self._transform(value, self.version() if asked is None else asked, False)

    def _transform(self, value: str, version: int, encrypt: bool) -> str:
        cipher, tweak = self._cipher(version)
        chars = self._chars
        positions = [i for i, ch in enumerate(value) if ch in chars]
        lo, hi = self.keep_first, len(positions) - self.keep_last
        if self.luhn:
            hi -= 1  # the last free digit is recomputed to keep the Luhn residue
        body = positions[lo:hi] if hi > lo else []
        if len(body) < cipher.minlen:
            if self.on_short == "mask":
                return "".join("*" if ch in chars else ch for ch in value)
            raise ProtectError(
                f"fpe: a value has {len(body)} characters to encrypt, FF3-1 needs at least "
                f"{cipher.minlen} (use on_short='mask' or another operator)",
                operator=self.name,
            )
        text = "".join(value[i] for i in body)
        out = self._crypt(cipher, tweak, text, encrypt)
        result = list(value)
        for i, ch in zip(body, out, strict=True):
            result[i] = ch
        if self.luhn:
            self._fix_luhn(value, result, positions[hi])
        return "".join(result)

    @staticmethod
    def _crypt(cipher: FF3Cipher, tweak: bytes, text: str, encrypt: bool) -> str:
        run = cipher.encrypt if encrypt else cipher.decrypt
        n = len(text)
        if n <= cipher.maxlen:
            return run(text, tweak)
        parts = -(-n // cipher.maxlen)  # ceil: equal chunks, each >= maxlen / 2 >= minlen
        bounds = [n * k // parts for k in range(parts + 1)]
        out = []
        for k in range(parts):
            chunk_tweak = bytes(b ^ (k if j == 6 else 0) for j, b in enumerate(tweak))
            out.append(run(text[bounds[k] : bounds[k + 1]], chunk_tweak))
        return "".join(out)

    @staticmethod
    def _fix_luhn(original: str, result: list[str], at: int) -> None:
        """Set digit ``at`` so ``result`` has the Luhn residue of ``original``."""
        target = luhn_residue("".join(c for c in original if c in _DIGITS))
        result[at] = "0"
        digits = [c for c in result if c in _DIGITS]
        rest = luhn_residue("".join(digits))
        from_right = sum(1 for i in range(at + 1, len(result)) if result[i] in _DIGITS)
        need = (target - rest) % 10
        result[at] = str(_UNDOUBLE[need] if from_right % 2 else need)
