"""The stored Merkle tree: appending leaves, reading roots and proofs.

The recording service adds `new_nodes` under the chain's append lock, in
the same statement batch and transaction as the events, so the tree never
lags behind the log. Every read below costs one query for O(log n) nodes.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from django.db import connection
from django.db.models import Q

from audit import merkle
from audit.models import AuditEvent, TreeNode


class TreeIncomplete(Exception):
    """The stored tree lacks nodes it should have (rows removed or never written)."""


def read_nodes(pieces: Sequence[merkle.Piece]) -> dict[merkle.Piece, bytes]:
    wanted = set(pieces)
    if not wanted:
        return {}
    by_level: dict[int, list[int]] = {}
    for level, index in wanted:
        by_level.setdefault(level, []).append(index)
    query = Q()
    for level, indices in by_level.items():
        query |= Q(level=level, index__in=indices)
    found = {
        (lv, ix): bytes.fromhex(h) for lv, ix, h in TreeNode.objects.filter(query).values_list("level", "index", "hash")
    }
    missing = wanted - found.keys()
    if missing:
        level, index = min(missing)
        raise TreeIncomplete(f"the stored tree has no node at level {level}, index {index}")
    return found


def right_edge_sql() -> str:
    """One statement, without parameters: the stored nodes a new leaf can need
    as left siblings, i.e. the complete subtrees that make up the tree of the
    log's current size N (for each bit `l` set in N, node (l, (N >> l) - 1)).
    The recording service runs it in the same round trip as its lock."""
    quote = connection.ops.quote_name
    events, nodes = quote(AuditEvent._meta.db_table), quote(TreeNode._meta.db_table)
    index = quote("index")
    # Only the models' own table names go into the text.
    # A scalar subquery per level: an index lookup whatever the planner's
    # statistics say (a join let it choose to scan the whole tree).
    return (
        f"WITH RECURSIVE head(n) AS (SELECT seq FROM {events} ORDER BY seq DESC LIMIT 1), "  # noqa: S608
        "levels(l) AS (SELECT 0 UNION ALL SELECT l + 1 FROM levels WHERE l < 62) "
        f"SELECT levels.l, (head.n >> levels.l) - 1, (SELECT t.hash FROM {nodes} t "
        f"WHERE t.level = levels.l AND t.{index} = (head.n >> levels.l) - 1) "
        "FROM head CROSS JOIN levels WHERE ((head.n >> levels.l) & 1) = 1"
    )


def edge_nodes(rows: Iterable[tuple[int, int, str]]) -> dict[merkle.Piece, bytes]:
    """Rows of `right_edge_sql` (a node that is not stored is left out: the
    reader then asks for it and reports the tree incomplete)."""
    return {(level, index): bytes.fromhex(h) for level, index, h in rows if h is not None}


def new_nodes(events: Iterable[AuditEvent], known: dict[merkle.Piece, bytes] | None = None) -> list[tuple]:
    """The leaves of newly numbered events (in seq order, continuing the tree)
    and every complete subtree they finish, as (level, index, hex hash) rows.

    The left siblings a new leaf can need are the new leaves' own nodes or the
    tree's right edge before them: `known` (from `right_edge_sql`), or read in
    one query."""
    ordered = sorted(events, key=lambda e: e.seq)
    if not ordered:
        return []
    edge = merkle.range_pieces(0, ordered[0].seq - 1)
    if known is None or not known.keys() >= set(edge):
        known = read_nodes(edge)
    new: dict[merkle.Piece, bytes] = {}
    for event in ordered:
        level, index = 0, event.seq - 1
        current = merkle.leaf_hash(event.hash)
        new[(level, index)] = current
        while index & 1:
            left = new.get((level, index - 1)) or known[(level, index - 1)]
            current = merkle.node_hash(left, current)
            level, index = level + 1, index >> 1
            new[(level, index)] = current
    return [(level, index, h.hex()) for (level, index), h in new.items()]


def tree_append(events: Iterable[AuditEvent]) -> None:
    """Add the nodes of newly inserted events through the ORM (rebuilding a
    tree; the recording service inserts its nodes with its events)."""
    TreeNode.objects.bulk_create([TreeNode(level=lv, index=ix, hash=h) for lv, ix, h in new_nodes(events)])


def tree_size() -> int:
    last = TreeNode.objects.filter(level=0).order_by("-index").values_list("index", flat=True).first()
    return 0 if last is None else last + 1


def log_size() -> int:
    return AuditEvent.objects.order_by("-seq").values_list("seq", flat=True).first() or 0


def root_at(size: int) -> bytes:
    """The stored tree's root at `size` (0 < size <= tree size)."""
    if size == 0:
        return merkle.EMPTY_ROOT
    return merkle.hashes_for([(0, size)], read_nodes)[0]


def compact_range_at(size: int) -> merkle.CompactRange:
    pieces = merkle.range_pieces(0, size)
    found = read_nodes(pieces)
    return merkle.CompactRange(size, [found[p] for p in pieces])


def inclusion_proof(index: int, size: int) -> list[bytes]:
    return merkle.hashes_for(merkle.inclusion_ranges(index, size), read_nodes)


def consistency_proof(first: int, second: int) -> list[bytes]:
    return merkle.hashes_for(merkle.consistency_ranges(first, second), read_nodes)
