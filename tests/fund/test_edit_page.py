"""The page that changes a draft payment request (the web side of
PATCH /api/v1/disbursements/{id}/)."""

from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from audit.models import AuditEvent
from config.errors import ValidationFailed
from fund import services
from fund.models import Disbursement
from tests.factories import fake_iban
from tests.fund.conftest import drive, request_payment

NAME, ACCOUNT = "Stored Clinic Name", fake_iban(7731)


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _edit_url(disbursement) -> str:
    return reverse("fund:disbursement_edit", args=[disbursement.pk])


def _case_url(case) -> str:
    return reverse("fund:case_disbursements", args=[case.pk])


def _updated_events(disbursement):
    return AuditEvent.objects.filter(action="disbursement.updated", object_id=str(disbursement.pk)).order_by("seq")


def _form_data(**overrides) -> dict:
    return {
        "category": "shelter",
        "amount": "250.50",
        "payee_type": "victim",
        "payee_name": "",
        "payee_account": "",
        "justification": "Two weeks of shelter.",
        **overrides,
    }


@pytest.fixture
def draft(people, case):
    return request_payment(case, people.caseworker, payee_name=NAME, payee_account=ACCOUNT)


def test_the_case_page_offers_edit_only_for_drafts_the_user_may_change(people, case, draft):
    submitted = drive(request_payment(case, people.caseworker), people, "submitted")
    html = client_for(people.caseworker2).get(_case_url(case)).content.decode()
    assert _edit_url(draft) in html and _edit_url(submitted) not in html
    approver_html = client_for(people.approver).get(_case_url(case)).content.decode()
    assert _edit_url(draft) not in approver_html


def test_the_edit_page_is_prefilled_but_never_shows_the_payee(people, draft):
    response = client_for(people.caseworker).get(_edit_url(draft))
    html = response.content.decode()
    assert response.status_code == 200 and html.count("<h1") == 1
    assert 'value="1000.00"' in html and "Medical examination." in html
    assert '<option value="medical" selected>' in html and '<option value="vendor" selected>' in html
    assert NAME not in html and ACCOUNT not in html and "7731" not in html
    assert "Leave empty to keep the current details." in html
    assert 'for="id_payee_name"' in html and 'for="id_payee_account"' in html
    assert "style=" not in html and "<script>" not in html
    assert response["Cache-Control"].startswith("max-age=0") or "no-cache" in response["Cache-Control"]


def test_saving_changes_the_fields_keeps_the_payee_and_audits(people, case, draft):
    data = _form_data(next=_case_url(case))
    response = client_for(people.caseworker).post(_edit_url(draft), data)
    assert response.status_code == 302 and response["Location"] == _case_url(case)
    changed = Disbursement.objects.get(pk=draft.pk)
    assert (changed.category, changed.amount, changed.payee_type) == ("shelter", Decimal("250.50"), "victim")
    assert changed.justification == "Two weeks of shelter." and changed.status == "draft"
    assert (changed.payee_name, changed.payee_account) == (NAME, ACCOUNT)
    event = _updated_events(draft).get()
    assert event.actor_id == people.caseworker.pk
    assert sorted(event.payload["fields"]) == ["amount", "category", "justification", "payee_type"]
    assert NAME not in str(event.payload) and ACCOUNT not in str(event.payload)


def test_saving_new_payee_details_replaces_them(people, case, draft):
    data = _form_data(payee_name="New Shelter", payee_account="GB19WEST12345600000099")
    response = client_for(people.caseworker2).post(_edit_url(draft), data)
    assert response.status_code == 302 and response["Location"] == _case_url(case)
    changed = Disbursement.objects.get(pk=draft.pk)
    assert (changed.payee_name, changed.payee_account) == ("New Shelter", "GB19WEST12345600000099")
    assert {"payee_account", "payee_name"} <= set(_updated_events(draft).get().payload["fields"])


def test_only_one_payee_field_may_be_changed(people, draft):
    client_for(people.caseworker).post(_edit_url(draft), _form_data(payee_account="GB89WEST12345600000100"))
    changed = Disbursement.objects.get(pk=draft.pk)
    assert (changed.payee_name, changed.payee_account) == (NAME, "GB89WEST12345600000100")


