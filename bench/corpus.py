"""A seeded, generated corpus for throughput benchmarks: prose, logs, code and records.

Values are synthetic (checksums computed here, fake hosts and names). The mix is mostly
non-sensitive text with sensitive values sprinkled in, as in real pipelines.
"""

from __future__ import annotations

import random
import string
from collections.abc import Iterator

WORDS = [
    "the",
    "patient",
    "reported",
    "a",
    "mild",
    "headache",
    "after",
    "the",
    "second",
    "dose",
    "and",
    "was",
    "advised",
    "to",
    "rest",
    "model",
    "training",
    "finished",
    "with",
    "loss",
    "accuracy",
    "epoch",
    "batch",
    "gradient",
    "checkpoint",
    "saved",
    "customer",
    "asked",
    "about",
    "the",
    "invoice",
    "delivery",
    "shipment",
    "refund",
    "status",
    "next",
    "week",
    "please",
    "der",
    "Kunde",
    "hat",
    "die",
    "Rechnung",
    "erhalten",
    "und",
    "bittet",
    "um",
    "Rückruf",
    "le",
    "client",
    "a",
    "reçu",
    "la",
    "facture",
    "el",
    "cliente",
    "recibió",
    "la",
    "factura",
    "il",
    "cliente",
    "ha",
    "ricevuto",
    "la",
    "fattura",
]


def _luhn_complete(prefix: str, length: int, rng: random.Random) -> str:
    body = prefix + "".join(rng.choice(string.digits) for _ in range(length - len(prefix) - 1))
    total = 0
    for i, ch in enumerate(reversed(body)):
        d = int(ch)
        if i % 2 == 0:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return body + str((10 - total % 10) % 10)


def _iban(rng: random.Random) -> str:
    bank = "".join(rng.choice(string.digits) for _ in range(18))
    numeric = int(bank + "131400")  # D=13 E=14 + "00"
    check = 98 - numeric % 97
    return f"DE{check:02d}{bank}"


def _value(rng: random.Random) -> str:
    kind = rng.randrange(12)
    if kind == 0:
        return f"{rng.choice(WORDS)}.{rng.choice(WORDS)}{rng.randint(1, 99)}@example.com"
    if kind == 1:
        card = _luhn_complete(rng.choice(["4", "51", "55", "37"]), 16, rng)
        return " ".join(card[i : i + 4] for i in range(0, 16, 4))
    if kind == 2:
        return f"{rng.randint(100, 665)}-{rng.randint(10, 99)}-{rng.randint(1000, 9999)}"
    if kind == 3:
        return f"+1 {rng.randint(201, 989)} 555 {rng.randint(1000, 9999)}"
    if kind == 4:
        return _iban(rng)
    if kind == 5:
        return ".".join(str(rng.randint(1, 254)) for _ in range(4))
    if kind == 6:
        return f"{rng.randint(1, 28)}/{rng.randint(1, 12)}/{rng.randint(1940, 2020)}"
    if kind == 7:
        return "AKIA" + "".join(rng.choice(string.ascii_uppercase + "234567") for _ in range(16))
    if kind == 8:
        secret = "".join(rng.choice(string.ascii_letters + string.digits) for _ in range(14))
        return f"password={secret}"
    if kind == 9:
        return f"order {rng.randint(10**8, 10**10)}"
    if kind == 10:
        return f"{rng.randint(0, 23):02d}:{rng.randint(0, 59):02d}:{rng.randint(0, 59):02d}"
    return f"v{rng.randint(0, 9)}.{rng.randint(0, 20)}.{rng.randint(0, 99)}"


def records(total_bytes: int, seed: int = 20261127, pii_rate: float = 0.3) -> Iterator[str]:
    """Yield text records until about ``total_bytes`` of UTF-8 have been produced."""
    rng = random.Random(seed)
    produced = 0
    while produced < total_bytes:
        n = rng.randint(8, 60)
        words = [rng.choice(WORDS) for _ in range(n)]
        if rng.random() < pii_rate:
            for _ in range(rng.randint(1, 3)):
                words.insert(rng.randrange(len(words) + 1), _value(rng))
        if rng.random() < 0.2:
            words.insert(
                0, f"2026-11-{rng.randint(1, 27):02d}T{rng.randint(0, 23):02d}:00:00Z INFO"
            )
        text = " ".join(words)
        produced += len(text.encode()) + 1
        yield text
