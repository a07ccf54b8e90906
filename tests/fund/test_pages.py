"""The fund's pages: overview and deposits, queues, bank files, the case section."""

from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.template.loader import render_to_string
from django.test import Client, RequestFactory
from django.urls import reverse

from audit.models import AuditEvent
from config.errors import PermissionDenied, ValidationFailed
from fund import services
from fund.models import Disbursement, LedgerEntry
from fund.selectors import case_disbursement_context
from fund.services.bank import payees_reveal
from tests.fund.conftest import balances, drive, request_payment


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _one_h1(html: str) -> bool:
    return html.count("<h1") == 1


@pytest.mark.parametrize("who", ["approver", "finance", "auditor"])
def test_overview_shows_balances_and_ledger(people, funded, who):
    response = client_for(getattr(people, who)).get(reverse("fund:overview"))
    html = response.content.decode()
    assert response.status_code == 200 and _one_h1(html)
    assert "100,000.00 SAR" in html and "DEP-1" in html
    assert "5,000.00 SAR" in html and "50,000.00 SAR" in html  # the policy in force
    assert ('name="source"' in html) == (who == "finance")
    assert "style=" not in html and "<script>" not in html


@pytest.mark.parametrize("who", ["caseworker", "admin", "intake"])
def test_overview_is_refused_to_other_roles(people, who):
    assert client_for(getattr(people, who)).get(reverse("fund:overview")).status_code == 403


def test_deposit_form(people):
    client = client_for(people.finance)
    data = {"amount": "750.25", "source": "Demo Donor", "reference": "DEP-9"}
    assert client.post(reverse("fund:deposit_create"), data).status_code == 302
    assert balances()[0] == Decimal("750.25")
    bad = client.post(reverse("fund:deposit_create"), {**data, "amount": "1.234"})
    assert bad.status_code == 400 and LedgerEntry.objects.count() == 1
    assert client_for(people.approver).post(reverse("fund:deposit_create"), data).status_code == 403


def test_approval_queue_lists_submitted_requests_with_policy(people, case, funded):
    big = drive(request_payment(case, people.caseworker, amount="6000.00"), people, "submitted")
    services.disbursement_approve(disbursement=big, actor=people.approver)
    drive(request_payment(case, people.caseworker, amount="10.00"), people, "draft")
    response = client_for(people.approver2).get(reverse("fund:approval_queue"))
    html = response.content.decode()
    assert response.status_code == 200 and _one_h1(html)
    assert case.reference in html and "6,000.00 SAR" in html and "1 of 2" in html
    assert case.get_absolute_url() in html  # the case is linked
    assert "0.00 SAR of the 50,000.00 SAR limit" in html
    assert people.approver.username in html and "10.00 SAR" not in html
    assert html.count(reverse("fund:disbursement_decide", args=[big.pk])) == 1  # one decision form
    assert 'value="approve"' in html and "data-confirm=" in html
    # the approver who already signed is told the request waits for a second approver
    mine = client_for(people.approver).get(reverse("fund:approval_queue")).content.decode()
    assert reverse("fund:disbursement_decide", args=[big.pk]) not in mine
    assert "You approved; waiting for a second approver." in mine
    assert client_for(people.finance).get(reverse("fund:approval_queue")).status_code == 403


def test_one_decision_form_approves_then_waits_for_the_second_approver(people, case, funded):
    big = drive(request_payment(case, people.caseworker, amount="6000.00"), people, "submitted")
    url = reverse("fund:disbursement_decide", args=[big.pk])
    first = client_for(people.approver).post(url, {"decision": "approve"}, follow=True)
    assert "You approved; the request now waits for a second approver." in first.content.decode()
    big.refresh_from_db()
    assert big.status == "submitted"
    second = client_for(people.approver2).post(url, {"decision": "approve"}, follow=True)
    big.refresh_from_db()
    assert big.status == "approved" and "the money is committed" in second.content.decode()


def test_decision_form_refuses_unknown_choices_and_missing_reasons(people, case, funded):
    request = drive(request_payment(case, people.caseworker, amount="100.00"), people, "submitted")
    url = reverse("fund:disbursement_decide", args=[request.pk])
    client = client_for(people.approver)
    unknown = client.post(url, {"decision": "pay"}, follow=True).content.decode()
    assert "Choose a decision" in unknown
    no_reason = client.post(url, {"decision": "reject", "reason": ""}, follow=True)
    request.refresh_from_db()
    assert request.status == "submitted" and no_reason.status_code == 200
    client.post(url, {"decision": "return_for_changes", "reason": "Add the clinic's invoice"})
    request.refresh_from_db()
    assert request.status == "draft"
    # the requester cannot decide on their own request
    own = drive(request_payment(case, people.caseworker, amount="50.00"), people, "submitted")
    client_for(people.caseworker).post(reverse("fund:disbursement_decide", args=[own.pk]), {"decision": "approve"})
    own.refresh_from_db()
    assert own.status == "submitted"


