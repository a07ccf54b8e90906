"""Documents as evidence for the fund: a receipt before reconciling (when
VAF_RECEIPT_REQUIRED_FOR_RECONCILE is on), invoices shown to approvers, and
the upload form of the case page."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from config.errors import TransitionNotAllowed
from documents.models import Document
from fund import services
from fund.permissions import available_transitions
from fund.services.bank import statement_reconcile
from tests.documents.conftest import MARKER, pdf_bytes, upload_file
from tests.fund.conftest import drive, request_payment


@pytest.fixture(autouse=True)
def _receipt_rule_on(settings):
    settings.VAF_RECEIPT_REQUIRED_FOR_RECONCILE = True


def reconcile(disbursement, actor):
    return services.disbursement_transition(
        disbursement=disbursement, actor=actor, name="reconcile", statement_reference="STMT-1"
    )


def test_a_payment_without_a_receipt_is_not_reconciled(people, paid):
    assert "reconcile" not in available_transitions(people.finance2, paid)
    with pytest.raises(TransitionNotAllowed):
        reconcile(paid, people.finance2)
    paid.refresh_from_db()
    assert paid.status == "paid"


def test_an_invoice_or_a_receipt_of_another_payment_is_not_enough(api, people, case, paid):
    other = request_payment(case, people.caseworker, amount="10.00")
    api.upload(people.caseworker, case, pdf_bytes(), kind="invoice", disbursement=str(paid.pk))
    api.upload(people.caseworker, case, pdf_bytes(), kind="receipt", disbursement=str(other.pk))
    api.upload(people.caseworker, case, pdf_bytes(), kind="receipt")  # the case's, not the payment's
    with pytest.raises(TransitionNotAllowed):
        reconcile(paid, people.finance2)


def test_with_its_receipt_attached_the_payment_is_reconciled(api, people, case, paid):
    response = api.upload(people.caseworker, case, pdf_bytes(), kind="receipt", disbursement=str(paid.pk))
    assert response.status_code == 201
    assert response.json()["disbursement"] == str(paid.pk)

    assert "reconcile" in available_transitions(people.finance2, paid)
    assert reconcile(paid, people.finance2).status == "reconciled"


def test_the_api_answers_409_without_a_receipt(api, people, paid):
    client = api.as_user(people.finance2)
    url = f"/api/v1/disbursements/{paid.pk}/transitions/reconcile/"
    response = client.post(url, {"statement_reference": "STMT-1"}, format="json")
    assert response.status_code == 409
    assert response.json()["code"] == "transition_not_allowed"


def test_the_rule_can_be_switched_off(people, paid, settings):
    settings.VAF_RECEIPT_REQUIRED_FOR_RECONCILE = False
    assert reconcile(paid, people.finance2).status == "reconciled"


def test_the_bank_statement_import_leaves_payments_without_receipt_unmatched(people, paid):
    statement = f"payment_reference,amount\n{paid.payment_reference},{paid.amount}\n".encode()
    report = statement_reconcile(actor=people.finance2, statement_reference="STMT-9", raw=statement)
    assert report.matched == []
    assert len(report.unmatched) == 1 and "receipt" in report.unmatched[0]["problem"]


def test_the_approval_queue_shows_whether_an_invoice_is_attached(api, people, case):
    with_invoice = drive(request_payment(case, people.caseworker, amount="11.00"), people, "submitted")
    drive(request_payment(case, people.caseworker, amount="12.00"), people, "submitted")
    api.upload(
        people.caseworker, case, pdf_bytes(), name=f"{MARKER}.pdf", kind="invoice", disbursement=str(with_invoice.pk)
    )
    approver = Client()
    approver.force_login(people.approver)

    page = approver.get("/fund/approvals/").content.decode()

    assert page.count("Invoice attached") == 1
    assert page.count("No invoice") == 1
    document = Document.objects.get(disbursement=with_invoice)
    assert f"/documents/{document.pk}/download/" in page
    assert MARKER not in page  # approvers do not see file names
    assert approver.get(f"/documents/{document.pk}/download/").status_code == 200


def test_the_case_page_lists_documents_and_uploads_with_csrf(people, case):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(people.caseworker)
    page = browser.get(f"/cases/{case.pk}/")
    html = page.content.decode()
    assert "Add a document" in html
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)

    refused = browser.post(
        f"/documents/cases/{case.pk}/upload/", {"file": upload_file("a.pdf", pdf_bytes()), "kind": "consent_form"}
    )
    assert refused.status_code == 403  # no CSRF token
    done = browser.post(
        f"/documents/cases/{case.pk}/upload/",
        {"file": upload_file(f"{MARKER}.pdf", pdf_bytes()), "kind": "consent_form", "csrfmiddlewaretoken": token},
    )
    assert done.status_code == 302
    assert Document.objects.filter(case=case, kind="consent_form").count() == 1
    html = browser.get(f"/cases/{case.pk}/").content.decode()
    assert f"{MARKER}.pdf" in html
    lying = browser.post(
        f"/documents/cases/{case.pk}/upload/",
        {"file": upload_file("a.pdf", b"<html></html>"), "kind": "other", "csrfmiddlewaretoken": token},
        follow=True,
    )
    assert "Only PDF, PNG and JPEG files are accepted" in lying.content.decode()
    assert Document.objects.filter(case=case).count() == 1


def test_masked_roles_see_the_section_without_names_or_form(api, people, case):
    api.upload(people.caseworker, case, pdf_bytes(), name=f"{MARKER}.pdf")
    auditor = Client()
    auditor.force_login(people.auditor)
    html = auditor.get(f"/cases/{case.pk}/").content.decode()
    assert "documents-heading" in html
    assert MARKER not in html
    assert "Add a document" not in html


def test_the_payment_request_api_lists_its_documents(api, people, case, paid):
    document_id = api.upload(people.caseworker, case, pdf_bytes(), kind="invoice", disbursement=str(paid.pk)).json()[
        "id"
    ]
    client = api.as_user(people.approver)
    detail = client.get(f"/api/v1/disbursements/{paid.pk}/").json()
    assert detail["invoice_attached"] is True
    assert detail["documents"] == [
        {"id": document_id, "kind": "invoice", "download_url": f"/api/v1/documents/{document_id}/download/"}
    ]
    listed = client.get("/api/v1/disbursements/").json()["results"]
    assert [row["invoice_attached"] for row in listed] == [True]


def test_the_finance_queue_reads_receipts_once_whatever_the_number_of_payments(api, people, case, paid):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    finance = Client()
    finance.force_login(people.finance2)

    def queue_queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert finance.get("/fund/payments/").status_code == 200
        return len(captured)

    api.upload(people.caseworker, case, pdf_bytes(), kind="receipt", disbursement=str(paid.pk))
    queue_queries()  # a session's first page also reads second-factor devices and stamps the session
    one = queue_queries()
    for amount in ("11.00", "12.00", "13.00"):
        drive(request_payment(case, people.caseworker, amount=amount), people, "paid")
    assert queue_queries() == one
