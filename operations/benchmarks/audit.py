"""The audit log: its pages at scale, verification against hashing alone, and
appends by concurrent writers (each on its own connection): threads of this
process, and on PostgreSQL also forked processes."""

from __future__ import annotations

import os
import threading
import time
from dataclasses import dataclass

from django.db import connection, reset_queries, transaction
from django.utils import timezone

from operations.benchmarks.cases import analyze
from operations.benchmarks.measure import (
    Row,
    alternate_medians,
    machine_busy_seconds,
    median_seconds,
    peak_mib,
    query_count,
)


def _ok(response):
    assert response.status_code == 200, response.status_code
    return response


def _intact(response):
    _ok(response)
    assert response.context["result"].ok, response.context["result"]
    return response


def bench_audit_pages(auditor, *, baseline: int, target: int, repeat: int = 5):
    import tempfile

    from django.conf import settings
    from django.test import Client

    from audit.checkpoints import audit_checkpoint_create

    client = Client()
    client.force_login(auditor)
    measured: dict[int, dict] = {}
    checkpoints = tempfile.TemporaryDirectory()
    # Never the configured directory: these checkpoints vouch for a throw-away database.
    settings.VAF_AUDIT_CHECKPOINT_DIR = checkpoints.name
    for size in (baseline, target):
        bulk_events(size)
        # Incremental verification: a checkpoint is verified, then ten events arrive.
        audit_checkpoint_create()
        bulk_events(size + 11)
        analyze()
        probes = {
            "audit log page": lambda: _ok(client.get("/audit/")),
            "audit events API": lambda: _ok(client.get("/api/v1/audit/events/")),
            "audit log page (keyset, middle)": lambda s=size: _ok(client.get(f"/audit/?before={s // 2}")),
            "verification page (incremental, 10 new events)": lambda: _intact(client.get("/audit/verify/")),
            "inclusion proof API": lambda s=size: _ok(
                client.get(f"/api/v1/audit/log/proof/inclusion/?seq={s // 3}&tree_size={s}")
            ),
        }
        measured[size] = {}
        for name, fn in probes.items():
            fn()
            measured[size][name] = (median_seconds(fn, repeat), query_count(fn), peak_mib(fn))
    checkpoints.cleanup()
    return [
        Row(
            f"{name} at {target} events",
            "ms",
            f"{baseline} events",
            measured[baseline][name][0] * 1000,
            value * 1000,
            value / measured[baseline][name][0],
            "",  # informative: no target was set for the audit pages
            queries=queries,
            peak_mib=peak,
        )
        for name, (value, queries, peak) in measured[target].items()
    ]


def bench_verification(*, repeat: int = 3):
    """The whole chain verified from the database, against computing the same
    hashes from events already in memory. Ratio: speed relative to hashing."""
    from audit.chain import event_hash
    from audit.models import AuditEvent
    from audit.verification import verify_chain

    fields = ("seq", "occurred_at", "actor_id", "actor_username", "action", "object_type", "object_id")
    fields += ("payload", "reason", "ip", "prev_hash")
    in_memory = list(AuditEvent.objects.order_by("seq").values(*fields))

    def hashing_alone():
        for event in in_memory:
            event_hash(**event)

    def verify():
        result = verify_chain()
        assert result.ok, result

    base, value = alternate_medians(hashing_alone, verify, repeat)
    count = len(in_memory)
    return [
        Row(
            f"verify chain ({count} events)",
            "ms",
            "hashing the same events in memory",
            base * 1000,
            value * 1000,
            base / value,
            ">= 0.8",
            queries=query_count(verify),
            peak_mib=peak_mib(verify),
            notes={"events_per_second": round(count / value)},
        )
    ]


@dataclass
class Appends:
    """What a group of writers appended between the start line and the last
    writer's end, and the CPU the whole machine (writers, database server,
    kernel) spent meanwhile (None where the machine does not say)."""

    events: int
    seconds: float
    busy_seconds: float | None

    @property
    def per_second(self) -> float:
        return self.events / self.seconds

    @property
    def cpus_busy(self) -> float | None:
        return None if self.busy_seconds is None else self.busy_seconds / self.seconds

    @property
    def cpu_ms_per_append(self) -> float | None:
        return None if self.busy_seconds is None else self.busy_seconds / self.events * 1000


def _window():
    """Start a measurement: (wall clock, machine busy seconds)."""
    return time.perf_counter(), machine_busy_seconds()


def _appended(events: int, window) -> Appends:
    start, busy = window
    elapsed, busy_now = time.perf_counter() - start, machine_busy_seconds()
    return Appends(events, elapsed, None if busy is None or busy_now is None else busy_now - busy)


def _append_rate(writers: int, per_writer: int, *, stuck: bool = False) -> Appends:
    """What `writers` threads append, each committing one short transaction
    (a change and its event) per append; with `stuck`, one more writer sits
    inside an open transaction that recorded an event first."""
    from audit.services import audit_record

    barrier = threading.Barrier(writers + 1)
    recorded, release = threading.Event(), threading.Event()
    errors: list[BaseException] = []

    def write(n: int):
        try:
            _append_one(n, -1)  # its connection opened before the start line, as the processes do
            barrier.wait()
            for i in range(per_writer):
                _append_one(n, i)
        except BaseException as exc:  # reported below
            errors.append(exc)
        finally:
            connection.close()

    def long_transaction():
        try:
            with transaction.atomic():
                audit_record(action="bench.long_transaction", object_type="bench")
                recorded.set()
                release.wait(timeout=600)
        except BaseException as exc:  # reported below
            errors.append(exc)
        finally:
            connection.close()

    holder = None
    if stuck:
        holder = threading.Thread(target=long_transaction)
        holder.start()
        recorded.wait(timeout=60)
    threads = [threading.Thread(target=write, args=(n,)) for n in range(writers)]
    for thread in threads:
        thread.start()
    barrier.wait()
    window = _window()
    for thread in threads:
        thread.join()
    appended = _appended(writers * per_writer, window)
    release.set()
    if holder:
        holder.join()
    if errors:
        raise errors[0]
    return appended