def _reveal_events():
    return AuditEvent.objects.filter(action="disbursement.payee_revealed").order_by("seq")


def test_payment_queue_masks_payees_and_offers_a_reveal_with_a_reason(people, case, funded):
    drive(request_payment(case, people.caseworker, payee_account="TEST-9999-0001"), people, "approved")
    paid = drive(request_payment(case, people.caseworker), people, "paid")
    response = client_for(people.finance2).get(reverse("fund:payment_queue"))
    html = response.content.decode()
    assert response.status_code == 200 and _one_h1(html)
    assert "TEST-9999-0001" not in html and "Test Clinic" not in html
    assert "***0001" in html and "T*** C***" in html
    assert paid.payment_reference in html  # waiting for reconciliation
    assert f'action="{reverse("fund:payment_queue_reveal")}"' in html
    assert '<label class="form-label" for="id_reason">' in html and 'name="reason"' in html
    assert "Reveal payee details" in html
    assert not _reveal_events().exists()
    for who in ("approver", "auditor", "caseworker"):
        assert client_for(getattr(people, who)).get(reverse("fund:payment_queue")).status_code == 403


def test_revealing_payees_shows_them_in_that_response_only_and_audits_each(people, case, funded):
    approved = drive(request_payment(case, people.caseworker, payee_account="TEST-9999-0001"), people, "approved")
    failed = drive(request_payment(case, people.caseworker, payee_name="Other Clinic"), people, "failed")
    drive(request_payment(case, people.caseworker, payee_name="Paid Clinic"), people, "paid")
    client = client_for(people.finance2)
    response = client.post(reverse("fund:payment_queue_reveal"), {"reason": "Preparing the bank transfers."})
    html = response.content.decode()
    assert response.status_code == 200 and _one_h1(html)
    assert "TEST-9999-0001" in html and "Test Clinic" in html and "Other Clinic" in html
    assert "Paid Clinic" not in html  # only the payments to pay are shown, and revealed
    assert "no-store" in response["Cache-Control"]
    # Acting from this response returns to the (masked) queue, not to the reveal.
    assert 'type="hidden" name="next" value="/fund/payments/"' in html
    assert 'type="hidden" name="next" value="/fund/payments/reveal/"' not in html
    events = list(_reveal_events())
    assert [e.object_id for e in events] == [str(approved.pk), str(failed.pk)]
    for event in events:
        assert (event.object_type, event.actor_username) == ("disbursement", people.finance2.username)
        assert event.reason == "Preparing the bank transfers."
        assert (event.payload["case_id"], event.payload["case_reference"]) == (str(case.pk), case.reference)
        assert "batch" not in event.payload
        assert "TEST-9999-0001" not in str(event.payload) and "Clinic" not in str(event.payload)
    # A later page is masked again, and shows nothing new to record.
    later = client.get(reverse("fund:payment_queue")).content.decode()
    assert "TEST-9999-0001" not in later and "Test Clinic" not in later
    assert _reveal_events().count() == 2


@pytest.mark.parametrize("reason", ["", "   "])
def test_a_reveal_without_a_reason_is_refused_and_shows_nothing(people, case, funded, reason):
    drive(request_payment(case, people.caseworker, payee_account="TEST-9999-0001"), people, "approved")
    response = client_for(people.finance2).post(reverse("fund:payment_queue_reveal"), {"reason": reason})
    html = response.content.decode()
    assert response.status_code == 400 and "This field is required." in html
    assert "TEST-9999-0001" not in html and "***0001" in html
    assert not _reveal_events().exists()


def test_only_finance_may_reveal_payees(people, case, funded):
    drive(request_payment(case, people.caseworker), people, "approved")
    url = reverse("fund:payment_queue_reveal")
    for who in ("approver", "auditor", "caseworker"):
        assert client_for(getattr(people, who)).post(url, {"reason": "Curious."}).status_code == 403
    assert client_for(people.finance2).get(url).status_code == 405
    assert not _reveal_events().exists()


def test_the_reveal_service_refuses_without_reason_or_finance(people, case, funded):
    drive(request_payment(case, people.caseworker), people, "approved")
    with pytest.raises(ValidationFailed) as refused:
        payees_reveal(actor=people.finance2, reason=" ")
    assert "reason" in refused.value.errors
    with pytest.raises(ValidationFailed):
        payees_reveal(actor=people.finance2, reason="x" * 2001)
    with pytest.raises(PermissionDenied):
        payees_reveal(actor=people.approver, reason="Curious.")
    assert not _reveal_events().exists()


