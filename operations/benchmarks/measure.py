"""Timing, query counting and peak memory of one benchmark row."""

from __future__ import annotations

import os
import statistics
import time
import tracemalloc
from collections.abc import Callable
from dataclasses import asdict, dataclass, field

from django.db import connection
from django.test.utils import CaptureQueriesContext


@dataclass
class Row:
    """One line of the report: `value` measured against `baseline` in the same run.

    `better` says which way the ratio should go: "lower" (value / baseline,
    a cost) or "higher" (baseline / value for times, i.e. a speed relative to
    the baseline; or value / baseline for throughputs).
    """

    name: str
    unit: str
    baseline_label: str
    baseline: float
    value: float
    ratio: float
    target: str = ""
    queries: int | None = None
    peak_mib: float | None = None
    notes: dict = field(default_factory=dict)

    @property
    def met(self) -> bool | None:
        if not self.target:
            return None
        op, limit = self.target.split(" ", 1)
        return self.ratio <= float(limit) if op == "<=" else self.ratio >= float(limit)

    def as_dict(self) -> dict:
        return {**asdict(self), "met": self.met}


def median_seconds(fn: Callable[[], object], repeat: int = 5) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def alternate_medians(first: Callable[[], object], second: Callable[[], object], repeat: int) -> tuple[float, float]:
    """The median time of each, after one warm-up call each, sampled alternately."""
    first()
    second()
    times: tuple[list[float], list[float]] = ([], [])
    for _ in range(repeat):
        for fn, samples in ((first, times[0]), (second, times[1])):
            start = time.perf_counter()
            fn()
            samples.append(time.perf_counter() - start)
    return statistics.median(times[0]), statistics.median(times[1])


def machine_busy_seconds() -> float | None:
    """CPU time the whole machine (every process: the bench, the database
    server, the kernel) has spent busy since boot, from Linux's /proc/stat;
    None where there is no such file."""
    try:
        with open("/proc/stat") as stat:
            user, nice, system, _idle, _iowait, irq, softirq, steal = (int(v) for v in stat.readline().split()[1:9])
    except (OSError, ValueError):
        return None
    return (user + nice + system + irq + softirq + steal) / os.sysconf("SC_CLK_TCK")


def query_count(fn: Callable[[], object]) -> int:
    with CaptureQueriesContext(connection) as ctx:
        fn()
    return len(ctx.captured_queries)


def peak_mib(fn: Callable[[], object]) -> float:
    """Peak Python memory of one run (traced separately: tracing slows a run)."""
    tracemalloc.start()
    try:
        fn()
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return peak / 2**20


def cost_row(name: str, *, baseline_label: str, baseline_fn, fn, target: str = "", repeat: int = 5, unit="ms") -> Row:
    """`fn` against `baseline_fn`, both timed here, alternately (after a warm-up
    call each); ratio = time / baseline time."""
    base, value = alternate_medians(baseline_fn, fn, repeat)
    return Row(
        name,
        unit,
        baseline_label,
        base * 1000,
        value * 1000,
        value / base if base else float("nan"),
        target,
        queries=query_count(fn),
        peak_mib=peak_mib(fn),
    )
