"""The audit log finds cases by reference and reads a case's history with its
payment requests' events through audit.subjects, which referrals and fund
fill at start-up (the log imports neither)."""

from __future__ import annotations

from audit.subjects import history_object_ids, subject_find
from tests.fund.conftest import request_payment


def test_a_case_reference_names_its_case(case):
    subject = subject_find(case.reference.lower())
    assert subject.object_id == str(case.pk)
    assert subject.reference == case.reference
    assert dict(subject.facts)["Status"] == case.get_status_display()


def test_unknown_or_malformed_references_name_nothing(db):
    assert subject_find("VAF-2026-999999") is None
    assert subject_find("not a reference") is None
    assert subject_find("") is None


def test_a_cases_history_includes_its_payment_requests(case, people):
    first = request_payment(case, people.caseworker)
    second = request_payment(case, people.caseworker, amount="20.00")
    ids = history_object_ids(str(case.pk))
    assert ids[0] == str(case.pk)
    assert set(ids[1:]) == {str(first.pk), str(second.pk)}
