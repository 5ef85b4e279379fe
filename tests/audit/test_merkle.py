"""RFC 6962 hashing and proofs against a reference written straight from the RFC's definitions,
and against the Certificate Transparency test vectors."""

from __future__ import annotations

import hashlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dataward.audit import merkle


def _h(data: bytes) -> bytes:
    return hashlib.sha256(data).digest()


def ref_mth(d: list[bytes]) -> bytes:
    """MTH(D[n]) over raw entries, as RFC 6962 §2.1 defines it."""
    n = len(d)
    if n == 0:
        return _h(b"")
    if n == 1:
        return _h(b"\x00" + d[0])
    k = 1
    while k * 2 < n:
        k *= 2
    return _h(b"\x01" + ref_mth(d[:k]) + ref_mth(d[k:]))


def ref_path(m: int, d: list[bytes]) -> list[bytes]:
    n = len(d)
    if n == 1:
        return []
    k = 1
    while k * 2 < n:
        k *= 2
    if m < k:
        return [*ref_path(m, d[:k]), ref_mth(d[k:])]
    return [*ref_path(m - k, d[k:]), ref_mth(d[:k])]


def ref_subproof(m: int, d: list[bytes], b: bool) -> list[bytes]:
    n = len(d)
    if m == n:
        return [] if b else [ref_mth(d)]
    k = 1
    while k * 2 < n:
        k *= 2
    if m <= k:
        return [*ref_subproof(m, d[:k], b), ref_mth(d[k:])]
    return [*ref_subproof(m - k, d[k:], False), ref_mth(d[:k])]


# Certificate Transparency's reference vectors: 8 entries and the tree head at every size.
CT_ENTRIES = [
    b"",
    b"\x00",
    b"\x10",
    b"\x20\x21",
    b"\x30\x31",
    b"\x40\x41\x42\x43",
    b"\x50\x51\x52\x53\x54\x55\x56\x57",
    bytes(range(0x60, 0x70)),
]
CT_ROOTS = [
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
]


def test_ct_vectors() -> None:
    leaves = [merkle.leaf_hash(e) for e in CT_ENTRIES]
    assert merkle.root([]).hex() == (
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    )
    for size, want in enumerate(CT_ROOTS, start=1):
        assert merkle.root(leaves[:size]).hex() == want
        assert ref_mth(CT_ENTRIES[:size]).hex() == want
        frontier: list[bytes] = []
        for i, leaf in enumerate(leaves[:size]):
            merkle.frontier_append(frontier, i, leaf)
        assert merkle.frontier_root(frontier).hex() == want


def _entries(n: int) -> list[bytes]:
    return [f"entry-{i}".encode() for i in range(n)]


@settings(max_examples=150, deadline=None)
@given(st.integers(1, 300).flatmap(lambda n: st.tuples(st.just(n), st.integers(0, n - 1))))
def test_inclusion_proofs_match_the_rfc_and_verify(case: tuple[int, int]) -> None:
    n, m = case
    d = _entries(n)
    leaves = [merkle.leaf_hash(e) for e in d]
    root = merkle.root(leaves)
    proof = merkle.inclusion_proof(m, leaves)
    assert proof == ref_path(m, d)
    assert merkle.verify_inclusion(leaves[m], m, n, proof, root)
    # wrong index, wrong leaf, wrong size, tampered path: all refused
    assert not merkle.verify_inclusion(merkle.leaf_hash(b"x"), m, n, proof, root)
    if n > 1:
        assert not merkle.verify_inclusion(leaves[m], (m + 1) % n, n, proof, root)
        bad = [*proof]
        bad[0] = _h(bad[0])
        assert not merkle.verify_inclusion(leaves[m], m, n, bad, root)
        assert not merkle.verify_inclusion(leaves[m], m, n, proof[:-1], root)
    assert not merkle.verify_inclusion(leaves[m], m, 2 * n + 1, proof, root)  # longer path
    assert not merkle.verify_inclusion(leaves[m], n, n, proof, root)  # index beyond the tree


@settings(max_examples=150, deadline=None)
@given(st.integers(1, 300).flatmap(lambda n: st.tuples(st.integers(1, n), st.just(n))))
def test_consistency_proofs_match_the_rfc_and_verify(case: tuple[int, int]) -> None:
    m, n = case
    d = _entries(n)
    leaves = [merkle.leaf_hash(e) for e in d]
    old, new = merkle.root(leaves[:m]), merkle.root(leaves)
    proof = merkle.consistency_proof(m, leaves)
    assert proof == ([] if m == n else ref_subproof(m, d, True))
    assert merkle.verify_consistency(m, n, old, new, proof)
    forged = merkle.root([merkle.leaf_hash(b"forged"), *leaves[1:m]])
    assert not merkle.verify_consistency(m, n, forged, new, proof)
    if m < n:
        assert not merkle.verify_consistency(m, n, old, _h(new), proof)
        assert not merkle.verify_consistency(m, n, old, new, proof[:-1])
        assert not merkle.verify_consistency(m, n, old, new, [_h(proof[0]), *proof[1:]])


def test_exhaustive_small_trees() -> None:
    for n in range(1, 65):
        d = _entries(n)
        leaves = [merkle.leaf_hash(e) for e in d]
        root = merkle.root(leaves)
        assert root == ref_mth(d)
        for m in range(n):
            assert merkle.verify_inclusion(leaves[m], m, n, merkle.inclusion_proof(m, leaves), root)
        for m in range(1, n + 1):
            proof = merkle.consistency_proof(m, leaves)
            assert merkle.verify_consistency(m, n, merkle.root(leaves[:m]), root, proof)


def test_frontier_emits_every_complete_subtree() -> None:
    leaves = [merkle.leaf_hash(e) for e in _entries(37)]
    frontier: list[bytes] = []
    nodes = {}
    for i, leaf in enumerate(leaves):
        for level, idx, h in merkle.frontier_append(frontier, i, leaf):
            nodes[(level, idx)] = h
    expected = {
        (level, idx): merkle.root(leaves[idx << level : (idx + 1) << level])
        for level in range(1, 6)
        for idx in range(37 >> level)
    }
    assert nodes == expected
    assert merkle.unpack(merkle.pack(frontier)) == frontier


def test_bad_ranges_are_refused() -> None:
    with pytest.raises(ValueError):
        merkle.inclusion_ranges(5, 5)
    with pytest.raises(ValueError):
        merkle.consistency_ranges(0, 3)
    with pytest.raises(ValueError):
        merkle.perfect_blocks(1, 3)
    assert not merkle.verify_consistency(3, 2, b"", b"", [])
    assert merkle.verify_consistency(0, 5, merkle.EMPTY_ROOT, b"anything", [])
