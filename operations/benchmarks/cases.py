"""Case list pages, the API and document search at a baseline size and at the
target size: a ratio near 1 means the cost does not grow with the cases."""

from __future__ import annotations

import datetime as dt
import os
import uuid

from django.utils import timezone

from operations.benchmarks.measure import Row, alternate_medians, peak_mib, query_count


def _ok(response):
    assert response.status_code == 200, response.status_code
    return response


def bench_cases(caseworker, large_caseworker, *, baseline: int, target: int, repeat: int = 5):
    """The lists of an organisation with `target` cases against those of one
    with `baseline` cases, in the same database: both are loaded first, then
    sampled alternately, so a machine whose speed drifts (a shared one does,
    most of all after a bulk load) weighs on both sides alike."""
    from django.test import Client

    from referrals.models import VictimProfile
    from vault.fields import blind_index_lookup

    clients = {}
    for size, user in ((baseline, caseworker), (target, large_caseworker)):
        clients[size] = Client()
        clients[size].force_login(user)
    first = bulk_cases(caseworker, baseline)
    bulk_cases(large_caseworker, target)
    analyze()
    probes = {}
    for size, client in clients.items():
        wanted = f"BENCH{(size // 2 if size == baseline else first + size // 2):08d}"
        probes[size] = {
            "case list page": lambda c=client: _ok(c.get("/cases/")),
            "case list API": lambda c=client: _ok(c.get("/api/v1/cases/")),
            "case list API page 5": lambda c=client: _ok(c.get("/api/v1/cases/?page=5")),
            "document number search": lambda w=wanted: VictimProfile.objects.filter(
                document_number_index=blind_index_lookup(VictimProfile, "document_number_index", w)
            ).exists(),
        }
    rows = []
    for name in probes[target]:
        small, large = probes[baseline][name], probes[target][name]
        # Each probe takes milliseconds: at least 11 samples of each, alternately.
        base, value = alternate_medians(small, large, max(repeat, 11))
        rows.append(
            Row(
                f"{name} at {target} cases",
                "ms",
                f"{baseline} cases",
                base * 1000,
                value * 1000,
                value / base,
                "<= 1.2" if name.startswith("case list") else "",
                queries=query_count(large),
                peak_mib=peak_mib(large),
            )
        )
    return rows


def bulk_cases(caseworker, count: int, batch: int = 1000) -> int:
    """Insert `count` referred cases with victim profiles directly (fast path:
    bulk inserts; data keys wrapped as the vault would)."""
    from referrals.models import Case, CaseReferenceCounter, VictimProfile
    from vault import aead
    from vault.keyring import keyring
    from vault.models import DataKey

    ring = keyring()
    master = ring.master_key(ring.active_master_key_id)
    year = timezone.now().year
    counter, _ = CaseReferenceCounter.objects.get_or_create(year=year)
    done = 0
    while done < count:
        n = min(batch, count - done)
        keys, cases, profiles = [], [], []
        for _ in range(n):
            counter.last_number += 1
            key = DataKey(id=uuid.uuid4(), master_key_id=ring.active_master_key_id)
            plain = os.urandom(32)
            key.wrapped_key = aead.wrap(
                master, plain, b"vaf-data-key|" + key.id.bytes + b"|" + key.master_key_id.encode()
            )
            key.__dict__["_plaintext_key"] = plain
            keys.append(key)
            case = Case(
                reference=f"VAF-{year}-{counter.last_number:06d}",
                organisation_id=caseworker.organisation_id,
                referring_agency="Bench Agency",
                created_by=caseworker,
                exploitation_types=["forced_labour"],
                data_key=key,
            )
            cases.append(case)
            profile = VictimProfile(case=case)
            profile.full_name = f"Bench Person {counter.last_number}"
            profile.document_number = f"BENCH{counter.last_number:08d}"
            profile.date_of_birth = dt.date(1990, 1, 1)
            profiles.append(profile)
        DataKey.objects.bulk_create(keys)
        Case.objects.bulk_create(cases)
        VictimProfile.objects.bulk_create(profiles)
        done += n
    counter.save()
    return count


def analyze() -> None:
    """Refresh the planner's statistics and the visibility map after a bulk
    load, as autovacuum would in production, so the measurement that follows
    does not share the machine with that work (PostgreSQL; SQLite plans from
    its indexes alone)."""
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
