"""The ledger: balances derived from it, deposits, and the entries that move
committed money. `available = deposited - committed - paid`, where `committed`
is what was committed and neither released nor paid."""

from __future__ import annotations

from dataclasses import dataclass
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


def fund_balances(fund: Fund) -> Balances:
    """The fund's figures, summed from its ledger in one query."""
    sums = {
        row["kind"]: (row["total"] or ZERO)
        for row in LedgerEntry.objects.filter(fund=fund).values("kind").annotate(total=Sum("amount")).order_by()
    }
    deposited, paid = sums.get(Kind.DEPOSIT, ZERO), sums.get(Kind.PAYMENT, ZERO)
    committed = sums.get(Kind.COMMIT, ZERO) - sums.get(Kind.RELEASE, ZERO) - paid
    return Balances(
        currency=fund.currency,
        deposited=deposited.quantize(CENT),
        committed=committed.quantize(CENT),
        paid=paid.quantize(CENT),
        available=(deposited - committed - paid).quantize(CENT),
    )


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