def test_a_draft_returned_for_changes_can_be_edited_and_submitted_again(people, case, draft, funded):
    submitted = drive(draft, people, "submitted")
    services.disbursement_return_for_changes(disbursement=submitted, actor=people.approver, reason="Lower it.")
    client = client_for(people.caseworker)
    assert _edit_url(draft) in client.get(_case_url(case)).content.decode()
    assert client.post(_edit_url(draft), _form_data(amount="100.00")).status_code == 302
    assert Disbursement.objects.get(pk=draft.pk).amount == Decimal("100.00")


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"amount": "-3"}, "amount"),
        ({"amount": "1.234"}, "amount"),
        ({"justification": ""}, "justification"),
        ({"category": "holiday"}, "category"),
        ({"payee_account": "X" * 65}, "payee_account"),
    ],
)
def test_invalid_input_shows_field_errors_and_changes_nothing(people, draft, overrides, field):
    data = _form_data(**overrides)
    response = client_for(people.caseworker).post(_edit_url(draft), data)
    html = response.content.decode()
    assert response.status_code == 400 and html.count("<h1") == 1
    assert 'class="invalid-feedback d-block"' in html
    assert response.context["form"].errors.get(field)
    assert Disbursement.objects.get(pk=draft.pk).amount == Decimal("1000.00")
    assert not _updated_events(draft).exists()
    # what was typed into the payee fields is not written back into the page
    assert "X" * 65 not in html and NAME not in html and ACCOUNT not in html


def test_another_organisations_caseworker_gets_404(people, draft):
    client = client_for(people.outsider)
    assert client.get(_edit_url(draft)).status_code == 404
    assert client.post(_edit_url(draft), _form_data()).status_code == 404
    assert Disbursement.objects.get(pk=draft.pk).amount == Decimal("1000.00")


@pytest.mark.parametrize("who", ["approver", "finance", "auditor"])
def test_roles_that_see_but_may_not_change_get_403(people, draft, who):
    client = client_for(getattr(people, who))
    assert client.get(_edit_url(draft)).status_code == 403
    assert client.post(_edit_url(draft), _form_data()).status_code == 403
    assert not _updated_events(draft).exists()


@pytest.mark.parametrize("state", ["submitted", "approved", "cancelled", "rejected"])
def test_a_request_that_is_no_longer_a_draft_is_refused_with_a_message(people, draft, funded, state):
    moved = drive(draft, people, state)
    client = client_for(people.caseworker)
    page = client.get(_edit_url(moved))
    html = page.content.decode()
    assert page.status_code == 409 and "Only a draft payment request can be changed." in html
    assert 'name="amount"' not in html and html.count("<h1") == 1
    posted = client.post(_edit_url(moved), _form_data())
    assert posted.status_code == 409 and Disbursement.objects.get(pk=moved.pk).amount == Decimal("1000.00")
    assert not _updated_events(moved).exists()


def test_an_unknown_id_is_404_and_login_is_required(people, draft):
    assert (
        client_for(people.caseworker)
        .get(reverse("fund:disbursement_edit", args=["00000000-0000-0000-0000-000000000000"]))
        .status_code
        == 404
    )
    anonymous = Client().get(_edit_url(draft))
    assert anonymous.status_code == 302 and "login" in anonymous["Location"]


def test_an_offsite_next_is_ignored(people, case, draft):
    response = client_for(people.caseworker).post(_edit_url(draft), _form_data(next="https://evil.example/"))
    assert response.status_code == 302 and response["Location"] == _case_url(case)


def test_the_services_validation_errors_land_on_their_fields(people, draft, monkeypatch):
    def refuse(**kwargs):
        raise ValidationFailed("Invalid input: justification.", errors={"justification": ["Say more."]})

    monkeypatch.setattr(services, "disbursement_update", refuse)
    response = client_for(people.caseworker).post(_edit_url(draft), _form_data())
    assert response.status_code == 400 and response.context["form"].errors["justification"] == ["Say more."]
    assert "Say more." in response.content.decode()
