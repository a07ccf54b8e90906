"""Who is told what when cases and payment requests move (the issue's table),
in the app and by e-mail, and that nothing personal travels."""

from __future__ import annotations

import pytest
from django.core import mail

from fund import services
from notifications.models import DeliveryStatus, EmailDelivery, Notification
from referrals.services import ReferralInput, case_transition, case_update, referral_create
from tests.fund.conftest import request_payment

VICTIM_NAME = "Test Person"


def kinds_of(user) -> list[str]:
    return sorted(Notification.objects.filter(recipient=user).values_list("kind", flat=True))


def assessed_case(people):
    from django.utils import timezone

    case = referral_create(
        actor=people.caseworker,
        referral=ReferralInput(
            referring_agency="Test Labour Office",
            exploitation_types=["forced_labour"],
            summary="Fake summary text.",
            consent_given=True,
            consent_date=timezone.localdate(),
            victim={"full_name": VICTIM_NAME, "sex": "female", "nationality": "PH", "phone": "+966500000001"},
        ),
    )
    case = case_transition(case=case, actor=people.caseworker, name="start_assessment")
    return case_update(case=case, actor=people.caseworker, changes={"needs": ["shelter"], "risk_level": "low"})


def transition(disbursement, actor, name, **extra):
    return services.disbursement_transition(disbursement=disbursement, actor=actor, name=name, **extra)


def test_a_case_submitted_for_a_decision_tells_every_approver_and_nobody_else(people):
    case = assessed_case(people)
    mail.outbox.clear()
    case_transition(case=case, actor=people.caseworker, name="submit_for_approval")
    assert kinds_of(people.approver) == ["case_submitted"]
    assert kinds_of(people.approver2) == ["case_submitted"]
    assert kinds_of(people.finance) == []
    assert kinds_of(people.caseworker) == []
    assert sorted(m.to[0] for m in mail.outbox) == sorted([people.approver.email, people.approver2.email])
    assert case.reference in mail.outbox[0].body


@pytest.mark.parametrize(
    ("name", "reason"),
    [("approve", ""), ("reject", "Not eligible."), ("return_to_assessment", "More.")],
)
def test_the_assigned_caseworker_is_told_their_case_was_decided(people, name, reason):
    case = case_transition(case=assessed_case(people), actor=people.caseworker, name="submit_for_approval")
    case_transition(case=case, actor=people.approver, name=name, reason=reason)
    notice = Notification.objects.get(recipient=people.caseworker)
    assert notice.kind == "case_decided"
    assert notice.reference == case.reference
    assert notice.outcome == name
    # The deciding approver is not told about their own decision.
    assert kinds_of(people.approver) == ["case_submitted"]


def test_a_payment_request_goes_round_approvers_finance_and_back_to_its_requester(people, case, funded):
    disbursement = request_payment(case, people.caseworker)
    transition(disbursement, people.caseworker, "submit")
    assert kinds_of(people.approver) == ["payment_submitted"]
    transition(disbursement, people.approver, "approve")
    assert kinds_of(people.finance) == ["payment_approved"]
    transition(disbursement, people.finance, "mark_failed", reason="Bank returned it.")
    assert kinds_of(people.caseworker) == ["payment_failed"]
    assert kinds_of(people.finance) == ["payment_approved"]  # the one who marked it is not told
    transition(disbursement, people.finance, "pay", payment_reference="PAY-TEST-1")
    assert kinds_of(people.caseworker) == ["payment_failed", "payment_paid"]


def test_a_payment_failed_by_one_finance_officer_tells_the_others(people, case, funded):
    from tests.notifications.conftest import person

    colleague = person("finance")
    disbursement = request_payment(case, people.caseworker)
    transition(disbursement, people.caseworker, "submit")
    transition(disbursement, people.approver, "approve")
    transition(disbursement, people.finance, "mark_failed", reason="Bank returned it.")
    assert kinds_of(colleague) == ["payment_approved", "payment_failed"]


