"""Intake costs a fixed, small number of statements: the reference counter in
one UPDATE … RETURNING that holds its row lock, the data key, the case, the
victim, and the audit head and insert just before the commit."""

from __future__ import annotations

from django.db import connection

from audit.models import AuditEvent
from referrals import services
from referrals.models import CaseReferenceCounter
from tests.referrals.conftest import referral_input


def test_a_referral_takes_a_fixed_number_of_queries(people, django_assert_max_num_queries):
    services.referral_create(actor=people.caseworker, referral=referral_input())  # roles, organisation, counter row
    # savepoint + release, counter, data key, case, victim, audit head and
    # insert, the tree's edge and nodes; on PostgreSQL the lock statements too
    with django_assert_max_num_queries(14 if connection.vendor == "postgresql" else 10):
        case = services.referral_create(actor=people.caseworker, referral=referral_input())
    assert AuditEvent.objects.filter(action="case.referred", object_id=str(case.pk)).count() == 1
    counter = CaseReferenceCounter.objects.get(year=int(case.reference.split("-")[1]))
    assert case.reference.endswith(f"{counter.last_number:06d}")


def test_references_keep_counting_from_the_stored_counter(people):
    first = services.referral_create(actor=people.caseworker, referral=referral_input())
    second = services.referral_create(actor=people.caseworker, referral=referral_input())
    assert int(second.reference[-6:]) == int(first.reference[-6:]) + 1
