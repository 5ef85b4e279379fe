"""A deterministic local embedding: the hashing trick over lower-cased word tokens.

No model to download and the same vector on every machine, so tests and benchmarks are
reproducible. Real deployments pass their own embedding function (``embed=`` of
:class:`dataward.rag.retrieval.RagIndex`): any callable from a list of texts to vectors.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

import numpy as np

DIM = 256


class HashingEmbedder:
    """Texts to unit vectors of ``dim`` floats: each token adds ±1 at a hashed position."""

    def __init__(self, dim: int = DIM) -> None:
        if dim < 2:
            raise ValueError("dim must be at least 2")
        self.dim = dim

    def __call__(self, texts: Sequence[str]) -> np.ndarray:
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for row, text in enumerate(texts):
            for token in _tokens(text):
                h = int.from_bytes(hashlib.blake2b(token.encode(), digest_size=8).digest(), "big")
                out[row, h % self.dim] += 1.0 if (h >> 63) else -1.0
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        norms[norms == 0] = 1.0
        normalized: np.ndarray = out / norms
        return normalized


def _tokens(text: str) -> list[str]:
    """Lower-cased runs of letters and digits (one linear pass, no regular expression)."""
    words = "".join(c if c.isalnum() else " " for c in text.lower())
    return words.split()