def test_the_payment_queue_query_count_does_not_grow_with_rows(people, case, funded, django_assert_max_num_queries):
    def add_rows():
        drive(request_payment(case, people.caseworker), people, "approved")
        drive(request_payment(case, people.caseworker), people, "failed")
        drive(request_payment(case, people.caseworker), people, "paid")

    add_rows()
    client = client_for(people.finance2)
    client.get(reverse("fund:payment_queue"))  # warm the session and caches
    with django_assert_max_num_queries(20) as few:
        client.get(reverse("fund:payment_queue"))
    for _ in range(4):
        add_rows()
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(reverse("fund:payment_queue"))
    assert response.content.decode().count("***0001") == 10  # 5 approved + 5 failed, masked


def test_payee_details_are_masked_everywhere_else(people, case, funded):
    drive(request_payment(case, people.caseworker, payee_account="TEST-9999-0001"), people, "submitted")
    for who, url in (("approver", reverse("fund:approval_queue")), ("caseworker", _case_url(case))):
        html = client_for(getattr(people, who)).get(url).content.decode()
        assert "TEST-9999-0001" not in html and "Test Clinic" not in html


def test_transition_buttons_act_and_report_refusals(people, case, funded):
    disbursement = drive(request_payment(case, people.caseworker), people, "approved")
    url = reverse("fund:disbursement_transition", args=[disbursement.pk, "pay"])
    client = client_for(people.finance2)
    missing = client.post(url, {"payment_reference": "", "next": "/fund/payments/"}, follow=True)
    assert "payment reference is required" in missing.content.decode()
    assert Disbursement.objects.get(pk=disbursement.pk).status == "approved"
    done = client.post(url, {"payment_reference": "TRX-5", "next": "https://evil.example/"})
    assert done.status_code == 302 and done["Location"] == _case_url(case)
    assert Disbursement.objects.get(pk=disbursement.pk).status == "paid"
    hidden = client_for(people.outsider).post(url, {"payment_reference": "X"})
    assert hidden.status_code == 404


def test_batch_download_and_statement_upload(people, case, funded):
    drive(request_payment(case, people.caseworker), people, "approved")
    paid = drive(request_payment(case, people.caseworker, amount="42.00"), people, "paid")
    client = client_for(people.finance2)
    batch = client.post(reverse("fund:batch_export"))
    assert batch.status_code == 200 and batch["Content-Type"].startswith("text/csv")
    assert "attachment" in batch["Content-Disposition"]
    assert client.get(reverse("fund:batch_export")).status_code == 405
    statement = SimpleUploadedFile("s.csv", f"reference,amount\n{paid.payment_reference},42.00\nX-1,5\n".encode())
    result = client.post(reverse("fund:statement_import"), {"statement_reference": "S-9", "file": statement})
    html = result.content.decode()
    assert result.status_code == 200 and _one_h1(html) and "X-1" in html
    assert Disbursement.objects.get(pk=paid.pk).status == "reconciled"
    broken = SimpleUploadedFile("s.csv", b"nothing useful")
    refused = client.post(reverse("fund:statement_import"), {"statement_reference": "S-10", "file": broken})
    assert refused.status_code == 400 and "cannot be read" in refused.content.decode()


def _case_url(case):
    return reverse("fund:case_disbursements", args=[case.pk])


def test_case_section_offers_request_form_and_transitions(people, case, funded):
    draft = request_payment(case, people.caseworker)
    html = client_for(people.caseworker).get(_case_url(case)).content.decode()
    assert _one_h1(html) and 'name="justification"' in html
    assert reverse("fund:disbursement_transition", args=[draft.pk, "submit"]) in html
    approver_html = client_for(people.approver).get(_case_url(case)).content.decode()
    assert 'name="justification"' not in approver_html
    assert client_for(people.outsider).get(_case_url(case)).status_code == 404


def test_request_form_creates_a_draft_or_shows_errors(people, case):
    url = reverse("fund:disbursement_create", args=[case.pk])
    data = {
        "category": "legal",
        "amount": "300.00",
        "payee_type": "vendor",
        "payee_name": "Demo Legal Aid",
        "payee_account": "DEMO-0000-0042",
        "justification": "Court fees.",
        "next": _case_url(case),
    }
    client = client_for(people.caseworker)
    assert client.post(url, {**data, "amount": "-3"}).status_code == 400
    assert client.post(url, data).status_code == 302
    created = Disbursement.objects.get()
    assert (created.status, created.amount, created.payee_account) == ("draft", Decimal("300.00"), "DEMO-0000-0042")
    assert client_for(people.approver).post(url, data).status_code == 403


def test_case_section_include_renders_for_the_case_page(people, case):
    request = RequestFactory().get("/cases/x/")
    request.user = people.caseworker
    context = case_disbursement_context(people.caseworker, case)
    html = render_to_string("fund/case_disbursements.html", context, request=request)
    assert "<h2" in html and "<h1" not in html and 'name="amount"' in html
    assert case_disbursement_context(people.admin, case) == {"fund_section_visible": False}
    assert case_disbursement_context(people.outsider, case) == {"fund_section_visible": False}
