"""The auditor's log pages: access, filters, keyset pages, event and case history."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEvent
from audit.selectors import PAGE_SIZE, known_actions
from audit.services import audit_record
from tests.factories import make_user

BACKEND = "django.contrib.auth.backends.ModelBackend"
_references = itertools.count(1)


def make_case(**fields):
    """A bare case row (no victim): the audit pages only need its id and reference."""
    from accounts.services import organisation_get_or_create
    from referrals.models import Case
    from vault.services import data_key_create

    return Case.objects.create(
        reference=fields.pop("reference", f"VAF-2026-{next(_references):06d}"),
        organisation=organisation_get_or_create(name="Test Organisation"),
        referring_agency="Test Agency",
        exploitation_types=fields.pop("exploitation_types", ["forced_labour"]),
        data_key=data_key_create(),
        **fields,
    )


def record(n: int = 1, **fields) -> list[AuditEvent]:
    events = []
    for _ in range(n):
        with transaction.atomic():
            events.append(audit_record(**{"action": "test.event", **fields}))
    return events


@pytest.fixture
def auditor(db):
    return make_user("auditor")


@pytest.fixture
def auditor_client(client, auditor):
    client.force_login(auditor, backend=BACKEND)
    return client


def seqs(response) -> list[int]:
    return [event.seq for event in response.context["page"].events]


PAGES = [
    ("audit:event_list", {}),
    ("audit:access_review", {}),
    ("audit:verify", {}),
    ("audit:event_detail", {"seq": 1}),
]


@pytest.mark.parametrize("role", ["caseworker", "approver", "finance", "admin", "intake_partner"])
@pytest.mark.parametrize(("name", "kwargs"), PAGES)
def test_only_auditors_see_the_audit_pages(client, db, role, name, kwargs):
    record(1)
    client.force_login(make_user(role), backend=BACKEND)
    assert client.get(reverse(name, kwargs=kwargs)).status_code == 403


def test_other_roles_cannot_export_or_sign(client, db):
    client.force_login(make_user("approver", "finance"), backend=BACKEND)
    assert client.post(reverse("audit:event_export"), {"format": "csv"}).status_code == 403
    assert client.get(reverse("audit:verify")).status_code == 403
    assert not AuditEvent.objects.filter(action__in=["audit.exported", "audit.checkpoint"]).exists()


def test_anonymous_users_are_sent_to_sign_in(client, db):
    response = client.get(reverse("audit:event_list"))
    assert response.status_code == 302 and reverse("accounts:login") in response["Location"]


def test_the_list_shows_the_newest_events_first_with_one_h1(auditor_client):
    record(3, action="case.viewed")
    response = auditor_client.get(reverse("audit:event_list"))
    assert response.status_code == 200
    # make_user recorded its own user.created event first.
    assert seqs(response)[:3] == [4, 3, 2]
    assert response.content.decode().count("<h1") == 1


def test_keyset_pages_walk_back_and_forward(auditor_client):
    record(PAGE_SIZE * 2 + 10)  # plus the auditor's user.created: 111 events
    url = reverse("audit:event_list")
    first = auditor_client.get(url)
    assert seqs(first) == list(range(111, 111 - PAGE_SIZE, -1))
    page = first.context["page"]
    assert page.newer is None and page.older == 62
    assert "before=62" in first.content.decode()

    second = auditor_client.get(url, {"before": page.older})
    assert seqs(second) == list(range(61, 11, -1))
    third = auditor_client.get(url, {"before": second.context["page"].older})
    assert seqs(third) == list(range(11, 0, -1))
    assert third.context["page"].older is None

    back = auditor_client.get(url, {"after": third.context["page"].newer})
    assert seqs(back) == seqs(second)
    assert back.context["page"].newer == 61 and back.context["page"].older == 12


def test_pager_links_keep_the_filters(auditor_client):
    record(PAGE_SIZE + 5, action="case.viewed")
    response = auditor_client.get(reverse("audit:event_list"), {"action": "case.viewed"})
    assert "action=case.viewed&amp;before=" in response.content.decode()
    assert {e.action for e in response.context["page"].events} == {"case.viewed"}


def test_the_list_query_count_does_not_grow_with_the_number_of_events(auditor_client):
    url = reverse("audit:event_list")
    record(3)
    auditor_client.get(url)  # warm the session and the role cache
    with CaptureQueriesContext(connection) as few:
        assert auditor_client.get(url, {"before": 3}).status_code == 200
    record(PAGE_SIZE * 3, action="case.viewed")
    with CaptureQueriesContext(connection) as many:
        assert auditor_client.get(url, {"before": PAGE_SIZE * 2}).status_code == 200
    assert len(many) == len(few)
    sql = " ".join(q["sql"].upper() for q in many.captured_queries)
    assert "OFFSET" not in sql and "COUNT(" not in sql


def test_filters_by_actor_action_and_object_id(auditor_client):
    someone = make_user("caseworker", username="cw-filter")
    with transaction.atomic():
        audit_record(action="case.viewed", actor=someone, object_type="case", object_id="obj-1")
        audit_record(action="case.viewed", object_type="case", object_id="obj-2")
        audit_record(action="case.approve", actor=someone, object_type="case", object_id="obj-2")
    url = reverse("audit:event_list")
    by_actor = auditor_client.get(url, {"actor": "cw-filter"})
    assert {e.actor_username for e in by_actor.context["page"].events} == {"cw-filter"}
    assert len(seqs(by_actor)) == 2
    both = auditor_client.get(url, {"actor": "cw-filter", "action": "case.viewed"})
    assert [e.object_id for e in both.context["page"].events] == ["obj-1"]
    by_object = auditor_client.get(url, {"object_id": "obj-2"})
    assert [e.action for e in by_object.context["page"].events] == ["case.approve", "case.viewed"]


def test_filter_by_case_reference_resolves_the_case_id(auditor_client):
    case, other = make_case(), make_case()
    with transaction.atomic():
        audit_record(
            action="case.referred", object_type="case", object_id=case.pk, payload={"reference": case.reference}
        )
        audit_record(action="case.referred", object_type="case", object_id=other.pk)
    response = auditor_client.get(reverse("audit:event_list"), {"reference": case.reference.lower()})
    assert [e.object_id for e in response.context["page"].events] == [str(case.pk)]


def test_filter_by_date_range_is_inclusive_in_local_time(auditor_client):
    record(2)
    # The day the events were recorded on, read from them (not the clock,
    # which may have passed midnight since).
    today = timezone.localtime(AuditEvent.objects.order_by("-seq").first().occurred_at).date()
    url = reverse("audit:event_list")
    assert len(seqs(auditor_client.get(url, {"since": today, "until": today}))) == 3
    yesterday = today - dt.timedelta(days=1)
    assert seqs(auditor_client.get(url, {"since": yesterday, "until": yesterday})) == []


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        ({"since": "2026-03-02", "until": "2026-03-01"}, "until", "before its start"),
        ({"action": "no.such_action"}, "action", "Unknown action"),
        ({"reference": "VAF-1999-000001"}, "reference", "No case has this reference"),
        ({"since": "yesterday"}, "since", "valid date"),
    ],
)
def test_bad_filters_answer_a_clear_form_error(auditor_client, query, field, message):
    record(1)
    response = auditor_client.get(reverse("audit:event_list"), query)
    assert response.status_code == 400
    assert message in " ".join(response.context["form"].errors[field])
    assert response.context["page"] is None
    assert message in response.content.decode()


def test_known_actions_lists_each_action_once(db):
    from audit.actions import ACTIONS

    record(3, action="b.two")
    record(2, action="a.one")
    record(1, action="case.referred")
    actions = known_actions()
    assert actions == sorted(set(actions))  # once each, in order
    assert {"a.one", "b.two"} | ACTIONS == set(actions)


def test_the_event_page_shows_its_link_to_the_previous_event(auditor_client):
    first, second = record(2)
    response = auditor_client.get(reverse("audit:event_detail", kwargs={"seq": second.seq}))
    body = response.content.decode()
    assert response.context["hash_ok"] and response.context["link_ok"]
    assert response.context["previous"].seq == first.seq
    assert second.prev_hash == first.hash and first.hash in body and second.hash in body
    assert body.count("<h1") == 1


def test_the_event_page_flags_an_edited_event(auditor_client):
    _first, second = record(2)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE audit_auditevent DISABLE TRIGGER USER")
        else:
            cursor.execute("DROP TRIGGER audit_auditevent_no_update")
        cursor.execute("UPDATE audit_auditevent SET reason = 'forged' WHERE seq = %s", [second.seq])
    response = auditor_client.get(reverse("audit:event_detail", kwargs={"seq": second.seq}))
    assert response.context["hash_ok"] is False
    assert "Hash mismatch" in response.content.decode()


def test_a_missing_event_is_404(auditor_client):
    assert auditor_client.get(reverse("audit:event_detail", kwargs={"seq": 999})).status_code == 404


def test_case_history_holds_the_case_and_its_disbursement_events(auditor_client, auditor):
    from fund.models import Disbursement, Fund

    case = make_case()
    fund = Fund.objects.create(name="Test Fund", currency="SAR")
    disbursement = Disbursement.objects.create(
        fund=fund,
        case=case,
        category="medical",
        amount="100.00",
        currency="SAR",
        payee_type="vendor",
        justification="Test",
        requested_by=auditor,
    )
    with transaction.atomic():
        audit_record(
            action="case.referred", object_type="case", object_id=case.pk, payload={"reference": case.reference}
        )
        audit_record(action="case.referred", object_type="case", object_id=make_case().pk)
        audit_record(
            action="disbursement.pay",
            object_type="disbursement",
            object_id=disbursement.pk,
            payload={"case_reference": case.reference, "case_id": str(case.pk)},
        )
    response = auditor_client.get(reverse("audit:case_history", kwargs={"reference": case.reference}))
    assert [e.action for e in response.context["page"].events] == ["disbursement.pay", "case.referred"]
    assert case.reference in response.content.decode()
    assert auditor_client.get(reverse("audit:case_history", kwargs={"reference": "VAF-1999-000009"})).status_code == 404


def test_access_review_lists_who_revealed_what_and_why(auditor_client):
    case = make_case()
    reader = make_user("approver", username="approver-reads")
    with transaction.atomic():
        audit_record(
            action="case.pii_revealed",
            actor=reader,
            object_type="case",
            object_id=case.pk,
            payload={"reference": case.reference},
            reason="Checking identity before approval",
        )
        audit_record(action="case.approve", actor=reader, object_type="case", object_id=case.pk)
        audit_record(
            action="disbursement.payee_revealed",
            actor=reader,
            object_type="disbursement",
            object_id="d-1",
            payload={"case_reference": "VAF-2026-999999", "case_id": "x"},
            reason="Bank details check",
        )
    url = reverse("audit:access_review")
    response = auditor_client.get(url)
    body = response.content.decode()
    assert [e.action for e in response.context["page"].events] == [
        "disbursement.payee_revealed",
        "case.pii_revealed",
    ]
    assert "Checking identity before approval" in body and "approver-reads" in body and case.reference in body
    filtered = auditor_client.get(url, {"reference": case.reference})
    assert [e.action for e in filtered.context["page"].events] == ["case.pii_revealed"]
    payee_only = auditor_client.get(url, {"action": "disbursement.payee_revealed"})
    assert [e.reason for e in payee_only.context["page"].events] == ["Bank details check"]
    assert auditor_client.get(url, {"action": "case.approve"}).status_code == 400


def test_a_real_reveal_reaches_the_access_review(auditor_client):
    """Through the referrals service, as the case pages and API record it."""
    from referrals.services import ReferralInput, case_reveal_pii, referral_create

    caseworker = make_user("caseworker", organisation="Org Review")
    case = referral_create(
        actor=caseworker,
        referral=ReferralInput(
            referring_agency="Test Agency",
            exploitation_types=["forced_labour"],
            consent_given=True,
            consent_date=dt.date(2026, 1, 2),
            victim={"full_name": "Fake Person One", "sex": "female"},
        ),
    )
    case_reveal_pii(case=case, actor=caseworker, reason="Calling the person back")
    response = auditor_client.get(reverse("audit:access_review"), {"reference": case.reference})
    events = response.context["page"].events
    assert [(e.actor_username, e.reason) for e in events] == [(caseworker.username, "Calling the person back")]
    assert "Fake Person One" not in response.content.decode()
