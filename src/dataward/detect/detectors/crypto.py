"""Cryptocurrency wallet addresses, reported where a checksum proves them.

Base58Check addresses (Bitcoin P2PKH/P2SH, Litecoin, Dogecoin, Tron, XRP) carry a 32-bit
checksum; segwit addresses (bech32, bech32m) a 30-bit one; mixed-case Ethereum addresses the
EIP-55 checksum. Single-case Ethereum addresses carry none: they score lower and gain from context.
"""

from __future__ import annotations

import base58

from dataward.detect.base import PatternDetector
from dataward.detect.model import Pattern
from dataward.detect.registry import register
from dataward.detect.validators import base58check_payload, eip55_ok, segwit_decode

_B58 = "[1-9A-HJ-NP-Za-km-z]"
_XRP = "[rpshnaf39wBUDNEGHJKLM4PQRST7VWXYZ2bcdeCg65jkm8oFqi1tuvAxyz]"

# First character -> version bytes it can carry (Base58Check, 21-byte payloads).
_VERSIONS: dict[str, frozenset[int]] = {
    "1": frozenset({0x00}),  # Bitcoin P2PKH
    "3": frozenset({0x05}),  # Bitcoin / Litecoin P2SH
    "L": frozenset({0x30}),  # Litecoin P2PKH
    "M": frozenset({0x32}),  # Litecoin P2SH
    "D": frozenset({0x1E}),  # Dogecoin P2PKH
    "A": frozenset({0x16}),  # Dogecoin P2SH
    "9": frozenset({0x16}),
    "T": frozenset({0x41}),  # Tron
}
_SEGWIT_HRPS = ("bc", "ltc")


@register("crypto")
class CryptoDetector(PatternDetector):
    entity = "CRYPTO"
    patterns = (
        Pattern("base58check", rf"[13LMDA9T]{_B58}{{25,34}}", 0.95),
        Pattern("xrp", rf"r{_XRP}{{24,34}}", 0.9),
        Pattern("segwit", r"(?:bc|ltc)1[02-9ac-hj-np-z]{6,87}", 0.95, ignore_case=True),
        Pattern("ethereum", r"0x[0-9a-fA-F]{40}", 0.95),
    )
    context = {
        "en": ("wallet", "address", "crypto", "cryptocurrency", "send", "deposit", "withdraw"),
        "de": ("wallet", "adresse", "krypto", "kryptowährung", "geldbörse"),
        "fr": ("portefeuille", "adresse", "crypto", "cryptomonnaie"),
        "es": ("billetera", "cartera", "monedero", "dirección", "cripto", "criptomoneda"),
        "it": ("portafoglio", "indirizzo", "cripto", "criptovaluta"),
        "any": (
            "bitcoin",
            "btc",
            "ethereum",
            "eth",
            "ether",
            "litecoin",
            "ltc",
            "dogecoin",
            "doge",
            "xrp",
            "ripple",
            "tron",
            "trx",
            "usdt",
            "usdc",
            "erc20",
            "trc20",
            "metamask",
            "satoshi",
            "wei",
            "gwei",
        ),
    }
    negative_context = {"en": ("commit", "sha", "hash", "digest", "checksum")}
    validator = "address-checksum"

    def validate(self, value: str, pattern: Pattern) -> float | None:
        if pattern.name == "base58check":
            payload = base58check_payload(value)
            if payload is None or len(payload) != 21 or payload[0] not in _VERSIONS[value[0]]:
                return None
            return pattern.score
        if pattern.name == "xrp":
            payload = base58check_payload(value, alphabet=base58.XRP_ALPHABET)
            if payload is None or len(payload) != 21 or payload[0] != 0:
                return None
            return pattern.score
        if pattern.name == "segwit":
            hrp = value[: value.index("1")].lower()
            return pattern.score if hrp in _SEGWIT_HRPS and segwit_decode(hrp, value) else None
        body = value[2:]
        if body.islower() or body.isupper() or body.isdigit():
            if len(set(body)) <= 2:
                return None  # 0x000...0 and friends: sentinel values, not wallets
            return 0.55 if not body.isupper() else 0.45
        return pattern.score if eip55_ok(value) else None
