"""Test data builders. Names and numbers here are obviously fake."""

from __future__ import annotations

import itertools

from django.contrib.auth.models import Group

from accounts.roles import ensure_role_groups, forbidden_role_combination
from accounts.services import user_create

_counter = itertools.count(1)
PASSWORD = "correct-horse-battery-staple-42"


def make_user(
    *roles: str,
    organisation: str = "Test Organisation",
    username: str | None = None,
    allow_forbidden_combination: bool = False,
    **extra,
):
    """A user through the real service. A role combination that the service
    refuses (admin or auditor with another role, approver with finance) can be
    built only with `allow_forbidden_combination=True`, for tests about
    accounts that predate the rule: the extra roles are then added directly."""
    name = username or f"{'-'.join(roles) or 'norole'}-{next(_counter)}"
    granted, extra_roles = list(roles), []
    if allow_forbidden_combination and forbidden_role_combination(roles):
        granted, extra_roles = list(roles[:1]), list(roles[1:])
    user = user_create(
        username=name,
        roles=granted,
        organisation_name=organisation,
        password=PASSWORD,
        validate=False,
        **extra,
    )
    if extra_roles:
        ensure_role_groups()
        user.groups.add(*Group.objects.filter(name__in=extra_roles))
    return user


def fake_iban(number: int, *, bank: str = "WEST123456") -> str:
    """A valid IBAN (ISO 13616 check digits) of an obviously fake GB account."""
    from schwifty import IBAN

    return IBAN.generate("GB", bank_code=bank, account_code=f"{number:08d}").compact
