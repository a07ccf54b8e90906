"""Reads of the audit log for the auditor's workspace and the API.

Everything here must stay fast at a million events: filters use the indexes
of `AuditEvent` and pages are keyset pages on `seq` (never OFFSET, never a
COUNT over the table).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db import connection
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from audit.actions import ACTIONS
from audit.models import AuditCheckpoint, AuditEvent
from audit.subjects import Subject, history_object_ids, subject_find
from config.errors import ValidationFailed

PAGE_SIZE = 50
# Events that disclose personal data: the personal-data access review lists them.
REVEAL_ACTIONS = ("case.pii_revealed", "disbursement.payee_revealed", "fund.batch_exported")


@dataclass(frozen=True)
class EventFilters:
    """Validated filters of an event list; `object_ids` comes from a case reference."""

    actor: str = ""
    action: str = ""
    object_id: str = ""
    reference: str = ""
    since: dt.datetime | None = None
    until: dt.datetime | None = None
    object_ids: tuple[str, ...] = field(default=())

    def describe(self) -> dict:
        """The filters as given, for an export's audit payload (no personal data)."""
        values = {
            "actor": self.actor,
            "action": self.action,
            "object_id": self.object_id,
            "reference": self.reference,
            "since": self.since.isoformat() if self.since else "",
            "until": self.until.isoformat() if self.until else "",
        }
        return {key: value for key, value in values.items() if value}


@dataclass
class EventPage:
    events: list[AuditEvent]
    newer: int | None  # ?after=<seq> for the newer page, or None
    older: int | None  # ?before=<seq> for the older page, or None


