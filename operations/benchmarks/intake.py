"""Referral intake through the service against the same rows inserted plain."""

from __future__ import annotations

import datetime as dt
import itertools
import uuid

from django.db import connection, transaction
from django.utils import timezone

from operations.benchmarks.measure import cost_row

_serial = itertools.count(1)


def _referral():
    from referrals.services import ReferralInput

    n = next(_serial)
    return ReferralInput(
        referring_agency="Bench Agency",
        exploitation_types=["forced_labour"],
        summary="Bench summary text",
        consent_given=True,
        consent_date=dt.date(2026, 1, 1),
        victim={
            "full_name": f"Bench Person {n}",
            "date_of_birth": dt.date(1990, 1, 1),
            "document_type": "passport",
            "document_number": f"BENCHDOC{n:08d}",
            "phone": f"+15550{n:06d}",
            "nationality": "ng",
            "sex": "female",
        },
    )


def _plain_referral(caseworker) -> None:
    """The same rows (data key, case, victim, audit event) in one transaction,
    without encryption, checks, locks, counters or chaining. The event row goes
    to a scratch table of the audit table's shape (an unchained row in the log
    itself would break the chain the service appends to next)."""
    from audit.models import AuditEvent
    from referrals.models import Case, VictimProfile
    from vault.models import DataKey

    n = next(_serial)
    with transaction.atomic():
        key = DataKey.objects.create(master_key_id="bench", wrapped_key=b"\0" * 60)
        case = Case.objects.create(
            reference=f"PLAIN-{n:012d}",
            organisation_id=caseworker.organisation_id,
            referring_agency="Bench Agency",
            created_by=caseworker,
            exploitation_types=["forced_labour"],
            consent_given=True,
            consent_date=dt.date(2026, 1, 1),
            data_key=key,
        )
        VictimProfile.objects.create(case=case, nationality="NG", sex="female")
        event = AuditEvent(
            seq=n,
            occurred_at=timezone.now(),
            action="bench.plain",
            object_type="case",
            object_id=str(case.pk),
            payload={"reference": case.reference},
            prev_hash=uuid.uuid4().hex * 2,
            hash=uuid.uuid4().hex * 2,
        )
        sql, fields = _scratch_insert()
        with connection.cursor() as cursor:
            cursor.execute(sql, [f.get_db_prep_save(getattr(event, f.attname), connection) for f in fields])


_scratch: dict = {}


def _scratch_insert():
    """An INSERT into `bench_plain_event`, created once with the audit table's columns."""
    from audit.models import AuditEvent

    if connection.vendor not in _scratch:
        table = connection.ops.quote_name(AuditEvent._meta.db_table)
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute(f"CREATE TABLE IF NOT EXISTS bench_plain_event (LIKE {table} INCLUDING ALL)")
            else:
                cursor.execute(f"CREATE TABLE IF NOT EXISTS bench_plain_event AS SELECT * FROM {table} WHERE 0")  # noqa: S608
        fields = list(AuditEvent._meta.concrete_fields)
        columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
        marks = ", ".join(["%s"] * len(fields))
        _scratch[connection.vendor] = (f"INSERT INTO bench_plain_event ({columns}) VALUES ({marks})", fields)  # noqa: S608
    return _scratch[connection.vendor]


def bench_intake(caseworker, *, batch: int = 50, repeat: int = 5):
    from referrals.services import referral_create

    def service():
        for _ in range(batch):
            referral_create(actor=caseworker, referral=_referral())

    def plain():
        for _ in range(batch):
            _plain_referral(caseworker)

    row = cost_row(
        f"referral intake ({batch} per run)",
        baseline_label="same rows inserted plain",
        baseline_fn=plain,
        fn=service,
        target="<= 5",
        repeat=repeat,
    )
    row.queries = round(row.queries / batch, 1)  # per referral
    return [row]
