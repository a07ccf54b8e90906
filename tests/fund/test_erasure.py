"""Payments of a case whose personal data was erased stay listed, with the
payee shown as erased rather than failing."""

from django.test import Client

from referrals.services import case_erase, case_transition
from tests.fund.conftest import deposit, drive, request_payment


def test_paid_payment_of_an_erased_case_shows_erased_payee(people, case):
    deposit(people.finance)
    drive(request_payment(case, people.caseworker, amount="100.00"), people, "paid")
    case_transition(case=case, actor=people.caseworker, name="close", reason="Fake: assistance ended")
    case_erase(case=case, actor=None, reason="Fake erasure request")

    finance = Client()
    finance.force_login(people.finance)
    page = finance.get("/fund/payments/")
    assert page.status_code == 200  # the paid payment is listed to reconcile
    assert case.reference in page.content.decode()
    assert finance.get(f"/fund/cases/{case.pk}/").status_code == 200
    auditor = Client()
    auditor.force_login(people.auditor)
    listing = auditor.get("/api/v1/disbursements/")
    assert listing.status_code == 200
    assert listing.json()["results"][0]["payee_name"] == "[erased]"
