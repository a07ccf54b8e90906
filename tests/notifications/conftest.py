"""People with e-mail addresses (obviously fake), an active case, a funded fund."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from tests.factories import make_user
from tests.fund.conftest import deposit, make_active_case

ORG = "Notice Test Shelter"


def person(*roles):
    user = make_user(*roles, organisation=ORG)
    user.email = f"{user.username}@example.test"
    user.save(update_fields=["email"])
    return user


@pytest.fixture
def people(db):
    return SimpleNamespace(
        caseworker=person("caseworker"),
        approver=person("approver"),
        approver2=person("approver"),
        finance=person("finance"),
        auditor=person("auditor"),
        admin=person("admin"),
    )


@pytest.fixture
def case(people):
    """An active case; the notices its way there wrote are cleared."""
    from django.core import mail

    from notifications.models import Notification

    active = make_active_case(people.caseworker, people.approver)
    Notification.objects.all().delete()
    mail.outbox.clear()
    return active


@pytest.fixture
def funded(people):
    return deposit(people.finance)
