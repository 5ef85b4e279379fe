"""RFC 6962 Merkle trees: hashes, tree heads, inclusion and consistency proofs.

Pure functions over bytes; nothing here touches the store, so receipts verify offline.

* leaf hash ``SHA-256(0x00 || data)``, node hash ``SHA-256(0x01 || left || right)``;
* the head of an empty tree is ``SHA-256("")``;
* a tree of ``n`` leaves splits at ``k``, the largest power of two smaller than ``n``.

Proofs are computed as lists of *ranges* ``(start, end)`` of leaves whose subtree hashes make
up the proof (:func:`inclusion_ranges`, :func:`consistency_ranges`), so a store can fetch the
few cached subtree hashes it needs (:func:`perfect_blocks`) instead of every leaf.

>>> leaves = [leaf_hash(bytes([i])) for i in range(7)]
>>> proof = inclusion_proof(3, leaves)
>>> verify_inclusion(leaves[3], 3, 7, proof, root(leaves))
True
>>> verify_consistency(3, 7, root(leaves[:3]), root(leaves), consistency_proof(3, leaves))
True
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence

EMPTY_ROOT = hashlib.sha256(b"").digest()
HASH_SIZE = 32

Range = tuple[int, int]
"""Leaves ``start`` (inclusive) to ``end`` (exclusive)."""


def leaf_hash(data: bytes) -> bytes:
    return hashlib.sha256(b"\x00" + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()


def split_point(n: int) -> int:
    """The largest power of two strictly smaller than ``n`` (``n >= 2``)."""
    return 1 << ((n - 1).bit_length() - 1)


def root(leaves: Sequence[bytes]) -> bytes:
    """The tree head (MTH) over leaf hashes, by the RFC's recursive definition."""
    if not leaves:
        return EMPTY_ROOT
    if len(leaves) == 1:
        return leaves[0]
    k = split_point(len(leaves))
    return node_hash(root(leaves[:k]), root(leaves[k:]))


# --- compact ranges: the right edge of a growing tree --------------------------------------

Node = tuple[int, int, bytes]
"""A complete subtree's hash: ``(level, index, hash)``; it covers leaves
``index * 2**level`` to ``(index + 1) * 2**level``."""


def frontier_append(frontier: list[bytes], size: int, leaf: bytes) -> list[Node]:
    """Append ``leaf`` to a tree of ``size`` leaves whose complete subtrees on the right edge are
    ``frontier`` (largest first; one per set bit of ``size``). Updates ``frontier`` in place and
    returns the complete subtrees (level >= 1) the new leaf completes."""
    h, level, s, done = leaf, 0, size, []
    while s & 1:
        h = node_hash(frontier.pop(), h)
        level += 1
        s >>= 1
        done.append((level, ((size + 1) >> level) - 1, h))
    frontier.append(h)
    return done


def frontier_root(frontier: Sequence[bytes]) -> bytes:
    """The tree head of the tree whose right-edge subtrees are ``frontier``."""
    if not frontier:
        return EMPTY_ROOT
    r = frontier[-1]
    for h in reversed(frontier[:-1]):
        r = node_hash(h, r)
    return r


def pack(frontier: Sequence[bytes]) -> bytes:
    return b"".join(frontier)


def unpack(blob: bytes) -> list[bytes]:
    return [blob[i : i + HASH_SIZE] for i in range(0, len(blob), HASH_SIZE)]


# --- proofs as ranges -----------------------------------------------------------------------


def inclusion_ranges(index: int, size: int) -> list[Range]:
    """The subtrees of an inclusion proof (RFC 6962 §2.1.1 PATH), leaf level first."""
    if not 0 <= index < size:
        raise ValueError(f"leaf index {index} is outside a tree of size {size}")
    out: list[Range] = []
    start, end = 0, size
    while end - start > 1:
        k = split_point(end - start)
        if index < start + k:
            out.append((start + k, end))
            end = start + k
        else:
            out.append((start, start + k))
            start += k
    out.reverse()
    return out


