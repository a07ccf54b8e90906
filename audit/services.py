"""Recording audit events.

`audit_record` is called explicitly by every service, inside the service's own
transaction, so the change and its event commit together or not at all.
"""

from __future__ import annotations

from django.db import connection, transaction
from django.utils import timezone
from django.utils.ipv6 import clean_ipv6_address

from audit.chain import canonical_value, event_hash
from audit.context import client_ip
from audit.listeners import run_event_listeners
from audit.models import GENESIS_HASH, AuditEvent
from audit.tree import tree_append

# Any constant: the key of the PostgreSQL advisory lock that serialises appends.
_CHAIN_LOCK_KEY = 0x5641465F4155  # "VAF_AU"


class AuditOutsideTransaction(RuntimeError):
    pass


def _lock_chain() -> None:
    """Serialise appends until the end of the transaction.

    PostgreSQL: a transaction-scoped advisory lock. SQLite: every transaction
    starts with BEGIN IMMEDIATE (config.settings), which already holds the
    database's single write lock.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_CHAIN_LOCK_KEY])


def _normalised_ip(ip: str | None) -> str | None:
    # Stored as the database will give it back, so the hash stays verifiable.
    if ip and ":" in ip:
        return clean_ipv6_address(ip)
    return ip or None


def audit_record(
    *,
    action: str,
    actor=None,
    object_type: str = "",
    object_id: str = "",
    payload: dict | None = None,
    reason: str = "",
) -> AuditEvent:
    """Append one event to the chain. Must run inside the caller's transaction.

    `payload` holds ids, states and amounts, and the names (never the values)
    of changed personal fields.
    """
    if not connection.in_atomic_block:
        raise AuditOutsideTransaction("audit_record must be called inside transaction.atomic().")
    _lock_chain()
    head = AuditEvent.objects.order_by("-seq").values_list("seq", "hash").first()
    seq, prev_hash = (head[0] + 1, head[1]) if head else (1, GENESIS_HASH)
    is_user = actor is not None and getattr(actor, "is_authenticated", False)
    fields = {
        "seq": seq,
        "occurred_at": timezone.now(),
        "actor_id": actor.pk if is_user else None,
        "actor_username": actor.get_username() if is_user else "",
        "action": action,
        "object_type": object_type,
        "object_id": str(object_id) if object_id else "",
        "payload": canonical_value(payload or {}),
        "reason": reason or "",
        "ip": _normalised_ip(client_ip.get()),
        "prev_hash": prev_hash,
    }
    event = AuditEvent(**fields, hash=event_hash(**fields))
    event.save()
    tree_append([event])
    run_event_listeners(event, reason=reason or "")
    return event


@transaction.atomic
def audit_record_now(**kwargs) -> AuditEvent:
    """audit_record in a transaction of its own, for events that change nothing
    else (a failed login, a page that revealed data)."""
    return audit_record(**kwargs)
