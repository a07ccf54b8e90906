"""What the audit log knows about the objects it records, told by the apps
that own them.

The log sits below the domain apps and never imports them. An auditor still
searches it by a case reference and reads a case's history together with its
payment requests' events, so the owning apps register here, in their
`AppConfig.ready()`:

- a subject finder, `fn(reference) -> Subject | None`: the object a reference
  names (e.g. `VAF-2026-000123`) and the facts shown atop its history;
- a related-objects function, `fn(object_id) -> list[str]`: the ids of other
  objects whose events belong to that object's history (a case's payment
  requests, its documents).

Registered functions are called in registration order; the first finder that
recognises a reference wins.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Subject:
    object_id: str
    reference: str
    facts: list[tuple[str, str]] = field(default_factory=list)  # (label, shown value), no personal data


_finders: list[Callable[[str], Subject | None]] = []
_related: list[Callable[[str], Iterable[str]]] = []


def register_subject_finder(fn: Callable[[str], Subject | None]) -> Callable:
    if fn not in _finders:
        _finders.append(fn)
    return fn


def register_related_objects(fn: Callable[[str], Iterable[str]]) -> Callable:
    if fn not in _related:
        _related.append(fn)
    return fn


def subject_find(reference: str) -> Subject | None:
    reference = (reference or "").strip().upper()
    if not reference:
        return None
    for finder in _finders:
        subject = finder(reference)
        if subject is not None:
            return subject
    return None


def history_object_ids(object_id: str) -> tuple[str, ...]:
    """The object itself and every registered related object, as strings."""
    ids = [str(object_id)]
    for related in _related:
        ids.extend(str(pk) for pk in related(str(object_id)))
    return tuple(ids)
