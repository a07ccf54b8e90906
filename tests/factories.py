"""Test data builders. Names and numbers here are obviously fake."""

from __future__ import annotations

import itertools

from accounts.services import user_create

_counter = itertools.count(1)
PASSWORD = "correct-horse-battery-staple-42"


def make_user(*roles: str, organisation: str = "Test Organisation", username: str | None = None, **extra):
    name = username or f"{'-'.join(roles) or 'norole'}-{next(_counter)}"
    return user_create(
        username=name,
        roles=list(roles),
        organisation_name=organisation,
        password=PASSWORD,
        validate=False,
        **extra,
    )


def fake_iban(number: int, *, bank: str = "WEST123456") -> str:
    """A valid IBAN (ISO 13616 check digits) of an obviously fake GB account."""
    from schwifty import IBAN

    return IBAN.generate("GB", bank_code=bank, account_code=f"{number:08d}").compact
