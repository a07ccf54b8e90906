"""The notifications API of the design and the pages: own notices only,
unread first, marking read, the bell on every page, e-mail preferences."""

from __future__ import annotations

import uuid

from rest_framework.test import APIClient

from fund import services
from notifications.models import Notification, NotificationPreference
from tests.fund.conftest import request_payment


def client_for(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def submitted_and_returned(people, case):
    first = request_payment(case, people.caseworker)
    services.disbursement_transition(disbursement=first, actor=people.caseworker, name="submit")
    services.disbursement_transition(
        disbursement=first, actor=people.approver, name="return_for_changes", reason="Add the quote."
    )
    second = request_payment(case, people.caseworker, amount="200.00")
    services.disbursement_transition(disbursement=second, actor=people.caseworker, name="submit")
    return first, second


def test_the_list_holds_only_my_notifications_unread_first(people, case, funded):
    submitted_and_returned(people, case)
    mine = client_for(people.approver2).get("/api/v1/notifications/")
    assert mine.status_code == 200
    body = mine.json()
    assert set(body) == {"count", "next", "previous", "results"}
    assert body["count"] == 2
    first = body["results"][0]
    assert {"id", "kind", "message", "object_type", "object_id", "url", "created_at", "read"} <= set(first)
    assert first["kind"] == "payment_submitted"
    assert first["object_type"] == "disbursement"
    assert case.reference in first["message"]
    assert first["read"] is False
    # Read one: it moves after the unread one.
    older = body["results"][1]
    assert client_for(people.approver2).post(f"/api/v1/notifications/{older['id']}/read/").status_code == 200
    again = client_for(people.approver2).get("/api/v1/notifications/").json()["results"]
    assert [n["read"] for n in again] == [False, True]


def test_marking_read_answers_200_and_is_idempotent(people, case, funded):
    submitted_and_returned(people, case)
    notice = Notification.objects.filter(recipient=people.caseworker).first()
    client = client_for(people.caseworker)
    first = client.post(f"/api/v1/notifications/{notice.pk}/read/")
    assert first.status_code == 200
    assert first.json()["read"] is True
    assert client.post(f"/api/v1/notifications/{notice.pk}/read/").status_code == 200
    notice.refresh_from_db()
    assert notice.read_at is not None


def test_another_persons_notification_is_not_found_and_stays_unread(people, case, funded):
    submitted_and_returned(people, case)
    notice = Notification.objects.filter(recipient=people.caseworker).first()
    answer = client_for(people.approver).post(f"/api/v1/notifications/{notice.pk}/read/")
    assert answer.status_code == 404
    assert answer.json()["code"] == "not_found"
    notice.refresh_from_db()
    assert notice.read_at is None
    assert str(notice.pk) not in str(client_for(people.approver).get("/api/v1/notifications/").json())


def test_a_missing_or_malformed_id_is_not_found(people):
    client = client_for(people.caseworker)
    assert client.post(f"/api/v1/notifications/{uuid.uuid4()}/read/").json()["code"] == "not_found"
    assert client.post("/api/v1/notifications/not-an-id/read/").status_code == 404


def test_the_api_needs_authentication(db):
    assert APIClient().get("/api/v1/notifications/").json()["code"] == "not_authenticated"


def test_the_returned_requests_reason_is_shown_to_its_requester(people, case, funded):
    submitted_and_returned(people, case)
    results = client_for(people.caseworker).get("/api/v1/notifications/").json()["results"]
    returned = next(n for n in results if n["kind"] == "payment_returned")
    assert returned["note"] == "Add the quote."


def test_the_bell_shows_the_unread_count_on_every_page(client, people, case, funded):
    submitted_and_returned(people, case)
    client.force_login(people.approver2)
    for path in ("/", "/cases/", "/fund/approvals/"):
        page = client.get(path)
        assert page.status_code == 200, path
        assert 'id="notification-bell"' in page.content.decode()
        assert 'data-unread="2"' in page.content.decode()


def test_the_notifications_page_lists_and_marks_read(client, people, case, funded):
    submitted_and_returned(people, case)
    client.force_login(people.caseworker)
    page = client.get("/notifications/")
    assert page.status_code == 200
    assert case.reference in page.content.decode()
    assert "Add the quote." in page.content.decode()
    notice = Notification.objects.get(recipient=people.caseworker)
    answer = client.post(f"/notifications/{notice.pk}/read/", {"open": "1"})
    assert answer.status_code == 302
    assert answer["Location"] == f"/fund/cases/{case.pk}/"
    notice.refresh_from_db()
    assert notice.read_at is not None


def test_nobody_marks_anothers_notice_read_from_the_page(client, people, case, funded):
    submitted_and_returned(people, case)
    notice = Notification.objects.get(recipient=people.caseworker)
    client.force_login(people.approver)
    assert client.post(f"/notifications/{notice.pk}/read/").status_code == 404
    notice.refresh_from_db()
    assert notice.read_at is None


def test_mark_all_read(client, people, case, funded):
    submitted_and_returned(people, case)
    client.force_login(people.approver2)
    client.post("/notifications/read-all/")
    assert not Notification.objects.filter(recipient=people.approver2, read_at__isnull=True).exists()


def test_preferences_page_turns_email_kinds_off(client, people):
    client.force_login(people.approver)
    assert client.get("/notifications/preferences/").status_code == 200
    answer = client.post("/notifications/preferences/", {"language": "ar", "email_on": ["case_submitted"]})
    assert answer.status_code == 302
    preference = NotificationPreference.objects.get(user=people.approver)
    assert preference.language == "ar"
    assert "payment_submitted" in preference.email_off
    assert "case_submitted" not in preference.email_off
    assert client.post("/notifications/preferences/", {"language": "xx"}).status_code == 400


def test_the_bell_caps_its_count(client, people):
    Notification.objects.bulk_create(
        Notification(recipient=people.approver, kind="case_submitted", reference=f"VAF-2026-{i:06d}")
        for i in range(101)
    )
    client.force_login(people.approver)
    page = client.get("/").content.decode()
    assert 'data-unread="100"' in page and "99+" in page


def test_the_list_costs_the_same_queries_however_many_notices(people, case, funded):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def queries_for_list() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client_for(people.caseworker).get("/api/v1/notifications/").status_code == 200
        return len(ctx.captured_queries)

    submitted_and_returned(people, case)
    few = queries_for_list()
    for _ in range(5):
        submitted_and_returned(people, case)
    assert queries_for_list() == few
