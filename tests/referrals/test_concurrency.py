"""Concurrent intake on PostgreSQL: one Idempotency-Key acts once, and
references stay unique. (Real threads, so transactional tests.)"""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from referrals.models import Case
from tests.conftest import postgresql_only
from tests.referrals.conftest import ApiClients, People, referral_body

pytestmark = postgresql_only()


def _in_threads(count: int, work) -> list:
    results: list = [None] * count
    barrier = threading.Barrier(count)

    def run(i: int) -> None:
        try:
            barrier.wait()
            results[i] = work(i)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


@pytest.mark.django_db(transaction=True)
def test_same_key_sent_twice_at_once_creates_one_case():
    people = People()
    body = referral_body()

    def send(_i):
        client = ApiClients().as_user(people.caseworker)
        response = client.post("/api/v1/referrals/", body, format="json", HTTP_IDEMPOTENCY_KEY="race")
        return response.status_code, response.json()

    results = _in_threads(4, send)
    assert [status for status, _ in results] == [201] * 4
    assert len({answer["id"] for _, answer in results}) == 1
    assert Case.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_concurrent_referrals_get_distinct_references():
    people = People()

    def send(_i):
        client = ApiClients().as_user(people.caseworker)
        return client.post("/api/v1/referrals/", referral_body(), format="json").json()["reference"]

    references = _in_threads(6, send)
    assert len(set(references)) == 6
    assert Case.objects.count() == 6
