"""referrals.hooks: how apps above referrals take part in a case's work.

The fund's registrations are exercised by the fund tests (withdrawal cancels
payment requests, open requests block closing); these tests pin down the
registry's own contract with a throw-away participant.
"""

from __future__ import annotations

import pytest

from audit.models import AuditEvent
from config.errors import TransitionNotAllowed
from referrals import hooks, services
from referrals.choices import CaseStatus
from vault.models import DataKey


@pytest.fixture
def registered(monkeypatch):
    """Register hooks on copies of the registries, restored after the test."""
    for name in ("withdrawal", "close_blockers", "erase", "page_sections"):
        monkeypatch.setattr(hooks.case_hooks, name, list(getattr(hooks.case_hooks, name)))
    return hooks


def test_fund_registers_its_hooks_at_start_up():
    from fund import case_hooks

    assert case_hooks.cancel_open_disbursements in hooks.case_hooks.withdrawal
    assert case_hooks.open_disbursements_block_closing in hooks.case_hooks.close_blockers
    assert case_hooks.payments_section in hooks.case_hooks.page_sections


def test_registering_twice_keeps_one_entry(registered):
    def hook(**kwargs):
        return {}

    registered.register_withdrawal_hook(hook)
    registered.register_withdrawal_hook(hook)
    assert registered.case_hooks.withdrawal.count(hook) == 1


def test_withdrawal_hook_runs_in_the_transaction_and_fills_the_event(people, registered):
    case = people.case(CaseStatus.IN_ASSESSMENT)
    seen = []

    def hook(*, case, actor, reason):
        seen.append((case.status, actor, reason))
        return {"things_cancelled": 3}

    registered.register_withdrawal_hook(hook)
    services.case_transition(case=case, actor=people.caseworker, name="withdraw", reason="Fake: consent withdrawn")
    assert seen == [(CaseStatus.WITHDRAWN, people.caseworker, "Fake: consent withdrawn")]
    event = AuditEvent.objects.filter(action="case.withdraw", object_id=str(case.pk)).get()
    assert event.payload["things_cancelled"] == 3
    assert event.payload["disbursements_cancelled"] == 0  # the fund's own hook ran too


def test_a_failing_withdrawal_hook_rolls_the_withdrawal_back(people, registered):
    case = people.case(CaseStatus.IN_ASSESSMENT)

    def hook(**kwargs):
        raise TransitionNotAllowed("Fake refusal from a participant.")

    registered.register_withdrawal_hook(hook)
    with pytest.raises(TransitionNotAllowed):
        services.case_transition(case=case, actor=people.caseworker, name="withdraw", reason="Fake reason")
    case.refresh_from_db()
    assert case.status == CaseStatus.IN_ASSESSMENT
    assert not AuditEvent.objects.filter(action="case.withdraw", object_id=str(case.pk)).exists()


def test_close_blocker_refuses_closing_and_hides_the_button(people, registered):
    from referrals.permissions import available_transitions

    case = people.case(CaseStatus.ACTIVE)
    assert "close" in available_transitions(people.caseworker, case)
    registered.register_close_blocker(lambda case: "Fake: something is still open.")
    assert "close" not in available_transitions(people.caseworker, case)
    with pytest.raises(TransitionNotAllowed, match="still open"):
        services.case_transition(case=case, actor=people.caseworker, name="close", reason="Fake reason")


def test_erase_hook_runs_before_the_data_key_is_destroyed(people, registered):
    case = people.case(CaseStatus.CLOSED)
    seen = []

    def hook(*, case, actor):
        seen.append(DataKey.objects.get(pk=case.data_key_id).destroyed_at)
        return {"documents_deleted": 2}

    registered.register_erase_hook(hook)
    services.case_erase(case=case, actor=people.caseworker, reason="Fake: retention period over")
    assert seen == [None]
    event = AuditEvent.objects.get(action="case.erased", object_id=str(case.pk))
    assert event.payload["documents_deleted"] == 2
    assert DataKey.objects.get(pk=case.data_key_id).destroyed_at is not None


def test_case_page_includes_registered_sections(people, registered, browser, settings, tmp_path):
    template_dir = tmp_path / "templates"
    (template_dir / "extra").mkdir(parents=True)
    (template_dir / "extra" / "section.html").write_text("<p>Extra section for {{ extra_reference }}</p>")
    settings.TEMPLATES = [{**settings.TEMPLATES[0], "DIRS": [*settings.TEMPLATES[0]["DIRS"], template_dir]}]
    case = people.case(CaseStatus.ACTIVE)
    registered.register_case_page_section(
        lambda request, case: {"template": "extra/section.html", "extra_reference": case.reference}
    )
    registered.register_case_page_section(lambda request, case: None)  # a section with nothing to show
    html = browser(people.caseworker).get(f"/cases/{case.pk}/").content.decode()
    assert f"Extra section for {case.reference}" in html
    assert "Payment requests" in html  # the fund's section is still there
