"""The demo seed: cases in every state, made through the services; safe to run twice."""

from __future__ import annotations

import io

from audit.models import AuditEvent
from demo import referrals as referrals_demo
from demo.users import demo_users
from referrals.choices import CaseStatus
from referrals.models import Case


def test_demo_seeds_every_state_once(db):
    users = demo_users()
    out = io.StringIO()
    referrals_demo.seed(users=users, stdout=out)
    organisation_cases = Case.objects.filter(organisation=users["caseworker"].organisation)
    assert set(organisation_cases.values_list("status", flat=True)) == set(CaseStatus.values)
    assert organisation_cases.filter(status=CaseStatus.ACTIVE).count() >= 2
    assert Case.objects.filter(created_by=users["intake"]).count() == 1
    # every case has its audit trail, and the demo includes a possible duplicate
    for case in Case.objects.all():
        assert AuditEvent.objects.filter(object_type="case", object_id=str(case.pk), action="case.referred").exists()
    count = Case.objects.count()
    # running it again changes nothing
    referrals_demo.seed(users=users, stdout=out)
    assert Case.objects.count() == count
    assert "skipped" in out.getvalue()


def test_demo_names_are_obviously_fake(db):
    users = demo_users()
    referrals_demo.seed(users=users, stdout=io.StringIO())
    for case in Case.objects.select_related("victim", "data_key"):
        assert case.victim.full_name.startswith("Demo Person")
        assert case.victim.document_number.startswith("X")
