"""The Merkle tree's hashing and proofs against a naive recomputation of RFC 6962."""

from __future__ import annotations

import hashlib

import pytest
from hypothesis import given
from hypothesis import strategies as st

from audit import merkle


def leaves(n: int) -> list[bytes]:
    return [merkle.leaf_hash(hashlib.sha256(str(i).encode()).hexdigest()) for i in range(n)]


def stored_nodes(items: list[bytes]):
    """A reader of complete subtrees computed naively from the leaves."""

    def read(pieces):
        return {(lv, ix): merkle.naive_root(items[ix << lv : (ix + 1) << lv]) for lv, ix in pieces}

    return read


def naive_path(m: int, items: list[bytes]) -> list[bytes]:
    n = len(items)
    if n == 1:
        return []
    k = merkle._split(n)
    if m < k:
        return [*naive_path(m, items[:k]), merkle.naive_root(items[k:])]
    return [*naive_path(m - k, items[k:]), merkle.naive_root(items[:k])]


def naive_subproof(m: int, items: list[bytes], complete: bool) -> list[bytes]:
    n = len(items)
    if m == n:
        return [] if complete else [merkle.naive_root(items)]
    k = merkle._split(n)
    if m <= k:
        return [*naive_subproof(m, items[:k], complete), merkle.naive_root(items[k:])]
    return [*naive_subproof(m - k, items[k:], False), merkle.naive_root(items[:k])]


def test_the_leaf_and_node_hashes_follow_the_rfc():
    event = "ab" * 32
    assert merkle.leaf_hash(event) == hashlib.sha256(b"\x00" + bytes.fromhex(event)).digest()
    left, right = b"L" * 32, b"R" * 32
    assert merkle.node_hash(left, right) == hashlib.sha256(b"\x01" + left + right).digest()


@given(st.integers(1, 70).flatmap(lambda n: st.tuples(st.just(n), st.integers(0, n - 1))))
def test_inclusion_proofs_match_the_rfc_and_verify(args):
    size, index = args
    items = leaves(size)
    proof = merkle.hashes_for(merkle.inclusion_ranges(index, size), stored_nodes(items))
    assert proof == naive_path(index, items)
    root = merkle.naive_root(items)
    assert merkle.verify_inclusion(index, size, items[index], proof, root)
    assert not merkle.verify_inclusion(index, size, items[(index + 1) % size] + b"", proof, root) or size == 1
    if proof:
        assert not merkle.verify_inclusion(index, size, items[index], proof[:-1], root)


@given(st.integers(1, 70).flatmap(lambda n: st.tuples(st.integers(1, n), st.just(n))))
def test_consistency_proofs_match_the_rfc_and_verify(args):
    first, second = args
    items = leaves(second)
    proof = merkle.hashes_for(merkle.consistency_ranges(first, second), stored_nodes(items))
    assert proof == naive_subproof(first, items, True)
    first_root, second_root = merkle.naive_root(items[:first]), merkle.naive_root(items)
    assert merkle.verify_consistency(first, second, first_root, second_root, proof)
    forked = merkle.naive_root([*items[: first - 1], b"x" * 32])
    if first < second:
        assert not merkle.verify_consistency(first, second, forked, second_root, proof)
        assert not merkle.verify_consistency(first, second, first_root, forked, proof)


@given(st.integers(0, 130))
def test_the_compact_range_and_the_pieces_give_the_naive_root(size):
    items = leaves(size)
    compact = merkle.CompactRange()
    for leaf in items:
        compact.append(leaf)
    assert compact.root() == merkle.naive_root(items)
    pieces = merkle.range_pieces(0, size)
    assert compact.pieces == [merkle.naive_root(items[ix << lv : (ix + 1) << lv]) for lv, ix in pieces]


@pytest.mark.parametrize(("first", "second"), [(0, 3), (4, 3), (-1, 2)])
def test_impossible_consistency_proofs_are_refused(first, second):
    with pytest.raises(merkle.ProofError):
        merkle.consistency_ranges(first, second)


@pytest.mark.parametrize(("index", "size"), [(3, 3), (-1, 3), (0, 0)])
def test_impossible_inclusion_proofs_are_refused(index, size):
    with pytest.raises(merkle.ProofError):
        merkle.inclusion_ranges(index, size)
