"""The money invariants hold after any sequence of operations.

A hypothesis state machine drives the services with random deposits, requests,
transitions (by any actor, allowed or not) and case withdrawals, and checks
after every step: available >= 0; deposited - committed - paid = available;
the figures equal the states of the disbursements; each disbursement is
committed, released and paid at most once; every change has exactly one audit
event; the audit chain verifies. Each example runs in a savepoint that is
rolled back, so examples start from the same funded fund and active cases.
"""

from __future__ import annotations

import itertools
from decimal import Decimal

from django.db import transaction
from django.db.models import Count, Sum
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    rule,
    run_state_machine_as_test,
)

from audit.models import AuditEvent
from audit.verification import verify_chain
from config.errors import DomainError
from fund import services
from fund.choices import COMMITTED_STATES, COUNTED_STATES
from fund.choices import DisbursementStatus as S
from fund.models import Disbursement, LedgerEntry
from fund.permissions import SOURCES, TRANSITIONS
from referrals.services import case_transition
from tests.conftest import state_machine_budget
from tests.fund.conftest import balances, make_active_case, request_payment

ACTORS = [
    "caseworker",
    "caseworker2",
    "approver",
    "approver2",
    "approver3",
    "finance",
    "finance2",
    "caseworker_approver",
    "approver_finance",
    "auditor",
]
APPROVERS = ["approver", "approver2", "approver3", "caseworker_approver", "approver_finance"]
PAYERS = ["finance", "finance2", "approver_finance"]
PLAUSIBLE = {
    "submit": ["caseworker", "caseworker2", "caseworker_approver"],
    "approve": APPROVERS,
    "reject": APPROVERS,
    "return_for_changes": APPROVERS,
    "cancel": ["caseworker", "approver", "caseworker_approver"],
    "pay": PAYERS,
    "mark_failed": PAYERS,
    "reconcile": PAYERS,
}
# Forward progress first: hypothesis favours the first choices.
FORWARD = ["submit", "approve", "pay", "reconcile", "mark_failed", "reject", "return_for_changes", "cancel"]
COMMIT, PAID, RELEASED = {"commit"}, {"commit", "payment"}, {"commit", "release"}
LEDGER_FOR_STATE = {
    "draft": [set()],
    "submitted": [set()],
    "rejected": [set()],
    "approved": [COMMIT],
    "failed": [COMMIT],
    "paid": [PAID],
    "reconciled": [PAID],
    "cancelled": [set(), RELEASED],
}
REQUESTERS = ["caseworker", "caseworker2", "caseworker_approver"]
AMOUNTS = st.decimals(min_value=Decimal("0.01"), max_value=Decimal("7000.00"), places=2)
_references = itertools.count(1)


