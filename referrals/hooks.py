"""How apps above `referrals` take part in a case's work without `referrals`
importing them.

Dependencies run one way (`fund` -> `referrals` -> `vault`/`audit`/`accounts`):
`referrals` never imports `fund`, yet withdrawing a case must cancel its
payment requests in the same transaction, closing it must wait for them, and
the case page shows them. So `referrals` offers these small registries and the
higher apps fill them in their `AppConfig.ready()`. Unlike signals, every hook
is explicit, ordered (registration order, i.e. INSTALLED_APPS order) and
called synchronously inside the caller's transaction, so a hook that raises
rolls the whole use case back.

- withdrawal hooks: `fn(*, case, actor, reason) -> dict` run by the withdraw
  transition after the case row is locked and saved, before its audit event;
  what they return is merged into that event's payload.
- close blockers: `fn(case) -> str | None`, a message when the case may not
  be closed yet (also hides the Close button).
- erase hooks: `fn(*, case, actor) -> dict` run by `case_erase` under the case
  lock, before the data key is destroyed; what they return goes into the
  `case.erased` payload.
- case page sections: `fn(request, case) -> dict | None`, a section's
  `template` and the context it needs (keys prefixed by the app's name).
- next steps: `fn(request, case) -> dict | None`, the viewer's next step that
  a higher app owns (`{"label", "url"}`, e.g. "Request a payment" on an
  active case), shown first and most prominently on the case page.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass
class CaseHooks:
    withdrawal: list[Callable[..., dict | None]] = field(default_factory=list)
    close_blockers: list[Callable[..., str | None]] = field(default_factory=list)
    erase: list[Callable[..., dict | None]] = field(default_factory=list)
    page_sections: list[Callable[..., dict | None]] = field(default_factory=list)
    next_steps: list[Callable[..., dict | None]] = field(default_factory=list)


case_hooks = CaseHooks()


def _register(registry: list, fn: Callable) -> Callable:
    if fn not in registry:  # ready() may run twice (tests, autoreload)
        registry.append(fn)
    return fn


def register_withdrawal_hook(fn: Callable[..., dict | None]) -> Callable:
    return _register(case_hooks.withdrawal, fn)


def register_close_blocker(fn: Callable[..., str | None]) -> Callable:
    return _register(case_hooks.close_blockers, fn)


def register_erase_hook(fn: Callable[..., dict | None]) -> Callable:
    return _register(case_hooks.erase, fn)


def register_case_page_section(fn: Callable[..., dict | None]) -> Callable:
    return _register(case_hooks.page_sections, fn)


def register_next_step(fn: Callable[..., dict | None]) -> Callable:
    return _register(case_hooks.next_steps, fn)


def next_steps(request, case) -> list[dict]:
    """The registered next steps that apply to this viewer and case, in order."""
    return [step for step in (fn(request, case) for fn in case_hooks.next_steps) if step]


def run_withdrawal_hooks(*, case, actor, reason: str) -> dict:
    payload: dict = {}
    for hook in case_hooks.withdrawal:
        payload.update(hook(case=case, actor=actor, reason=reason) or {})
    return payload


def close_blocker(case) -> str | None:
    """The first registered reason why `case` may not be closed now, or None."""
    for blocker in case_hooks.close_blockers:
        message = blocker(case)
        if message:
            return message
    return None


def run_erase_hooks(*, case, actor) -> dict:
    payload: dict = {}
    for hook in case_hooks.erase:
        payload.update(hook(case=case, actor=actor) or {})
    return payload


def case_page_sections(request, case) -> tuple[list[str], dict]:
    """The section templates to include on the case page, in order, and the
    context they need."""
    templates: list[str] = []
    context: dict = {}
    for section in case_hooks.page_sections:
        result = section(request, case)
        if not result:
            continue
        result = dict(result)
        templates.append(result.pop("template"))
        context.update(result)
    return templates, context