def _append_one(n: int, i: int) -> None:
    """One writer's append: a change and its event, committed together."""
    from accounts.models import Organisation
    from audit.services import audit_record

    with transaction.atomic():
        Organisation.objects.filter(name=f"bench-writer-{n}").update(updated_at=timezone.now())
        audit_record(action="bench.append", object_type="bench", payload={"writer": n, "i": i})


def _process_writer(n: int, per_writer: int, barrier) -> None:
    """One writer process (forked from the bench): its own connection, one
    warm-up append before the start line, then `per_writer` appends."""
    _append_one(n, -1)
    barrier.wait(timeout=120)
    for i in range(per_writer):
        _append_one(n, i)
    connection.close()


def _append_rate_processes(writers: int, per_writer: int) -> Appends:
    """What `writers` processes append: how the web and
    worker processes of a deployment append, each with its own interpreter
    (the threads above share one, and one CPU's worth of Python)."""
    import multiprocessing

    from django.db import connections

    context = multiprocessing.get_context("fork")
    barrier = context.Barrier(writers + 1)
    connections.close_all()  # a forked child must not share the parent's connection
    processes = [context.Process(target=_process_writer, args=(n, per_writer, barrier)) for n in range(writers)]
    for process in processes:
        process.start()
    barrier.wait(timeout=120)
    window = _window()
    for process in processes:
        process.join()
    appended = _appended(writers * per_writer, window)
    failed = [process.exitcode for process in processes if process.exitcode != 0]
    if failed:
        raise RuntimeError(f"{len(failed)} writer processes failed (exit codes {failed})")
    return appended


def bench_appends(*, per_writer: int = 200, rounds: int = 3):
    """Appends per second with 4 and 8 writers against 1 writer (higher is
    better). Each round measures the single writer right before the group, and
    the median round is kept: on a shared machine the load drifts.

    Each row's notes say what limits the ratio: the machine's CPU per append
    (all processes, the server's included) and the CPUs busy, alone and in
    the group. If one writer keeps `b` of the machine's `n` CPUs busy, a
    group can at best reach n / b times its rate (the `cpu_ceiling`), and
    only if an append costs no more CPU in company than alone."""
    from accounts.models import Organisation

    for n in range(8):
        Organisation.objects.get_or_create(name=f"bench-writer-{n}")
    _append_rate(1, 20)  # warm up connections
    rows = []
    cases = [(4, False, False, ">= 2"), (8, False, False, ""), (4, True, False, ">= 2")]
    if connection.vendor == "postgresql":
        cases += [(4, False, True, ">= 2"), (8, False, True, "")]
    for writers, stuck, processes, target in cases:
        measured = []
        for _round in range(rounds):
            if processes:
                single = _append_rate_processes(1, per_writer)
                group = _append_rate_processes(writers, per_writer)
            else:
                single = _append_rate(1, per_writer)
                group = _append_rate(writers, per_writer, stuck=stuck)
            measured.append((group.per_second / single.per_second, single, group))
        ratio, single, group = sorted(measured, key=lambda m: m[0])[(len(measured) - 1) // 2]  # the low median
        label = f"audit appends, {writers} writer {'processes' if processes else 'threads'}"
        label += " + 1 stuck in a transaction" if stuck else ""
        rows.append(
            Row(
                label,
                "events/s",
                "1 writer process" if processes else "1 writer thread",
                single.per_second,
                group.per_second,
                ratio,
                target if connection.vendor == "postgresql" else "",
                notes=_cpu_notes(single, group),
            )
        )
    return rows


def _cpu_notes(single: Appends, group: Appends) -> dict:
    if single.busy_seconds is None or group.busy_seconds is None or not single.busy_seconds:
        return {}
    return {
        "cpu_ms_per_append": [round(single.cpu_ms_per_append, 3), round(group.cpu_ms_per_append, 3)],
        "cpus_busy": [round(single.cpus_busy, 2), round(group.cpus_busy, 2)],
        "cpu_ceiling": round((os.cpu_count() or 1) / single.cpus_busy, 2),
    }


def bulk_events(total: int, batch: int = 5000) -> None:
    """Append events up to `total` through the audit service's own insert path."""
    from audit.models import AuditEvent
    from audit.services import _append_events

    seq = AuditEvent.objects.order_by("-seq").values_list("seq", flat=True).first() or 0
    now = timezone.now()
    while seq < total:
        n = min(batch, total - seq)
        with transaction.atomic():
            _append_events(
                [
                    AuditEvent(
                        occurred_at=now,
                        actor_username="bench",
                        action="bench.event",
                        object_type="bench",
                        object_id=str((seq + i) % 997),
                        payload={"n": seq + i, "state": "approved"},
                    )
                    for i in range(1, n + 1)
                ]
            )
        seq += n
    reset_queries()
