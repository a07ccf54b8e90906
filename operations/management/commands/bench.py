"""`manage.py bench`: speed and memory of the paths that must scale.

Runs in a throw-away test database (never the configured one). Each
benchmark is measured at a baseline size and at the target size in the same
process, and reported as a ratio: a ratio near 1 means the cost does not grow
with the data. Wall-clock times are printed for information only.
"""

from __future__ import annotations

import datetime as dt
import os
import statistics
import time
import tracemalloc
import uuid

from django.core.management.base import BaseCommand
from django.db import connection, reset_queries
from django.test.utils import CaptureQueriesContext, setup_test_environment, teardown_test_environment
from django.utils import timezone


def _timed(fn, repeat: int = 5) -> tuple[float, int]:
    """Median seconds of `repeat` runs, and the query count of one run."""
    times = []
    with CaptureQueriesContext(connection) as ctx:
        fn()
    queries = len(ctx.captured_queries)
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), queries


class Command(BaseCommand):
    help = "Benchmark case list, document search, audit log pages and chain verification at scale."

    def add_arguments(self, parser):
        parser.add_argument(
            "--cases", type=int, default=20000, help="target number of cases (100000 for the full target)"
        )
        parser.add_argument(
            "--events", type=int, default=200000, help="target number of audit events (1000000 for the full target)"
        )
        parser.add_argument("--baseline-cases", type=int, default=500)
        parser.add_argument("--baseline-events", type=int, default=5000)

    def handle(self, *args, **options):
        setup_test_environment()
        old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
        try:
            rows = []
            rows += self.bench_cases(options["baseline_cases"], options["cases"])
            rows += self.bench_audit(options["baseline_events"], options["events"])
        finally:
            connection.creation.destroy_test_db(old_name, verbosity=0)
            teardown_test_environment()
        header = ("benchmark", "unit", "baseline n", "target n", "baseline", "target", "ratio", "queries")
        self.stdout.write("{:<34} {:>4} {:>10} {:>10} {:>9} {:>9} {:>6} {:>7}".format(*header))
        for name, base_n, n, base_v, v, queries in rows:
            unit = "MiB" if "memory" in name else "ms"
            scale = 1 if unit == "MiB" else 1000
            ratio = v / base_v if base_v else float("nan")
            self.stdout.write(
                f"{name:<34} {unit:>4} {base_n:>10} {n:>10} {base_v * scale:>9.2f} {v * scale:>9.2f} "
                f"{ratio:>6.2f} {queries:>7}"
            )

    # --- cases --------------------------------------------------------------
    def bench_cases(self, baseline: int, target: int):
        from django.test import Client

        from referrals.models import VictimProfile
        from vault.fields import blind_index_lookup

        caseworker = _user("caseworker")
        client = Client()
        client.force_login(caseworker)
        results = {}
        created = 0
        for size in (baseline, target):
            created += _bulk_cases(caseworker, size - created)
            page = _timed(lambda: _ok(client.get("/cases/")))
            api = _timed(lambda: _ok(client.get("/api/v1/cases/")))
            deep = _timed(lambda: _ok(client.get("/api/v1/cases/?page=5")))
            wanted = f"BENCH{size // 2:08d}"
            search = _timed(
                lambda w=wanted: VictimProfile.objects.filter(
                    document_number_index=blind_index_lookup(VictimProfile, "document_number_index", w)
                ).exists()
            )
            results[size] = {
                "case list page": page,
                "case list API": api,
                "case list API page 5": deep,
                "document number search": search,
            }
        return [
            (name, baseline, target, results[baseline][name][0], results[target][name][0], results[target][name][1])
            for name in results[target]
        ]

    # --- audit ----------------------------------------------------------------
    def bench_audit(self, baseline: int, target: int):
        import tempfile

        from django.conf import settings
        from django.test import Client

        from audit.checkpoints import audit_checkpoint_create
        from audit.verification import verify_chain

        auditor = _user("auditor")
        client = Client()
        client.force_login(auditor)
        results = {}
        checkpoints = tempfile.TemporaryDirectory()
        # Never the configured directory: these checkpoints vouch for a throw-away database.
        settings.VAF_AUDIT_CHECKPOINT_DIR = checkpoints.name
        for size in (baseline, target):
            _bulk_events(size)
            first = _timed(lambda: _ok(client.get("/audit/")))
            api = _timed(lambda: _ok(client.get("/api/v1/audit/events/")))
            deep = _timed(lambda s=size: _ok(client.get(f"/audit/?before={s // 2}")))
            start = time.perf_counter()
            result = verify_chain()
            elapsed = time.perf_counter() - start
            assert result.ok, result
            tracemalloc.start()  # a second run: tracing slows the first one several times over
            verify_chain()
            _current, peak = tracemalloc.get_traced_memory()
            tracemalloc.stop()
            # Incremental: a checkpoint is verified, then ten events arrive.
            audit_checkpoint_create()
            _bulk_events(size + 11)
            page = _timed(lambda: _intact(client.get("/audit/verify/")))
            proof = _timed(
                lambda s=size: _ok(client.get(f"/api/v1/audit/log/proof/inclusion/?seq={s // 3}&tree_size={s}"))
            )
            results[size] = {
                "audit log page": first,
                "audit events API": api,
                "audit log page (keyset, middle)": deep,
                "verify chain (per 1k events)": (elapsed / result.checked * 1000, 0),
                "verify chain peak memory (MiB)": (peak / 2**20, 0),
                "verification page (incremental, 10 new events)": page,
                "inclusion proof API": proof,
            }
        checkpoints.cleanup()
        return [
            (name, baseline, target, results[baseline][name][0], results[target][name][0], results[target][name][1])
            for name in results[target]
        ]


def _user(role: str):
    from accounts.services import user_create

    return user_create(
        username=f"bench-{role}", roles=[role], organisation_name="Bench Org", password=None, validate=False
    )


def _intact(response):
    _ok(response)
    assert response.context["result"].ok, response.context["result"]
    return response


def _ok(response):
    assert response.status_code == 200, response.status_code
    return response


def _bulk_cases(caseworker, count: int, batch: int = 1000) -> int:
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


def _bulk_events(total: int, batch: int = 5000) -> None:
    """Append events up to `total`, hashed exactly as audit_record does."""
    from audit.chain import event_hash
    from audit.models import GENESIS_HASH, AuditEvent
    from audit.tree import tree_append

    head = AuditEvent.objects.order_by("-seq").values_list("seq", "hash").first()
    seq, prev = head if head else (0, GENESIS_HASH)
    now = timezone.now()
    while seq < total:
        events = []
        for _ in range(min(batch, total - seq)):
            seq += 1
            fields = {
                "seq": seq,
                "occurred_at": now,
                "actor_id": None,
                "actor_username": "bench",
                "action": "bench.event",
                "object_type": "bench",
                "object_id": str(seq % 997),
                "payload": {"n": seq},
                "reason": "",
                "ip": None,
                "prev_hash": prev,
            }
            prev = event_hash(**fields)
            events.append(AuditEvent(**fields, hash=prev))
        AuditEvent.objects.bulk_create(events)
        tree_append(events)
    reset_queries()