def test_a_returned_request_carries_the_approvers_reason_in_the_app_but_not_by_email(people, case, funded):
    disbursement = request_payment(case, people.caseworker)
    transition(disbursement, people.caseworker, "submit")
    mail.outbox.clear()
    transition(disbursement, people.approver, "return_for_changes", reason="Attach the clinic's quote.")
    notice = Notification.objects.get(recipient=people.caseworker)
    assert notice.kind == "payment_returned"
    assert Notification.objects.get(pk=notice.pk).note == "Attach the clinic's quote."
    [email] = mail.outbox
    assert email.to == [people.caseworker.email]
    assert "quote" not in email.body and "quote" not in email.subject


def test_a_rejected_request_tells_its_requester(people, case, funded):
    disbursement = request_payment(case, people.caseworker)
    transition(disbursement, people.caseworker, "submit")
    transition(disbursement, people.approver, "reject", reason="Not eligible.")
    assert kinds_of(people.caseworker) == ["payment_rejected"]


def test_the_first_of_two_approvals_does_not_call_finance_yet(people, case, funded):
    disbursement = request_payment(case, people.caseworker, amount="6000.00")
    transition(disbursement, people.caseworker, "submit")
    transition(disbursement, people.approver, "approve")
    assert kinds_of(people.finance) == []
    transition(disbursement, people.approver2, "approve")
    assert kinds_of(people.finance) == ["payment_approved"]


def test_emails_carry_a_reference_and_a_link_and_no_personal_data(people, case, funded):
    mail.outbox.clear()
    disbursement = request_payment(case, people.caseworker, payee_name="Fake Clinic Name")
    transition(disbursement, people.caseworker, "submit")
    transition(disbursement, people.approver, "approve")
    assert mail.outbox
    for email in mail.outbox:
        text = email.subject + email.body
        assert case.reference in email.body
        assert "http" in email.body
        for secret in (VICTIM_NAME, "Fake Clinic Name", "TEST-0000-0001", "Medical examination", "1000"):
            assert secret not in text


def test_emails_are_in_the_recipients_language(people, case, funded):
    from notifications.services import preference_update

    preference_update(user=people.approver, language="ar", email_off=[])
    disbursement = request_payment(case, people.caseworker)
    mail.outbox.clear()
    transition(disbursement, people.caseworker, "submit")
    by_address = {m.to[0]: m for m in mail.outbox}
    from django.utils import translation

    with translation.override("ar"):
        from notifications.kinds import Kind

        arabic_subject = str(Kind.PAYMENT_SUBMITTED.label)
    assert by_address[people.approver.email].subject == arabic_subject
    assert by_address[people.approver2.email].subject == "A payment request waits for approval"


def test_a_person_can_turn_off_one_kind_of_email_and_still_sees_it_in_the_app(people, case, funded):
    from notifications.services import preference_update

    preference_update(user=people.approver, language="en", email_off=["payment_submitted"])
    disbursement = request_payment(case, people.caseworker)
    mail.outbox.clear()
    transition(disbursement, people.caseworker, "submit")
    assert [m.to[0] for m in mail.outbox] == [people.approver2.email]
    assert kinds_of(people.approver) == ["payment_submitted"]


def test_a_refused_transition_writes_no_notification(people, case, funded):
    from config.errors import PermissionDenied

    disbursement = request_payment(case, people.caseworker)
    transition(disbursement, people.caseworker, "submit")
    before = Notification.objects.count()
    with pytest.raises(PermissionDenied):
        transition(disbursement, people.finance, "approve")
    assert Notification.objects.count() == before


def test_sent_emails_are_recorded_in_the_outbox(people, case, funded):
    transition(request_payment(case, people.caseworker), people.caseworker, "submit")
    deliveries = EmailDelivery.objects.all()
    assert deliveries.count() == 2
    assert {d.status for d in deliveries} == {DeliveryStatus.SENT}