def known_actions() -> list[str]:
    """The actions the application records, and any other present in the log.

    A loose index scan (a recursive query that jumps from one action to the
    next through the (action, seq) index) costs one index probe per distinct
    action, not a scan of a million rows.
    """
    table = connection.ops.quote_name(AuditEvent._meta.db_table)
    sql = (
        f"WITH RECURSIVE actions(name) AS ("  # noqa: S608 (table name from the model, no input)
        f"SELECT MIN(action) FROM {table} "
        f"UNION ALL "
        f"SELECT (SELECT MIN(action) FROM {table} WHERE action > actions.name) FROM actions "
        f"WHERE actions.name IS NOT NULL) "
        f"SELECT name FROM actions WHERE name IS NOT NULL"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return sorted(ACTIONS | {row[0] for row in cursor.fetchall()})


def event_filters_build(
    *,
    actor: str = "",
    action: str = "",
    object_id: str = "",
    reference: str = "",
    since: dt.datetime | None = None,
    until: dt.datetime | None = None,
    allowed_actions: list[str] | None = None,
) -> EventFilters:
    """Check the filters of an event list (pages and API share these rules).

    Raises ValidationFailed naming each bad field; nothing is read past it.
    """
    errors: dict[str, list[str]] = {}
    action = (action or "").strip()
    if action and action not in (allowed_actions if allowed_actions is not None else known_actions()):
        errors["action"] = [_("Unknown action: no event in the log has this action.")]
    if since and until and until < since:
        errors["until"] = [_("The end of the date range is before its start.")]
    object_ids: tuple[str, ...] = ()
    reference = (reference or "").strip().upper()
    if reference:
        subject = subject_find(reference)
        if subject is None:
            errors["reference"] = [_("No case has this reference.")]
        else:
            object_ids = history_object_ids(subject.object_id)
    if errors:
        raise ValidationFailed(_("Some filters are not valid."), errors=errors)
    return EventFilters(
        actor=(actor or "").strip(),
        action=action,
        object_id=(object_id or "").strip(),
        reference=reference,
        since=since,
        until=until,
        object_ids=object_ids,
    )


def events_filtered(filters: EventFilters, *, actions: tuple[str, ...] = ()) -> QuerySet[AuditEvent]:
    """Events matching the filters; `actions` restricts to a set of actions."""
    events = AuditEvent.objects.all()
    if actions:
        events = events.filter(action__in=actions)
    if filters.action:
        events = events.filter(action=filters.action)
    if filters.actor:
        events = events.filter(actor_username=filters.actor)
    if filters.object_id:
        events = events.filter(object_id=filters.object_id)
    if filters.reference:
        events = events.filter(object_id__in=filters.object_ids)
    if filters.since:
        events = events.filter(occurred_at__gte=filters.since)
    if filters.until:
        events = events.filter(occurred_at__lte=filters.until)
    return events


def event_page(events: QuerySet[AuditEvent], *, before: int | None = None, after: int | None = None) -> EventPage:
    """One keyset page, newest first: `?before=<seq>` pages back, `?after=<seq>` forward.

    Reads PAGE_SIZE + 1 rows to know whether a further page exists in the
    direction of travel and asks one EXISTS for the other direction: the query
    count and cost do not depend on the number of events.
    """
    size = PAGE_SIZE
    if after is not None:
        rows = list(events.filter(seq__gt=after).order_by("seq")[: size + 1])
        more_newer = len(rows) > size
        rows = rows[:size][::-1]
        lowest = rows[-1].seq if rows else after + 1
        more_older = _any_below(events, lowest)
        return EventPage(rows, newer=rows[0].seq if more_newer else None, older=lowest if more_older else None)
    newest = events.filter(seq__lt=before) if before is not None else events
    rows = list(newest.order_by("-seq")[: size + 1])
    more_older = len(rows) > size
    rows = rows[:size]
    highest = rows[0].seq if rows else (before or 1) - 1
    more_newer = before is not None and _any_above(events, highest)
    return EventPage(rows, newer=highest if more_newer else None, older=rows[-1].seq if more_older else None)


def subject_events(*, subject: Subject) -> QuerySet[AuditEvent]:
    """The subject's own events and those of its related objects (a case's
    payment requests)."""
    return AuditEvent.objects.filter(object_id__in=history_object_ids(subject.object_id))


def _any_below(events: QuerySet[AuditEvent], seq: int) -> bool:
    # Ordered and limited rather than .exists() (which drops the ordering), so
    # the database walks the primary key from `seq` instead of scanning the table.
    return events.filter(seq__lt=seq).order_by("-seq").values_list("seq", flat=True).first() is not None


def _any_above(events: QuerySet[AuditEvent], seq: int) -> bool:
    return events.filter(seq__gt=seq).order_by("seq").values_list("seq", flat=True).first() is not None


def event_get(*, seq: int) -> AuditEvent | None:
    return AuditEvent.objects.filter(seq=seq).first()


def event_neighbours(event: AuditEvent) -> tuple[AuditEvent | None, AuditEvent | None]:
    """The events just before and after `event` in the chain (by sequence)."""
    previous = AuditEvent.objects.filter(seq__lt=event.seq).order_by("-seq").first()
    following = AuditEvent.objects.filter(seq__gt=event.seq).order_by("seq").first()
    return previous, following


def latest_checkpoint() -> AuditCheckpoint | None:
    return AuditCheckpoint.objects.order_by("-head_seq", "-id").first()


def events_for_export(filters: EventFilters, *, actions: tuple[str, ...] = (), up_to_seq: int) -> QuerySet[AuditEvent]:
    """The filtered events up to a fixed head, oldest first: rows appended while
    an export streams are not part of it, so its row count is exact."""
    return events_filtered(filters, actions=actions).filter(seq__lte=up_to_seq).order_by("seq")


def head_seq() -> int:
    return AuditEvent.objects.order_by("-seq").values_list("seq", flat=True).first() or 0


@dataclass
class LogKeyStatus:
    """What the web process knows of the log's keys: the verifier key to
    publish, the known witnesses, and whether it (wrongly) holds the signing key."""

    origin: str | None
    vkey: str | None
    problem: str = ""
    holds_signing_key: bool = False
    trusted: list[str] = field(default_factory=list)
    witnesses: list[str] = field(default_factory=list)


def log_key_status() -> LogKeyStatus:
    from django.conf import settings

    from audit.checkpoints import CheckpointKeyError, log_origin, public_key_text, trusted_verifiers, witness_verifiers

    holds = bool(getattr(settings, "VAF_AUDIT_SIGNING_KEY", ""))
    try:
        status = LogKeyStatus(log_origin(), public_key_text(), holds_signing_key=holds)
    except CheckpointKeyError as exc:
        return LogKeyStatus(None, None, str(exc), holds)
    status.trusted = [v.vkey for v in trusted_verifiers()]
    status.witnesses = [v.vkey for v in witness_verifiers()]
    return status


def checkpoint_count() -> int:
    # Checkpoints are few (one a day at most, typically): counting them is cheap.
    return AuditCheckpoint.objects.count()


def checkpoint_latest_signed() -> AuditCheckpoint | None:
    """The newest checkpoint signed as a note (with its cosignatures)."""
    return (
        AuditCheckpoint.objects.exclude(note=None).prefetch_related("cosignatures").order_by("-head_seq", "-id").first()
    )