class FundMachine(RuleBasedStateMachine):
    people = None
    cases: list = []

    def __init__(self) -> None:
        super().__init__()
        self._savepoint = transaction.atomic()
        self._savepoint.__enter__()
        self.expected_events: dict = {}  # disbursement id -> audit events it should have

    def teardown(self) -> None:
        transaction.set_rollback(True)
        self._savepoint.__exit__(None, None, None)

    @initialize(
        deposits=st.lists(AMOUNTS, min_size=1, max_size=3),
        requests=st.lists(st.tuples(st.integers(0, 1), AMOUNTS), min_size=1, max_size=4),
    )
    def fund_and_request(self, deposits, requests):
        """Every example starts with some money and some requests to act on."""
        for amount in deposits:
            self.deposit(amount)
        for case_index, amount in requests:
            self.request(case_index, "caseworker", amount)

    @rule(data=st.data(), roll=st.integers(0, 19))
    def step(self, data, roll):
        """One operation, weighted towards transitions: they are what can go wrong."""
        # Hypothesis favours small draws, so the common case comes first.
        if roll < 14 and self.expected_events:
            self.act(data, plausible=data.draw(st.integers(0, 5)) < 5)
        elif roll < 16:
            self.deposit(data.draw(AMOUNTS))
        elif roll < 19:
            self.request(data.draw(st.integers(0, 1)), data.draw(st.sampled_from(REQUESTERS)), data.draw(AMOUNTS))
        else:
            self.withdraw_second_case()

    def deposit(self, amount):
        services.fund_deposit(actor=self.people.finance, amount=amount, source="Budget", reference="DEP")

    def request(self, case_index, who, amount):
        try:
            disbursement = request_payment(self.cases[case_index], getattr(self.people, who), amount=amount)
        except DomainError:
            return  # the case was withdrawn
        self.expected_events[disbursement.pk] = 1

    def act(self, data, plausible):
        """Mostly a transition the request's state allows, by someone whose role
        may; sometimes anything by anyone, with or without the required input."""
        ordered = list(self.expected_events)  # creation order: stable on replay
        if plausible:
            statuses = dict(Disbursement.objects.filter(pk__in=ordered).values_list("pk", "status"))
            movable = [pk for pk in ordered if any(statuses[pk] in SOURCES[n] for n in FORWARD)]
            if not movable:
                return
            pk = data.draw(st.sampled_from(movable))
            name = data.draw(st.sampled_from([n for n in FORWARD if statuses[pk] in SOURCES[n]]))
            who = data.draw(st.sampled_from(PLAUSIBLE[name]))
        else:
            pk = data.draw(st.sampled_from(ordered))
            name = data.draw(st.sampled_from(TRANSITIONS))
            who = data.draw(st.sampled_from(ACTORS))
        given = {"reason": "Because.", "payment_reference": f"TRX-{next(_references)}", "statement_reference": "S"}
        try:
            services.disbursement_transition(
                disbursement=Disbursement.objects.get(pk=pk),
                actor=getattr(self.people, who),
                name=name,
                **(given if plausible or data.draw(st.booleans()) else {}),
            )
        except DomainError:
            return
        self.expected_events[pk] += 1

    def withdraw_second_case(self):
        case = self.cases[1]
        before = dict(Disbursement.objects.filter(case=case).values_list("pk", "status"))
        try:
            case_transition(case=case, actor=self.people.caseworker, name="withdraw", reason="Consent withdrawn.")
        except DomainError:
            return
        for pk, status in Disbursement.objects.filter(case=case).values_list("pk", "status"):
            if status != before[pk]:
                self.expected_events[pk] += 1

    @invariant()
    def money_adds_up(self):
        deposited, committed, paid, available = balances()
        assert available >= 0
        assert deposited - committed - paid == available
        by_state = dict(
            Disbursement.objects.values("status").annotate(total=Sum("amount")).values_list("status", "total")
        )
        assert committed == sum((by_state.get(s, 0) for s in COMMITTED_STATES), Decimal("0.00"))
        assert paid == sum((by_state.get(s, 0) for s in (S.PAID, S.RECONCILED)), Decimal("0.00"))

    @invariant()
    def money_moves_at_most_once_per_disbursement(self):
        repeated = (
            LedgerEntry.objects.filter(disbursement__isnull=False)
            .values("disbursement", "kind")
            .annotate(n=Count("id"))
            .filter(n__gt=1)
        )
        assert not repeated.exists()
        kinds: dict = {}
        for disbursement_id, kind in LedgerEntry.objects.exclude(kind="deposit").values_list("disbursement", "kind"):
            kinds.setdefault(disbursement_id, set()).add(kind)
        for pk, status in Disbursement.objects.values_list("pk", "status"):
            assert kinds.get(pk, set()) in LEDGER_FOR_STATE[status], (status, kinds.get(pk))

    @invariant()
    def no_case_over_its_limit(self):
        totals = Disbursement.objects.filter(status__in=COUNTED_STATES).values("case").annotate(total=Sum("amount"))
        assert all(row["total"] <= Decimal("12000.00") for row in totals)

    @invariant()
    def every_change_has_one_audit_event(self):
        counts = dict(
            AuditEvent.objects.filter(object_type="disbursement")
            .exclude(action="disbursement.payee_revealed")
            .values("object_id")
            .annotate(n=Count("seq"))
            .values_list("object_id", "n")
        )
        assert counts == {str(pk): n for pk, n in self.expected_events.items()}
        assert verify_chain().ok


def test_fund_invariants_hold_for_any_sequence_of_operations(people, settings):
    settings.VAF_DUAL_APPROVAL_THRESHOLD = Decimal("3000.00")
    settings.VAF_CASE_LIMIT = Decimal("12000.00")
    FundMachine.people = people
    FundMachine.cases = [make_active_case(people.caseworker, people.approver) for _ in range(2)]
    run_state_machine_as_test(
        FundMachine,
        settings=hypothesis_settings(
            **state_machine_budget(examples=25, steps=20),
            deadline=None,
            database=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
        ),
    )
