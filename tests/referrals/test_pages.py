"""Case pages: list, search, intake form, detail, reveal, workflow buttons,
edit forms; escaping, masking and constant query counts."""

from __future__ import annotations

import re

import pytest
from django.db import transaction

from audit.models import AuditEvent
from referrals import services
from referrals.choices import CaseStatus
from referrals.models import Case
from tests.referrals.conftest import referral_input
from vault.fields import EncryptedField
from vault.services import data_key_destroy

S = CaseStatus
# session, user, roles, count, one page of rows (victim and data key joined)
LIST_QUERIES = 5


def html(response) -> str:
    return response.content.decode()


def assert_page_rules(page: str) -> None:
    """One h1, no inline script or style attribute (CSP forbids them)."""
    assert page.count("<h1") == 1
    assert "style=" not in page
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", page)


def test_case_list_shows_masked_rows(people, browser):
    people.case(S.REFERRED, full_name="Amina Karimova")
    response = browser(people.caseworker).get("/cases/")
    assert response.status_code == 200
    page = html(response)
    assert_page_rules(page)
    assert "A*** K***" in page
    assert "Amina" not in page


def test_case_list_filters_by_status_and_reference(people, browser):
    referred = people.case(S.REFERRED)
    active = people.case(S.ACTIVE)
    client = browser(people.caseworker)
    page = html(client.get("/cases/?status=active"))
    assert active.reference in page
    assert referred.reference not in page
    page = html(client.get(f"/cases/?reference={referred.reference[-6:]}"))
    assert referred.reference in page
    assert active.reference not in page


def test_document_search_is_a_post_using_the_blind_index(people, browser, django_assert_max_num_queries):
    wanted = people.case(S.REFERRED, document_number="ZX 555 444")
    other = people.case(S.REFERRED)
    client = browser(people.caseworker)
    response = client.post("/cases/", {"document_number": "zx555444"})
    page = html(response)
    assert wanted.reference in page
    assert other.reference not in page
    assert "zx555444" not in response.get("Location", "")
    # the form posts to a URL without the number
    form_page = html(client.get("/cases/"))
    assert re.search(r'<form[^>]*method="post"[^>]*action="/cases/"', form_page)


def test_document_search_is_audited_without_the_number(people, browser):
    from audit.models import AuditEvent

    people.case(S.REFERRED, document_number="AUDITSEARCH1")
    browser(people.caseworker).post("/cases/", {"document_number": "AUDITSEARCH1"})
    event = AuditEvent.objects.get(action="case.searched")
    assert event.payload == {"by": "document_number", "results": 1}
    assert event.actor_id == people.caseworker.pk
    assert "AUDITSEARCH1" not in str(event.payload) + event.reason


@pytest.mark.parametrize("role", ["finance", "approver"])
def test_document_search_is_refused_to_finance_and_approvers(people, browser, role):
    from audit.models import AuditEvent

    client = browser(getattr(people, role))
    assert 'name="document_number"' not in html(client.get("/cases/"))
    assert client.post("/cases/", {"document_number": "X0000001"}).status_code == 403
    assert not AuditEvent.objects.filter(action="case.searched").exists()


def test_document_search_does_not_decrypt_rows(people, browser, monkeypatch):
    people.case(S.REFERRED, document_number="NODECRYPT1")
    client = browser(people.caseworker)
    # the only decryption allowed is the masked name of the row shown
    opened = []
    original = EncryptedField.open
    monkeypatch.setattr(
        EncryptedField, "open", lambda self, inst, raw: opened.append(self.name) or original(self, inst, raw)
    )
    client.post("/cases/", {"document_number": "NODECRYPT1"})
    assert opened == ["full_name"]


@pytest.mark.parametrize("rows", [3, 30])
def test_case_list_costs_constant_queries(people, browser, django_assert_num_queries, rows):
    client = browser(people.caseworker)
    client.get("/cases/")  # warm the session
    for _ in range(rows):
        services.referral_create(actor=people.caseworker, referral=referral_input())
    with django_assert_num_queries(LIST_QUERIES):
        response = client.get("/cases/")
    assert html(response).count("<tr>") == min(rows, 25) + 1


def test_case_list_is_forbidden_to_admins(people, browser):
    assert browser(people.admin).get("/cases/").status_code == 403


def test_intake_partner_list_shows_reference_and_status_only(people, browser):
    case = services.referral_create(actor=people.intake, referral=referral_input(full_name="Hidden Person"))
    page = html(browser(people.intake).get("/cases/"))
    assert case.reference in page
    assert "H*** P***" not in page
    detail = html(browser(people.intake).get(case.get_absolute_url()))
    assert case.reference in detail
    assert "H***" not in detail
    assert "Hidden" not in detail


