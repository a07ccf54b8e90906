"""demo.fund.seed: deposits and a payment request in every state, idempotent."""

import io

from audit.verification import verify_chain
from demo import fund as fund_demo
from fund.choices import DisbursementStatus
from fund.models import Disbursement, LedgerEntry
from tests.factories import make_user


def _demo_users():
    org = fund_demo.DEMO_ORGANISATION
    users = {
        name: make_user(*roles, organisation=org, username=f"demo-{name}")
        for name, roles in {
            "caseworker": ["caseworker"],
            "caseworker2": ["caseworker"],
            "coordinator": ["caseworker"],
            "approver": ["approver"],
            "approver2": ["approver"],
            "finance": ["finance"],
            "finance2": ["finance"],
            "auditor": ["auditor"],
            "admin": ["admin"],
            "intake": ["intake_partner"],
        }.items()
    }
    return users


def test_seed_creates_every_state_once(db):
    users = _demo_users()
    out = io.StringIO()
    fund_demo.seed(users=users, stdout=out)
    states = set(Disbursement.objects.values_list("status", flat=True))
    assert states == set(DisbursementStatus.values)
    payees = {d.payee_account for d in Disbursement.objects.select_related("case__data_key")}
    assert all(account.startswith("GB") and account[4:8] == "DEMO" for account in payees)  # fake bank code
    entries = LedgerEntry.objects.count()
    fund_demo.seed(users=users, stdout=out)
    assert LedgerEntry.objects.count() == entries
    assert "skipped" in out.getvalue()
    assert verify_chain().ok
