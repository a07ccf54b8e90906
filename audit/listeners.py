"""Who else reacts when an event is recorded, told by the apps above.

The log sits below the domain apps and never imports them, yet some of them
must act on what it records in the same transaction: the notifications app
tells approvers that a payment request waits for them, in the transaction that
submitted it, so the notice commits with the change or not at all.

A listener is `fn(event, *, reason)`: it gets the recorded `AuditEvent` (numbered
and hashed when it is appended, at the latest at commit) and the
plain reason given with it (the event may hold it only encrypted). Listeners
run synchronously, in registration order (the order of `INSTALLED_APPS`),
inside the caller's transaction; if one raises, the whole use case rolls back.
They must not record audit events themselves.
"""

from __future__ import annotations

from collections.abc import Callable

_listeners: list[Callable] = []


def register_event_listener(fn: Callable) -> Callable:
    if fn not in _listeners:
        _listeners.append(fn)
    return fn


def run_event_listeners(event, *, reason: str = "") -> None:
    for listener in _listeners:
        listener(event, reason=reason)
