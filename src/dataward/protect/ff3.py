"""FF3-1 format-preserving encryption (NIST SP 800-38G Rev. 1, section 5.2).

A Feistel network of 8 rounds over numeral strings of radix 2..256 (here: an alphabet), with
AES as round function and a 56-bit tweak. The domain must hold at least one million values
(``radix ** minlen >= 10**6``); the longest message is ``2 * floor(log_radix(2**96))``.

The numeral halves are kept as integers: ``NUM_radix(REV(X))`` is the little-endian value of X,
so each round is one AES call and a modular addition.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from cryptography.hazmat.primitives.ciphers import Cipher, CipherContext, algorithms, modes

ROUNDS = 8
DOMAIN_MIN = 1_000_000


def split_tweak(tweak: bytes) -> tuple[bytes, bytes]:
    """(T_L, T_R) of a 56-bit FF3-1 tweak, or of a 64-bit FF3 tweak (for the FF3 test vectors)."""
    if len(tweak) == 7:
        left = tweak[:3] + bytes([tweak[3] & 0xF0])
        right = tweak[4:7] + bytes([(tweak[3] & 0x0F) << 4])
        return left, right
    if len(tweak) == 8:
        return tweak[:4], tweak[4:]
    raise ValueError("an FF3-1 tweak is 7 bytes (56 bits)")


@dataclass(frozen=True, slots=True)
class FF3Cipher:
    """FF3-1 over ``alphabet`` (its characters are the numerals 0..radix-1, in order)."""

    key: bytes = field(repr=False)
    alphabet: str
    minlen: int = field(init=False)
    maxlen: int = field(init=False)
    _ecb: CipherContext = field(init=False, repr=False, compare=False)
    _index: dict[str, int] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        radix = len(self.alphabet)
        if len(self.key) not in (16, 24, 32):
            raise ValueError("an FF3-1 key is 16, 24 or 32 bytes")
        if not 2 <= radix <= 256 or len(set(self.alphabet)) != radix:
            raise ValueError("an FF3-1 alphabet has 2..256 distinct characters")
        object.__setattr__(self, "minlen", math.ceil(math.log(DOMAIN_MIN) / math.log(radix)))
        object.__setattr__(self, "maxlen", 2 * math.floor(96 / math.log2(radix)))
        # CIPH uses the byte-reversed key (REVB(K)); ECB of one block is AES itself.
        ecb = Cipher(algorithms.AES(self.key[::-1]), modes.ECB()).encryptor()
        object.__setattr__(self, "_ecb", ecb)
        object.__setattr__(self, "_index", {c: i for i, c in enumerate(self.alphabet)})

    @property
    def radix(self) -> int:
        return len(self.alphabet)

    def _num_le(self, text: str) -> int:
        """NUM_radix(REV(text)): ``text[0]`` is the least significant numeral."""
        radix, index = len(self.alphabet), self._index
        n = 0
        for ch in reversed(text):
            n = n * radix + index[ch]
        return n

    def _str_le(self, n: int, m: int) -> str:
        """REV(STR^m_radix(n)), the inverse of :meth:`_num_le` for ``m`` numerals."""
        radix, alphabet = len(self.alphabet), self.alphabet
        out = []
        for _ in range(m):
            n, r = divmod(n, radix)
            out.append(alphabet[r])
        return "".join(out)

    def _check(self, text: str, tweak: bytes) -> None:
        if not self.minlen <= len(text) <= self.maxlen:
            raise ValueError(
                f"FF3-1 over radix {self.radix} takes {self.minlen}..{self.maxlen} numerals"
            )
        if len(tweak) not in (7, 8):
            raise ValueError("an FF3-1 tweak is 7 bytes (56 bits)")

    def _round_keys(self, tweak: bytes) -> list[bytes]:
        """REVB(W xor [i]^4) for each round i: the last four bytes of the reversed block."""
        left, right = split_tweak(tweak)
        out = []
        for i in range(ROUNDS):
            w = bytearray(right if i % 2 == 0 else left)
            w[3] ^= i
            out.append(bytes(reversed(w)))
        return out

    def encrypt(self, plaintext: str, tweak: bytes) -> str:
        self._check(plaintext, tweak)
        n = len(plaintext)
        u = (n + 1) // 2
        v = n - u
        radix = len(self.alphabet)
        mod_u, mod_v = radix**u, radix**v
        a, b = self._num_le(plaintext[:u]), self._num_le(plaintext[u:])
        update = self._ecb.update
        for i, w in enumerate(self._round_keys(tweak)):
            # P = W xor [i]^4 || [NUM(REV(B))]^12; S = REVB(CIPH(REVB(P))); y = NUM(S).
            y = int.from_bytes(update(b.to_bytes(12, "little") + w), "little")
            c = (a + y) % (mod_u if i % 2 == 0 else mod_v)
            a, b = b, c
        return self._str_le(a, u) + self._str_le(b, v)

    def decrypt(self, ciphertext: str, tweak: bytes) -> str:
        self._check(ciphertext, tweak)
        n = len(ciphertext)
        u = (n + 1) // 2
        v = n - u
        radix = len(self.alphabet)
        mod_u, mod_v = radix**u, radix**v
        a, b = self._num_le(ciphertext[:u]), self._num_le(ciphertext[u:])
        update = self._ecb.update
        keys = self._round_keys(tweak)
        for i in reversed(range(ROUNDS)):
            y = int.from_bytes(update(a.to_bytes(12, "little") + keys[i]), "little")
            c = (b - y) % (mod_u if i % 2 == 0 else mod_v)
            a, b = c, a
        return self._str_le(a, u) + self._str_le(b, v)
