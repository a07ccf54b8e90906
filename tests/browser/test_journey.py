"""The whole journey in a real browser, in English and Arabic, on a desk
(1280 px) and a phone (390 px): a caseworker takes a referral through
assessment; an approver accepts the case; the caseworker requests a payment
that needs two approvers; finance pays it and another finance officer
reconciles it; the auditor verifies the log and exports it. axe-core runs
on every page visited (no violations) and no page scrolls sideways.
"""

from __future__ import annotations

import re
from decimal import Decimal

import pytest

from fund import services as fund_services
from tests.browser.conftest import WIDTHS, Visitor
from tests.factories import PASSWORD, make_user

ORG = "Browser Test Shelter"
# A syntactically valid IBAN for tests (the well-known Saudi example); no real account.
TEST_IBAN = "SA03 8000 0000 6080 1016 7519"


@pytest.fixture
def team(transactional_db):
    people = {
        "caseworker": make_user("caseworker", organisation=ORG),
        "approver": make_user("approver", organisation=ORG),
        "approver2": make_user("approver", organisation=ORG),
        "finance": make_user("finance", organisation=ORG),
        "finance2": make_user("finance", organisation=ORG),
        "auditor": make_user("auditor", organisation=ORG),
    }
    fund_services.fund_deposit(
        actor=people["finance"], amount=Decimal("100000.00"), source="Test budget", reference="DEP-TEST-1"
    )
    return people


@pytest.mark.parametrize("width", list(WIDTHS.values()), ids=list(WIDTHS))
@pytest.mark.parametrize("language", ["en", "ar"])
def test_the_whole_journey(chromium, live_server, team, language, width):
    report: list[str] = []

    def visitor(role: str) -> Visitor:
        person = Visitor(chromium, live_server.url, language=language, width=width, report=report)
        person.sign_in(team[role].username, PASSWORD)
        return person

    # Caseworker: intake, assessment, submission.
    caseworker = visitor("caseworker")
    page = caseworker.page
    caseworker.goto("/cases/new/")
    page.fill("input[name=referring_agency]", "Test Labour Office")
    page.fill("input[name=full_name]", "Test Person Alpha")
    page.select_option("select[name=nationality]", "PH")
    page.fill("input[name=phone]", "+966 55 000 0000")
    page.check("input[name=exploitation_types][value=forced_labour]")
    page.check("input[name=consent_given]")
    caseworker.submit("main form button[type=submit]")
    case_url = re.sub(r"^https?://[^/]+", "", page.url)
    assert re.fullmatch(r"/cases/[0-9a-f-]{36}/", case_url), page.url
    caseworker.submit("form[action$='/transitions/start_assessment/'] button")
    # The page says what is missing and links to the field.
    assert page.locator(".missing-list a").count() >= 2
    caseworker.goto(case_url + "assessment/")
    page.check("input[name=needs][value=shelter]")
    page.select_option("select[name=risk_level]", "high")
    caseworker.submit("main form button[type=submit]")
    caseworker.submit("form[action$='/transitions/submit_for_approval/'] button")

    # Approver: accepts the case (with a confirmation).
    approver = visitor("approver")
    approver.goto("/")
    approver.goto(case_url)
    approver.submit("form[action$='/transitions/approve/'] button")
    assert page.url.endswith(case_url)

    # Caseworker: the next step is the payment request.
    caseworker.goto(case_url)
    assert page.locator("#next-step a[href='#request-payment']").count() == 1
    page.select_option("#request-payment select[name=category]", "shelter")
    page.fill("#request-payment input[name=amount]", "6000.00")
    page.select_option("#request-payment select[name=payee_type]", "vendor")
    page.fill("#request-payment input[name=payee_name]", "Test Shelter Vendor")
    page.fill("#request-payment input[name=payee_account]", TEST_IBAN)
    page.fill("#request-payment textarea[name=justification]", "Two months of shelter (test).")
    caseworker.submit("#request-payment button[type=submit]")
    caseworker.submit("form[action$='/transitions/submit/'] button")

    # Two approvers sign it off through the one decision form.
    for role in ("approver", "approver2"):
        signer = approver if role == "approver" else visitor(role)
        signer.goto("/fund/approvals/")
        signer.page.check("input[name=decision][value=approve]")
        signer.submit("form[action$='/decision/'] button[type=submit]")

    # Finance pays; a second finance officer reconciles.
    finance = visitor("finance")
    finance.goto("/")
    finance.goto("/fund/payments/")
    finance.page.fill("form[action$='/transitions/pay/'] input[name=payment_reference]", "PAY-TEST-0001")
    finance.submit("form[action$='/transitions/pay/'] button")
    finance2 = visitor("finance2")
    finance2.goto("/fund/payments/")
    finance2.page.fill("form[action$='/transitions/reconcile/'] input[name=statement_reference]", "STMT-TEST-1")
    finance2.submit("form[action$='/transitions/reconcile/'] button")
    finance2.goto("/reports/")

    # Auditor: verifies the chain and exports the log.
    auditor = visitor("auditor")
    auditor.goto("/audit/")
    auditor.goto("/audit/verify/")
    auditor.goto("/audit/access/")
    auditor.goto(case_url)
    for person in (caseworker, approver, finance, finance2, auditor):
        person.close()
    assert not report, "\n".join(report)
