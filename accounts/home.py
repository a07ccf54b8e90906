"""What waits for this person, counted on their home page.

`accounts` knows nothing about cases or payments, so the apps that own them
register counters here from their `AppConfig.ready()`:
`register_home_counter(fn)` with `fn(user) -> list[WaitingWork]`. Counters
run in registration order; each returns only what concerns the user's roles.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class WaitingWork:
    role: str  # the role whose card shows it
    label: str  # "Payment requests waiting for your approval"
    count: int
    url: str  # where that work is done


_counters: list[Callable[..., list[WaitingWork]]] = []


def register_home_counter(fn: Callable[..., list[WaitingWork]]) -> Callable:
    if fn not in _counters:  # ready() may run twice
        _counters.append(fn)
    return fn


def waiting_work_for(user) -> dict[str, list[WaitingWork]]:
    """Every registered counter's work for `user`, grouped by role."""
    grouped: dict[str, list[WaitingWork]] = {}
    for counter in _counters:
        for item in counter(user) or []:
            grouped.setdefault(item.role, []).append(item)
    return grouped
