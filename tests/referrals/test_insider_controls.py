"""Erasure leaves nothing readable, refusals and unmasked reads are on the
record, and Unicode digits match (DESIGN.md §6, §7)."""

import pytest

from accounts.models import IdempotencyRecord
from audit.models import AuditEvent
from audit.verification import verify_chain
from referrals import services
from referrals.choices import CaseStatus
from referrals.models import Case
from tests.conftest import postgresql_only
from tests.referrals.conftest import referral_body

SECRET_REASON = "Zzyzx Qwerty moved back home"


def _events(action, case=None):
    events = AuditEvent.objects.filter(action=action)
    return events.filter(object_id=str(case.pk)) if case is not None else events


def test_transition_reasons_are_sealed_readable_while_the_case_exists_and_gone_after_erasure(people, api):
    case = people.case(CaseStatus.IN_ASSESSMENT)
    case = services.case_transition(case=case, actor=people.caseworker, name="withdraw", reason=SECRET_REASON)
    event = _events("case.withdraw", case).get()
    assert SECRET_REASON not in event.reason and event.reason.startswith("sealed:v1:")
    assert event.reason_text == SECRET_REASON
    listed = api.as_user(people.auditor).get("/api/v1/audit/events/", {"object_id": str(case.pk)}).json()
    mine = [e for e in listed["results"] if e["action"] == "case.withdraw"]
    assert mine[0]["reason"] == SECRET_REASON

    services.case_erase(case=case, actor=None, reason="Erasure request ER-9 (fake)")
    event = AuditEvent.objects.get(seq=event.seq)
    assert event.reason_text == "[erased]"
    listed = api.as_user(people.auditor).get("/api/v1/audit/events/", {"object_id": str(case.pk)}).json()
    assert SECRET_REASON not in str(listed)
    assert verify_chain().ok


def test_a_reveal_reason_is_sealed_too(people, api):
    case = people.case(CaseStatus.ACTIVE)
    reason = "Checking document X0000042 (fake)"
    assert (
        api.as_user(people.approver)
        .post(f"/api/v1/cases/{case.pk}/reveal/", {"reason": reason}, format="json")
        .status_code
        == 200
    )
    event = _events("case.pii_revealed", case).get()
    assert "X0000042" not in event.reason and event.reason_text == reason


def test_idempotency_records_of_a_case_are_purged_on_erasure(people, api):
    client = api.as_user(people.caseworker)
    created = client.post("/api/v1/referrals/", referral_body(), format="json", HTTP_IDEMPOTENCY_KEY="k-erase-1")
    assert created.status_code == 201
    case = Case.objects.get(pk=created.json()["id"])
    assert IdempotencyRecord.objects.filter(subject_id=case.pk).count() == 1
    case = services.case_transition(case=case, actor=people.caseworker, name="withdraw", reason="Fake")
    services.case_erase(case=case, actor=None, reason="Erasure request (fake)")
    assert not IdempotencyRecord.objects.filter(subject_id=case.pk).exists()
    assert _events("case.erased", case).get().payload["idempotency_records_purged"] == 1


@pytest.fixture
def erased(people):
    case = people.case(CaseStatus.CLOSED)
    services.case_erase(case=case, actor=None, reason="Erasure request (fake)")
    return Case.objects.get(pk=case.pk)


def test_an_erased_case_cannot_be_reopened(people, api, erased):
    before = AuditEvent.objects.exclude(action="access.denied").count()
    response = api.as_user(people.approver).post(
        f"/api/v1/cases/{erased.pk}/transitions/reopen/", {"reason": "Try again"}, format="json"
    )
    assert (response.status_code, response.json()["code"]) == (409, "transition_not_allowed")
    assert Case.objects.get(pk=erased.pk).status == CaseStatus.CLOSED
    assert AuditEvent.objects.count() == before
    detail = api.as_user(people.approver).get(f"/api/v1/cases/{erased.pk}/").json()
    assert "reopen" not in detail["available_transitions"]


