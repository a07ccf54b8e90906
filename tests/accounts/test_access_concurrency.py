"""Two administrators deciding one access change at the same moment: exactly
one decision counts (PostgreSQL row lock; real threads)."""

from __future__ import annotations

import threading

import pytest
from django.contrib.auth import get_user_model
from django.db import connection

from accounts.access_changes import access_change_approve, access_change_reject, access_change_request_user
from accounts.models import AccessChange, SetPasswordLink
from config.errors import TransitionNotAllowed
from tests.conftest import postgresql_only
from tests.factories import make_user

pytestmark = postgresql_only()


@pytest.mark.django_db(transaction=True)
def test_a_change_is_decided_once_when_two_administrators_race():
    requester, second, third = (make_user("admin") for _ in range(3))
    change = access_change_request_user(
        actor=requester, username="raced", email="", organisation_name="Org", roles=["caseworker"]
    )
    barrier = threading.Barrier(2)
    outcomes: list = [None, None]

    def decide(i: int) -> None:
        try:
            barrier.wait()
            if i == 0:
                access_change_approve(change=change, actor=second)
            else:
                access_change_reject(change=change, actor=third)
            outcomes[i] = "done"
        except TransitionNotAllowed:
            outcomes[i] = "refused"
        finally:
            connection.close()

    threads = [threading.Thread(target=decide, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(outcomes) == ["done", "refused"]
    change.refresh_from_db()
    created = get_user_model().objects.filter(username="raced").exists()
    assert created == (change.status == AccessChange.Status.APPROVED)
    assert SetPasswordLink.objects.count() == (1 if created else 0)