def test_referral_form_has_labelled_sections(people, browser):
    response = browser(people.caseworker).get("/cases/new/")
    assert response.status_code == 200
    page = html(response)
    assert_page_rules(page)
    for field in ("referring_agency", "full_name", "date_of_birth", "nationality", "document_number", "consent_given"):
        assert f'for="id_{field}"' in page
    assert page.count("<legend") >= 4


def _form_data(**overrides) -> dict:
    data = {
        "referring_agency": "Test Police",
        "summary": "Fake summary",
        "full_name": "عائشة محمد",
        "date_of_birth": "1995-04-03",
        "sex": "female",
        "nationality": "SA",
        "document_type": "passport",
        "document_number": "W1234567",
        "phone": "+966501010101",
        "exploitation_types": ["forced_labour", "domestic_servitude"],
        "consent_given": "on",
        "consent_date": "2026-01-05",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def test_referral_form_opens_a_case(people, browser):
    response = browser(people.caseworker).post("/cases/new/", _form_data())
    case = Case.objects.get()
    assert response.status_code == 302
    assert response["Location"] == case.get_absolute_url()
    assert case.victim.full_name == "عائشة محمد"
    assert case.exploitation_types == ["domestic_servitude", "forced_labour"]


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"date_of_birth": "2999-01-01"}, "date_of_birth"),
        ({"consent_date": ""}, "consent_date"),
        ({"exploitation_types": None}, "exploitation_types"),
        ({"nationality": "XX"}, "nationality"),
        ({"full_name": ""}, "full_name"),
    ],
)
def test_referral_form_shows_field_errors(people, browser, overrides, field):
    response = browser(people.caseworker).post("/cases/new/", _form_data(**overrides))
    assert response.status_code == 400
    page = html(response)
    assert f'id="id_{field}_error"' in page
    assert Case.objects.count() == 0


def test_referral_form_is_for_caseworkers(people, browser):
    for user in (people.approver, people.intake, people.admin):
        assert browser(user).get("/cases/new/").status_code == 403


def test_typed_text_is_escaped_everywhere(people, browser):
    evil = "<script>alert(1)</script>"
    case = services.referral_create(actor=people.caseworker, referral=referral_input(full_name=evil, address=evil))
    services.case_transition(case=case, actor=people.caseworker, name="withdraw", reason=evil)
    client = browser(people.caseworker)
    for url in ("/cases/", case.get_absolute_url()):
        page = html(client.get(url))
        assert evil not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html(client.get(case.get_absolute_url()))


def test_detail_page_for_the_caseworker(people, browser):
    case = people.case(S.IN_ASSESSMENT, full_name="Amina Karimova")
    response = browser(people.caseworker).get(case.get_absolute_url())
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]
    page = html(response)
    assert_page_rules(page)
    assert "Amina Karimova" in page
    assert "Reveal personal data" not in page
    assert f"/cases/{case.pk}/transitions/withdraw/" in page
    assert 'id="id_withdraw_reason"' in page
    assert f"/cases/{case.pk}/assessment/" in page
    assert "Assessment started" in page  # the timeline


def test_detail_page_masks_for_approvers_and_reveal_shows_all(people, browser):
    case = people.case(S.PENDING_APPROVAL, full_name="Amina Karimova")
    client = browser(people.approver)
    page = html(client.get(case.get_absolute_url()))
    assert "A*** K***" in page
    assert "Amina" not in page
    assert "Reveal personal data" in page
    for name in ("approve", "reject", "return_to_assessment"):
        assert f"/transitions/{name}/" in page
    # when the approver reveals with a reason
    response = client.post(f"/cases/{case.pk}/reveal/", {"reason": "Checking identity"})
    assert response.status_code == 200
    assert "Amina Karimova" in html(response)
    assert AuditEvent.objects.filter(action="case.pii_revealed", reason="Checking identity").count() == 1
    # and the next plain view is masked again
    assert "Amina" not in html(client.get(case.get_absolute_url()))


def test_reveal_without_reason_shows_an_error(people, browser):
    case = people.case(S.PENDING_APPROVAL, full_name="Amina Karimova")
    response = browser(people.auditor).post(f"/cases/{case.pk}/reveal/", {"reason": ""})
    assert response.status_code == 400
    assert "Amina" not in html(response)
    assert not AuditEvent.objects.filter(action="case.pii_revealed").exists()