@pytest.mark.parametrize(
    ("who", "method", "path", "body"),
    [
        ("caseworker", "patch", "", {"assessment": {"notes": "x"}}),
        ("caseworker", "post", "transitions/withdraw/", {"reason": "x"}),
        ("caseworker", "post", "transitions/close/", {"reason": "x"}),
        ("approver", "post", "transitions/reopen/", {"reason": "x"}),
        ("approver", "post", "reveal/", {"reason": "x"}),
    ],
)
def test_every_write_to_an_erased_case_answers_409(people, api, erased, who, method, path, body):
    response = getattr(api.as_user(getattr(people, who)), method)(
        f"/api/v1/cases/{erased.pk}/{path}", body, format="json"
    )
    assert (response.status_code, response.json()["code"]) == (409, "transition_not_allowed")


def test_arabic_indic_digits_find_the_same_document(people):
    from referrals.models import VictimProfile
    from vault.fields import blind_index_lookup

    case = people.case(document_number="P99887766")
    for written in ("P٩٩٨٨٧٧٦٦", "P۹۹۸۸۷۷۶۶", "p 99887766"):
        index = blind_index_lookup(VictimProfile, "document_number_index", written)
        assert VictimProfile.objects.filter(document_number_index=index).get().case_id == case.pk


def test_a_caseworker_reading_the_case_in_full_is_recorded_once_per_response(people, api, browser):
    case = people.case(CaseStatus.ACTIVE)
    assert api.as_user(people.caseworker).get(f"/api/v1/cases/{case.pk}/").json()["pii_visible"] is True
    assert browser(people.caseworker).get(f"/cases/{case.pk}/").status_code == 200
    viewed = list(_events("case.pii_viewed", case).values_list("actor_id", "payload"))
    assert [(a, p["via"]) for a, p in viewed] == [(people.caseworker.pk, "api"), (people.caseworker.pk, "page")]
    assert "Demo Person" not in str(viewed)
    # masked answers are not personal-data reads
    assert api.as_user(people.approver).get(f"/api/v1/cases/{case.pk}/").json()["pii_visible"] is False
    assert _events("case.pii_viewed", case).count() == 2


def test_every_403_is_recorded_as_access_denied(people, api, browser):
    case = people.case(CaseStatus.PENDING_APPROVAL)
    refused = api.as_user(people.finance).post(
        f"/api/v1/cases/{case.pk}/transitions/approve/", {"reason": ""}, format="json"
    )
    assert refused.status_code == 403
    event = _events("access.denied").get()
    assert (event.actor_id, event.object_type, event.object_id) == (people.finance.pk, "case", str(case.pk))
    assert event.payload["code"] == "permission_denied" and "approve" in event.payload["tried"]
    page = browser(people.admin).get("/audit/")
    assert page.status_code == 403
    assert _events("access.denied").count() == 2
    assert _events("access.denied").last().actor_id == people.admin.pk


def test_auditors_reads_of_the_log_are_recorded_once_per_request(people, api, browser):
    people.case(CaseStatus.ACTIVE)
    before = _events("audit.read").count()
    assert api.as_user(people.auditor).get("/api/v1/audit/events/", {"action": "case.referred"}).status_code == 200
    assert browser(people.auditor).get("/audit/").status_code == 200
    reads = list(_events("audit.read").order_by("seq")[before:])
    assert len(reads) == 2
    assert reads[0].actor_id == people.auditor.pk and reads[0].payload["query"] == {"action": "case.referred"}
    access = browser(people.auditor).get("/audit/access/", {"action": "access.denied"})
    assert access.status_code in (200, 400)


@postgresql_only()
@pytest.mark.django_db(transaction=True)
def test_a_refusal_recorded_whose_confirmation_failed_is_still_a_refusal(people, api, monkeypatch, caplog):
    case = people.case(CaseStatus.PENDING_APPROVAL)
    monkeypatch.setattr("config.db.postgresql.base.WAIT_FOR_DISK", "SELECT 1 / 0")
    refused = api.as_user(people.finance).post(
        f"/api/v1/cases/{case.pk}/transitions/approve/", {"reason": ""}, format="json"
    )
    assert refused.status_code == 403
    assert _events("access.denied").count() == 1
    assert "access.denied recorded, its wait for the disk failed" in caplog.text