def consistency_ranges(old: int, new: int) -> list[Range]:
    """The subtrees of a consistency proof from ``old`` to ``new`` leaves (RFC 6962 §2.1.2
    PROOF/SUBPROOF); empty when ``old == new``."""
    if not 0 < old <= new:
        raise ValueError(f"no consistency proof from size {old} to size {new}")
    out: list[Range] = []
    start, end, m, complete = 0, new, old, True
    while True:
        n = end - start
        if m == n:
            if not complete:
                out.append((start, end))
            break
        k = split_point(n)
        if m <= k:
            out.append((start + k, end))
            end = start + k
        else:
            out.append((start, start + k))
            start += k
            m -= k
            complete = False
    out.reverse()
    return out


def perfect_blocks(start: int, end: int) -> list[tuple[int, int]]:
    """The complete subtrees ``(level, index)`` that make up a proof range, largest first.
    The range's hash is their node hashes folded from the right."""
    blocks, pos, n = [], start, end - start
    for level in range(n.bit_length() - 1, -1, -1):
        if n >> level & 1:
            if pos % (1 << level):
                raise ValueError(f"range {start}..{end} is not a subtree of the log")
            blocks.append((level, pos >> level))
            pos += 1 << level
    return blocks


def range_hash(start: int, end: int, node: Callable[[int, int], bytes]) -> bytes:
    """The hash of a proof range from complete-subtree hashes given by ``node(level, index)``."""
    return frontier_root([node(level, i) for level, i in perfect_blocks(start, end)])


def inclusion_proof(index: int, leaves: Sequence[bytes]) -> list[bytes]:
    """An inclusion proof over in-memory leaf hashes."""
    return [root(leaves[a:b]) for a, b in inclusion_ranges(index, len(leaves))]


def consistency_proof(old: int, leaves: Sequence[bytes]) -> list[bytes]:
    """A consistency proof from the first ``old`` leaves to all of ``leaves``."""
    return [root(leaves[a:b]) for a, b in consistency_ranges(old, len(leaves))]


# --- verification (RFC 9162 §2.1.3.2 and §2.1.4.2) ------------------------------------------


def root_from_inclusion(leaf: bytes, index: int, size: int, proof: Sequence[bytes]) -> bytes | None:
    """The tree head an inclusion proof implies, or ``None`` if the proof is malformed."""
    if not 0 <= index < size:
        return None
    fn, sn, r = index, size - 1, leaf
    for p in proof:
        if sn == 0:
            return None
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            while not fn & 1 and fn != 0:
                fn >>= 1
                sn >>= 1
        else:
            r = node_hash(r, p)
        fn >>= 1
        sn >>= 1
    return r if sn == 0 else None


def verify_inclusion(
    leaf: bytes, index: int, size: int, proof: Sequence[bytes], expected_root: bytes
) -> bool:
    """Whether ``proof`` shows leaf hash ``leaf`` at ``index`` in the tree ``expected_root``."""
    return root_from_inclusion(leaf, index, size, proof) == expected_root


def verify_consistency(
    old: int, new: int, old_root: bytes, new_root: bytes, proof: Sequence[bytes]
) -> bool:
    """Whether ``proof`` shows the tree ``old_root`` of ``old`` leaves is a prefix of the tree
    ``new_root`` of ``new`` leaves."""
    if old < 0 or old > new:
        return False
    if old == new:
        return not proof and old_root == new_root
    if old == 0:
        return not proof and old_root == EMPTY_ROOT
    path = list(proof)
    if old & (old - 1) == 0:
        path.insert(0, old_root)
    if not path:
        return False
    fn, sn = old - 1, new - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            fr = node_hash(c, fr)
            sr = node_hash(c, sr)
            while not fn & 1 and fn != 0:
                fn >>= 1
                sn >>= 1
        else:
            sr = node_hash(sr, c)
        fn >>= 1
        sn >>= 1
    return sn == 0 and fr == old_root and sr == new_root
