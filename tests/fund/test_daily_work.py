"""Daily work on the fund pages: what waits on the home page, returned
requests that say why, the bank batch by chosen rows."""

import pytest
from django.urls import reverse

from fund import services
from tests.fund.conftest import drive, request_payment
from tests.fund.test_pages import client_for


def _home(user) -> str:
    response = client_for(user).get(reverse("home"))
    assert response.status_code == 200
    return response.content.decode()


def test_home_counts_what_waits_for_each_role(people, case, funded):
    drive(request_payment(case, people.caseworker, amount="6000.00"), people, "submitted")
    drive(request_payment(case, people.caseworker, amount="100.00"), people, "approved")
    drive(request_payment(case, people.caseworker, amount="200.00"), people, "paid")
    approver = _home(people.approver3)
    assert "Payment requests waiting for your approval" in approver
    assert '<span class="badge text-bg-primary me-1">1</span> Payment requests waiting for your approval' in approver
    finance = _home(people.finance2)
    assert '<span class="badge text-bg-primary me-1">1</span> Approved payments to make' in finance
    assert '<span class="badge text-bg-primary me-1">1</span> Payments to reconcile' in finance


def test_home_does_not_count_requests_the_approver_already_signed(people, case, funded):
    big = drive(request_payment(case, people.caseworker, amount="6000.00"), people, "submitted")
    services.disbursement_approve(disbursement=big, actor=people.approver)
    mine = _home(people.approver)
    assert '<span class="badge text-bg-secondary me-1">0</span> Payment requests waiting for your approval' in mine


def test_a_returned_request_shows_who_returned_it_when_and_why(people, case, funded):
    submitted = drive(request_payment(case, people.caseworker), people, "submitted")
    services.disbursement_transition(
        disbursement=submitted, actor=people.approver, name="return_for_changes", reason="Attach the clinic's quote"
    )
    case_page = client_for(people.caseworker).get(case.get_absolute_url()).content.decode()
    assert "Returned for changes" in case_page and "Attach the clinic&#x27;s quote" in case_page
    assert people.approver.username in case_page
    assert "Draft" in case_page
    edit = client_for(people.caseworker).get(reverse("fund:disbursement_edit", args=[submitted.pk])).content.decode()
    assert "Attach the clinic&#x27;s quote" in edit and people.approver.username in edit
    home = _home(people.caseworker)
    assert '<span class="badge text-bg-primary me-1">1</span> Payment requests returned for changes' in home


def test_an_active_case_offers_a_payment_request_as_the_next_step(people, case):
    html = client_for(people.caseworker).get(case.get_absolute_url()).content.decode()
    next_step = html.index('id="next-step"')
    assert html.index("Request a payment", next_step) < html.index("Close the case")
    assert 'id="request-payment"' in html and "<details" not in html
    assert 'data-confirm="Close this case?' in html


@pytest.mark.parametrize("chosen", [True, False])
def test_the_bank_batch_holds_the_chosen_payments_and_the_page_says_what_was_sent(people, case, funded, chosen):
    approved = drive(request_payment(case, people.caseworker, amount="100.00"), people, "approved")
    failed = drive(request_payment(case, people.caseworker, amount="200.00"), people, "failed")
    client = client_for(people.finance2)
    page = client.get(reverse("fund:payment_queue")).content.decode()
    assert f'value="{approved.pk}" id="batch-{approved.pk}" checked' in page
    assert f'value="{failed.pk}" id="batch-{failed.pk}">' in page  # a failed payment is not ticked
    data = {"choose": "1", "disbursement": [str(approved.pk)]} if chosen else {"choose": "1"}
    response = client.post(reverse("fund:batch_export"), data)
    if not chosen:
        assert response.status_code == 302
        assert "Choose at least one payment" in client.get(reverse("fund:payment_queue")).content.decode()
        return
    csv = b"".join(response.streaming_content if response.streaming else [response.content]).decode()
    assert str(approved.pk) in csv and str(failed.pk) not in csv
    after = client.get(reverse("fund:payment_queue")).content.decode()
    assert "Last bank batch: downloaded by" in after and "Sent in a batch on" in after
