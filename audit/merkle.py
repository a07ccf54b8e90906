"""The Merkle tree over the audit events (RFC 6962 / RFC 9162, SHA-256).

Pure functions: no Django, no database, so the offline verifier shares them.
Leaf `seq` sits at index `seq - 1`; its hash is SHA-256(0x00 || event hash
bytes) and an interior node is SHA-256(0x01 || left || right).

Stored trees keep every *complete* subtree: node (level, index) covers the
leaves `index * 2**level` up to `(index + 1) * 2**level`. Any range a proof
needs splits into at most ~2 log n such nodes (`range_pieces`), so a proof
costs O(log n) reads whatever the log's size.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence

Range = tuple[int, int]  # [start, end) in leaf indices
Piece = tuple[int, int]  # (level, index) of a complete subtree


class ProofError(ValueError):
    """A proof was asked for sizes or indices the tree does not have."""


def leaf_hash(event_hash_hex: str) -> bytes:
    return hashlib.sha256(b"\x00" + bytes.fromhex(event_hash_hex)).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()


EMPTY_ROOT = hashlib.sha256(b"").digest()


def _split(n: int) -> int:
    """The largest power of two smaller than n (n > 1)."""
    return 1 << ((n - 1).bit_length() - 1)


def naive_root(leaves: Sequence[bytes]) -> bytes:
    """MTH(D[n]) straight from RFC 6962 §2.1 (leaves already hashed)."""
    if not leaves:
        return EMPTY_ROOT
    if len(leaves) == 1:
        return leaves[0]
    k = _split(len(leaves))
    return node_hash(naive_root(leaves[:k]), naive_root(leaves[k:]))


def range_pieces(start: int, end: int) -> list[Piece]:
    """The complete subtrees, left to right, that make up the leaves [start, end).

    Only called for ranges that are subtrees of an RFC tree (start aligned to
    a power of two at least as large as the range), whose hash is then the
    right fold of the pieces' hashes.
    """
    pieces = []
    while start < end:
        level = (start & -start).bit_length() - 1 if start else (end - start).bit_length() - 1
        while (1 << level) > end - start:
            level -= 1
        pieces.append((level, start >> level))
        start += 1 << level
    return pieces


def fold_pieces(hashes: Sequence[bytes]) -> bytes:
    """Hash of a subtree from its complete pieces (left to right)."""
    if not hashes:
        return EMPTY_ROOT
    result = hashes[-1]
    for left in reversed(hashes[:-1]):
        result = node_hash(left, result)
    return result


def inclusion_ranges(index: int, size: int) -> list[Range]:
    """The subtrees whose hashes form the audit path of leaf `index` (RFC 6962 §2.1.1)."""
    if not 0 <= index < size:
        raise ProofError(f"leaf index {index} is outside a tree of size {size}")
    ranges: list[Range] = []
    start, n, m = 0, size, index
    while n > 1:
        k = _split(n)
        if m < k:
            ranges.append((start + k, start + n))
            n = k
        else:
            ranges.append((start, start + k))
            start, m, n = start + k, m - k, n - k
    return list(reversed(ranges))


def consistency_ranges(first: int, second: int) -> list[Range]:
    """The subtrees of a consistency proof from size `first` to `second` (RFC 6962 §2.1.2)."""
    if not 0 < first <= second:
        raise ProofError(f"no consistency proof from size {first} to size {second}")
    ranges: list[Range] = []
    start, m, n, complete = 0, first, second, True
    while m != n:
        k = _split(n)
        if m <= k:
            ranges.append((start + k, start + n))
            n = k
        else:
            ranges.append((start, start + k))
            start, m, n, complete = start + k, m - k, n - k, False
    if not complete:
        ranges.append((start, start + n))
    return list(reversed(ranges))


def hashes_for(ranges: Sequence[Range], node: Callable[[Sequence[Piece]], dict[Piece, bytes]]) -> list[bytes]:
    """Hash each range, reading all the complete pieces it needs in one call to `node`."""
    wanted = {r: range_pieces(*r) for r in ranges}
    found = node([p for pieces in wanted.values() for p in pieces])
    return [fold_pieces([found[p] for p in wanted[r]]) for r in ranges]


# --- Verification (RFC 9162 §2.1.3.2 and §2.1.4.2) ---------------------------


def root_from_inclusion(index: int, size: int, leaf: bytes, proof: Sequence[bytes]) -> bytes:
    if not 0 <= index < size:
        raise ProofError("leaf index outside the tree")
    fn, sn, r = index, size - 1, leaf
    for p in proof:
        if sn == 0:
            raise ProofError("inclusion proof too long")
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            if not fn & 1:
                while fn and not fn & 1:
                    fn >>= 1
                    sn >>= 1
        else:
            r = node_hash(r, p)
        fn >>= 1
        sn >>= 1
    if sn != 0:
        raise ProofError("inclusion proof too short")
    return r


def verify_inclusion(index: int, size: int, leaf: bytes, proof: Sequence[bytes], root: bytes) -> bool:
    try:
        return root_from_inclusion(index, size, leaf, proof) == root
    except ProofError:
        return False


def verify_consistency(first: int, second: int, first_root: bytes, second_root: bytes, proof: Sequence[bytes]) -> bool:
    if not 0 < first <= second:
        return False
    if first == second:
        return not proof and first_root == second_root
    path = list(proof)
    if first & (first - 1) == 0:  # a power of two: the first root is itself a node
        path.insert(0, first_root)
    if not path:
        return False
    fn, sn = first - 1, second - 1
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
            if not fn & 1:
                while fn and not fn & 1:
                    fn >>= 1
                    sn >>= 1
        else:
            sr = node_hash(sr, c)
        fn >>= 1
        sn >>= 1
    return sn == 0 and fr == first_root and sr == second_root


class CompactRange:
    """The right edge of a growing tree (one hash per set bit of its size):
    appending a leaf costs O(1) amortised and the root O(log n), so a replay of
    the events recomputes every root without storing the tree."""

    def __init__(self, size: int = 0, pieces: Sequence[bytes] = ()) -> None:
        self.size = size
        self.pieces = list(pieces)  # complete subtrees, largest first

    def append(self, leaf: bytes) -> None:
        self.pieces.append(leaf)
        size = self.size
        while size & 1:
            right = self.pieces.pop()
            self.pieces[-1] = node_hash(self.pieces[-1], right)
            size >>= 1
        self.size += 1

    def extend(self, leaves: Sequence[bytes], stops: frozenset[int] = frozenset()) -> None:
        """Append many leaves, hashing level by level over whole aligned
        subtrees (the same nodes `append` computes, without a Python step per
        leaf). A size in `stops` is never inside one subtree, so the caller
        can take the root there by extending up to it."""
        at, end = 0, len(leaves)
        while at < end:
            level = (end - at).bit_length() - 1
            if self.size:
                level = min(level, (self.size & -self.size).bit_length() - 1)
            while level and any(self.size < s < self.size + (1 << level) for s in stops):
                level -= 1
            nodes = leaves[at : at + (1 << level)]
            sha = hashlib.sha256
            for _ in range(level):
                nodes = [sha(b"\x01" + a + b).digest() for a, b in zip(nodes[::2], nodes[1::2], strict=True)]
            self._append_subtree(nodes[0], level)
            at += 1 << level

    def _append_subtree(self, node: bytes, level: int) -> None:
        self.pieces.append(node)
        size = self.size >> level
        while size & 1:
            right = self.pieces.pop()
            self.pieces[-1] = node_hash(self.pieces[-1], right)
            size >>= 1
        self.size += 1 << level

    def root(self) -> bytes:
        return fold_pieces(self.pieces)