def test_transition_button_applies_the_transition(people, browser):
    case = people.case(S.PENDING_APPROVAL)
    response = browser(people.approver).post(f"/cases/{case.pk}/transitions/approve/", {"reason": ""})
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == S.ACTIVE


def test_transition_without_required_reason_is_shown_next_to_its_box(people, browser):
    case = people.case(S.PENDING_APPROVAL)
    response = browser(people.approver).post(f"/cases/{case.pk}/transitions/reject/", {"reason": " "})
    assert response.status_code == 400
    assert "This field is required." in html(response)
    case.refresh_from_db()
    assert case.status == S.PENDING_APPROVAL


def test_refused_transition_shows_the_refusal(people, browser):
    case = people.case(S.REFERRED)
    response = browser(people.caseworker).post(f"/cases/{case.pk}/transitions/approve/", {"reason": ""})
    assert response.status_code == 403
    case.refresh_from_db()
    assert case.status == S.REFERRED


def test_invisible_case_page_is_404(people, browser):
    case = people.case(S.ACTIVE)
    for user in (people.other_caseworker, people.admin):
        assert browser(user).get(case.get_absolute_url()).status_code == 404
    assert browser(people.approver).get(people.case(S.REFERRED).get_absolute_url()).status_code == 404


def test_assessment_form_saves_for_the_assigned_caseworker(people, browser):
    case = people.case(S.IN_ASSESSMENT)
    client = browser(people.caseworker)
    page = html(client.get(f"/cases/{case.pk}/assessment/"))
    assert_page_rules(page)
    response = client.post(
        f"/cases/{case.pk}/assessment/",
        {
            "exploitation_types": ["forced_labour"],
            "consent_given": "on",
            "consent_date": "2026-01-02",
            "needs": ["shelter", "psychosocial"],
            "risk_level": "medium",
            "assessment_notes": "Fake notes",
        },
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.needs == ["psychosocial", "shelter"]
    assert case.assessment_notes == "Fake notes"


def test_assessment_form_errors_and_access(people, browser):
    case = people.case(S.IN_ASSESSMENT)
    response = browser(people.caseworker).post(
        f"/cases/{case.pk}/assessment/", {"exploitation_types": ["forced_labour"], "consent_given": "on"}
    )
    assert response.status_code == 400
    assert 'id="id_consent_date_error"' in html(response)
    assert browser(people.caseworker2).get(f"/cases/{case.pk}/assessment/").status_code == 403
    assert browser(people.other_caseworker).get(f"/cases/{case.pk}/assessment/").status_code == 404


def test_victim_form_edits_details_and_shows_duplicates(people, browser):
    other = people.case(S.REFERRED, document_number="SAME123")
    case = people.case(S.IN_ASSESSMENT, full_name="Old Name")
    client = browser(people.caseworker)
    page = html(client.get(f"/cases/{case.pk}/victim/"))
    assert "Old Name" in page
    response = client.post(
        f"/cases/{case.pk}/victim/",
        {
            "full_name": "New Name",
            "sex": "male",
            "nationality": "NP",
            "document_type": "passport",
            "document_number": "same-123",
        },
    )
    assert response.status_code == 302
    detail = html(client.get(case.get_absolute_url()))
    assert "New Name" in detail
    assert other.reference in detail


def test_erased_case_page_shows_erased(people, browser):
    case = people.case(S.ACTIVE, full_name="Shredded Person")
    with transaction.atomic():
        data_key_destroy(data_key=case.data_key)
    client = browser(people.caseworker)
    response = client.get(case.get_absolute_url())
    assert response.status_code == 200
    assert "[erased]" in html(response)
    assert "[erased]" in html(client.get("/cases/"))
    assert client.get(f"/cases/{case.pk}/victim/").status_code == 302


def test_the_case_page_and_assessment_form_show_the_coded_htcds_fields(people, browser):
    from referrals import services

    case = people.case("in_assessment")
    services.case_update(
        case=case,
        actor=people.caseworker,
        changes={"trafficking_status": "PossibleVictimOfTrafficking", "methods_of_control": ["DebtBondage"]},
    )
    client = browser(people.caseworker)
    page = client.get(case.get_absolute_url()).content.decode()
    assert "Possible victim of trafficking" in page and "Debt bondage" in page
    form = client.get(f"/cases/{case.pk}/assessment/").content.decode()
    assert re.search(r'name="methods_of_control" value="DebtBondage"[^>]*checked', form)
