"""The ledger: balances derived from it, deposits, and the entries that move
committed money. `available = deposited - committed - paid`, where `committed`
is what was committed and neither released nor paid."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.db import transaction
from django.db.models import Sum
from django.utils.translation import gettext as _

from accounts.roles import Role, user_roles
from audit.services import audit_record
from config.errors import PermissionDenied, ValidationFailed
from fund.choices import LedgerEntryKind as Kind
from fund.models import Disbursement, Fund, LedgerEntry
from fund.policy import CENT, parse_amount
from fund.services.locks import lock_fund

ZERO = Decimal("0.00")


@dataclass(frozen=True)
class Balances:
    currency: str
    deposited: Decimal
    committed: Decimal
    paid: Decimal
    available: Decimal

    def as_dict(self) -> dict[str, str]:
        return {
            "currency": self.currency,
            "deposited": str(self.deposited),
            "committed": str(self.committed),
            "paid": str(self.paid),
            "available": str(self.available),
        }


def balances_from_totals(totals: Mapping[str, Decimal], *, currency: str) -> Balances:
    """The one definition of the balances, from the ledger's totals per entry
    kind (missing kinds count as zero). Reports use it for past month ends."""
    deposited, paid = totals.get(Kind.DEPOSIT) or ZERO, totals.get(Kind.PAYMENT) or ZERO
    committed = (totals.get(Kind.COMMIT) or ZERO) - (totals.get(Kind.RELEASE) or ZERO) - paid
    return Balances(
        currency=currency,
        deposited=deposited.quantize(CENT),
        committed=committed.quantize(CENT),
        paid=paid.quantize(CENT),
        available=(deposited - committed - paid).quantize(CENT),
    )


def fund_balances(fund: Fund, *, until: datetime | None = None) -> Balances:
    """The fund's figures, summed from its ledger in one query; with `until`,
    as they stood just before that moment (entries created before it)."""
    entries = LedgerEntry.objects.filter(fund=fund)
    if until is not None:
        entries = entries.filter(created_at__lt=until)
    totals = {row["kind"]: row["total"] for row in entries.values("kind").annotate(total=Sum("amount")).order_by()}
    return balances_from_totals(totals, currency=fund.currency)


def ledger_entry_add(
    *, fund: Fund, kind: str, actor, disbursement: Disbursement | None = None, **fields
) -> LedgerEntry:
    """Append one entry. The caller holds the fund lock (fund.services.locks)."""
    amount = fields.pop("amount", None) or disbursement.amount
    return LedgerEntry.objects.create(
        fund=fund,
        kind=kind,
        amount=amount,
        disbursement=disbursement,
        created_by=actor,
        created_by_username=actor.get_username() if actor else "",
        **fields,
    )


def _text(value, field: str, limit: int) -> str:
    text = (value or "").strip() if isinstance(value, str) or value is None else None
    if text is None:
        raise ValidationFailed(_("Invalid input: %(f)s.") % {"f": field}, errors={field: [_("Expected text.")]})
    if not text:
        raise ValidationFailed(
            _("Invalid input: %(f)s is required.") % {"f": field}, errors={field: [_("This field is required.")]}
        )
    if len(text) > limit:
        raise ValidationFailed(
            _("Invalid input: %(f)s.") % {"f": field},
            errors={field: [_("At most %(n)d characters.") % {"n": limit}]},
        )
    return text


@transaction.atomic
def fund_deposit(*, actor, amount, source: str, reference: str) -> LedgerEntry:
    """Record money received into the fund (finance only)."""
    if Role.FINANCE not in user_roles(actor):
        raise PermissionDenied(_("Only finance officers may record deposits."))
    amount = parse_amount(amount)
    source = _text(source, "source", 200)
    reference = _text(reference, "reference", 100)
    fund = lock_fund()
    entry = ledger_entry_add(
        fund=fund, kind=Kind.DEPOSIT, actor=actor, amount=amount, source=source, reference=reference
    )
    balances = fund_balances(fund)
    audit_record(
        action="fund.deposit",
        actor=actor,
        object_type="fund",
        object_id=fund.pk,
        payload={
            "ledger_entry": str(entry.pk),
            "amount": amount,
            "currency": fund.currency,
            "source": source,
            "reference": reference,
            "deposited": balances.deposited,
            "available": balances.available,
        },
    )
    return entry
