"""Mixed API traffic from several threads, then the invariants that must hold.

Each thread has its own database connection and its own API clients; every
step is one request a real user could send. Domain refusals (409 insufficient
funds, concurrent update, a transition no longer allowed) are normal under
contention; a server error or a broken invariant is a violation.
"""

from __future__ import annotations

import datetime as dt
import itertools
import random
import threading
import time
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import connection

_serial = itertools.count(1)
_lock = threading.Lock()


@dataclass
class SoakReport:
    steps: int = 0
    by_action: dict = field(default_factory=dict)
    refused: int = 0
    violations: list = field(default_factory=list)

    def count(self, action: str, status: int) -> None:
        with _lock:
            self.steps += 1
            self.by_action[action] = self.by_action.get(action, 0) + 1
            if status >= 500:
                self.violations.append(f"{action} answered {status}")
            elif status >= 400:
                self.refused += 1


def _people():
    from accounts.services import user_create

    def user(name: str, *roles: str):
        return user_create(
            username=f"soak-{name}", roles=list(roles), organisation_name="Soak Shelter", password=None, validate=False
        )

    return {
        "caseworker": user("caseworker", "caseworker"),
        "approver": user("approver", "approver"),
        "approver2": user("approver2", "approver"),
        "finance": user("finance", "finance"),
        "auditor": user("auditor", "auditor"),
    }


def _active_case(people):
    from referrals.services import ReferralInput, case_transition, case_update, referral_create

    cw, ap = people["caseworker"], people["approver"]
    case = referral_create(
        actor=cw,
        referral=ReferralInput(
            referring_agency="Soak Agency",
            exploitation_types=["forced_labour"],
            consent_given=True,
            consent_date=dt.date(2026, 1, 2),
            victim={"full_name": f"Soak Person {next(_serial)}", "sex": "female", "nationality": "PH"},
        ),
    )
    case = case_transition(case=case, actor=cw, name="start_assessment")
    case = case_update(case=case, actor=cw, changes={"needs": ["shelter"], "risk_level": "low"})
    case = case_transition(case=case, actor=cw, name="submit_for_approval")
    return case_transition(case=case, actor=ap, name="approve")


def prepare(*, cases: int = 8):
    from fund.services import fund_deposit

    people = _people()
    fund_deposit(actor=people["finance"], amount=Decimal("50000.00"), source="Soak budget", reference="SOAK-0")
    return people, [str(_active_case(people).pk) for _ in range(cases)]


def _fake_iban() -> str:
    """A valid IBAN (its check digits right) of an obviously fake account: the
    API refuses anything else, and then no payment request would be made."""
    from schwifty import IBAN

    return IBAN.generate("GB", bank_code="SOAK000001", account_code="00000001").compact


_SOAK_IBAN = _fake_iban()


def _worker(people, case_ids, deadline: float, report: SoakReport, seed: int) -> None:
    from rest_framework.test import APIClient

    rng = random.Random(seed)
    clients = {}
    for role, user in people.items():
        clients[role] = APIClient()
        clients[role].force_authenticate(user=user)

    def step(action: str, response) -> dict | None:
        report.count(action, response.status_code)
        return (
            response.json()
            if response.status_code < 300 and response.get("Content-Type", "").startswith("application/json")
            else None
        )

    try:
        while time.monotonic() < deadline:
            roll = rng.random()
            if roll < 0.15:
                body = {
                    "referring_agency": "Soak Agency",
                    "exploitation_types": ["forced_labour"],
                    "consent": {"given": True, "date": "2026-01-02"},
                    "victim": {"full_name": f"Soak Person {next(_serial)}", "nationality": "PH", "sex": "male"},
                }
                step("referral", clients["caseworker"].post("/api/v1/referrals/", body, format="json"))
            elif roll < 0.45:
                amount = f"{rng.randint(1, 400)}.00"
                body = {
                    "case": rng.choice(case_ids),
                    "category": "medical",
                    "amount": amount,
                    "payee_type": "vendor",
                    "payee_name": "Soak Clinic",
                    "payee_account": _SOAK_IBAN,
                    "justification": "Soak traffic.",
                }
                created = step(
                    "disbursement", clients["caseworker"].post("/api/v1/disbursements/", body, format="json")
                )
                if created:
                    url = f"/api/v1/disbursements/{created['id']}/transitions/"
                    for role, name, extra in (
                        ("caseworker", "submit", {}),
                        ("approver", "approve", {}),
                        ("finance", "pay", {"payment_reference": f"SOAK-PAY-{next(_serial)}"}),
                    ):
                        if (
                            step(name, clients[role].post(f"{url}{name}/", {"reason": "Soak.", **extra}, format="json"))
                            is None
                        ):
                            break
            elif roll < 0.55:
                body = {"amount": "500.00", "source": "Soak top-up", "reference": f"SOAK-{next(_serial)}"}
                step("deposit", clients["finance"].post("/api/v1/fund/deposits/", body, format="json"))
            elif roll < 0.75:
                step("case list", clients["caseworker"].get("/api/v1/cases/"))
            elif roll < 0.9:
                step("fund", clients["finance"].get("/api/v1/fund/"))
            else:
                step("audit events", clients["auditor"].get("/api/v1/audit/events/"))
    except Exception as exc:  # a crash in a worker is a violation, reported with the rest
        with _lock:
            report.violations.append(f"worker crashed: {type(exc).__name__}: {exc}")
    finally:
        connection.close()


def run(*, threads: int, seconds: float, seed: int = 1) -> SoakReport:
    from django.test.utils import override_settings

    people, case_ids = prepare()
    report = SoakReport()
    deadline = time.monotonic() + seconds
    workers = [
        threading.Thread(target=_worker, args=(people, case_ids, deadline, report, seed + n)) for n in range(threads)
    ]
    # The soak loads the domain, not the API's rate limits (their own tests
    # cover them): with them on, most of its requests were answered 429.
    with override_settings(VAF_API_RATE_PER_TOKEN=None, VAF_API_RATE_PER_ADDRESS=None):
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join()
    report.violations += check_invariants()
    return report


def check_invariants() -> list[str]:
    """The money and audit invariants after the traffic."""
    from django.db.models import Sum

    from audit.models import AuditEvent
    from audit.verification import verify_chain
    from fund.choices import COMMITTED_STATES, DisbursementStatus
    from fund.models import Disbursement
    from fund.services import fund_balances, fund_get_current

    problems = []
    result = verify_chain()
    if not result.ok:
        problems.append(f"audit chain: {result.problem} at {result.first_bad_seq}")
    balances = fund_balances(fund_get_current())
    for name in ("available", "committed", "paid", "deposited"):
        if getattr(balances, name) < 0:
            problems.append(f"fund {name} is negative")

    def total(states) -> Decimal:
        return Disbursement.objects.filter(status__in=states).aggregate(s=Sum("amount"))["s"] or Decimal("0.00")

    if balances.committed != total(COMMITTED_STATES):
        problems.append("fund: committed differs from the approved payment requests")
    if balances.paid != total((DisbursementStatus.PAID, DisbursementStatus.RECONCILED)):
        problems.append("fund: paid differs from the paid payment requests")
    recorded = set(AuditEvent.objects.filter(object_type="disbursement").values_list("object_id", flat=True))
    missing = [pk for pk in Disbursement.objects.values_list("pk", flat=True) if str(pk) not in recorded]
    if missing:
        problems.append(f"{len(missing)} payment requests without an audit event")
    return problems
