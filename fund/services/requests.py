"""Creating and editing payment requests (disbursements in `draft`)."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext as _

from accounts.roles import Role, user_roles
from audit.services import audit_record
from config.errors import PermissionDenied, TransitionNotAllowed, ValidationFailed
from fund.choices import PayeeType
from fund.models import Disbursement, DisbursementMaker, MakerRole
from fund.payee import clean_iban, iban_error
from fund.permissions import update_refusal
from fund.policy import parse_amount
from fund.services.limits import check_case_limit
from fund.services.locks import fund_get_current, lock_disbursement
from referrals.choices import AssistanceCategory, CaseStatus
from referrals.permissions import is_case_caseworker
from referrals.services import lock_case

PAYEE_FIELDS = ["payee_account", "payee_name"]
TEXT_LIMITS = {"payee_name": 200, "payee_account": 64, "justification": 2000}


@dataclass
class DisbursementInput:
    category: str
    amount: Decimal | str
    payee_type: str
    payee_name: str
    payee_account: str
    justification: str


def _clean_text(name: str, value, errors: dict) -> str:
    if value is not None and not isinstance(value, str):
        errors[name] = [_("Expected text.")]
        return ""
    text = (value or "").strip()
    if not text:
        errors[name] = [_("This field is required.")]
    elif len(text) > TEXT_LIMITS[name]:
        errors[name] = [_("At most %(n)d characters.") % {"n": TEXT_LIMITS[name]}]
    return text


def clean_disbursement_fields(data: dict) -> dict:
    """Validate the fields present in `data`; raise one error naming every problem."""
    errors: dict[str, list[str]] = {}
    cleaned: dict = {}
    if "category" in data:
        if data["category"] not in AssistanceCategory.values:
            choices = ", ".join(AssistanceCategory.values)
            errors["category"] = [_("Unknown category. Choose one of: %(c)s.") % {"c": choices}]
        cleaned["category"] = data["category"]
    if "amount" in data:
        try:
            cleaned["amount"] = parse_amount(data["amount"])
        except ValidationFailed as exc:
            errors.update(exc.errors or {})
    if "payee_type" in data:
        if data["payee_type"] not in PayeeType.values:
            errors["payee_type"] = [_("Choose one of: %(c)s.") % {"c": ", ".join(PayeeType.values)}]
        cleaned["payee_type"] = data["payee_type"]
    for name in TEXT_LIMITS:
        if name in data:
            cleaned[name] = _clean_text(name, data[name], errors)
    if cleaned.get("payee_account") and "payee_account" not in errors:
        iban = clean_iban(cleaned["payee_account"])
        if iban is None:
            errors["payee_account"] = [iban_error()]
        cleaned["payee_account"] = iban
    if errors:
        raise ValidationFailed(_("Invalid input: %(fields)s.") % {"fields": ", ".join(sorted(errors))}, errors=errors)
    return cleaned


def maker_record(*, disbursement: Disbursement, actor, role: str, fields: list[str] | None = None) -> None:
    """One more maker of the request (DESIGN.md §4), in the caller's transaction."""
    DisbursementMaker.objects.create(
        disbursement=disbursement, user=actor, username=actor.get_username(), role=role, fields=sorted(fields or [])
    )


def _request_payload(disbursement: Disbursement) -> dict:
    return {
        "case": str(disbursement.case_id),
        "case_reference": disbursement.case.reference,
        "category": disbursement.category,
        "amount": disbursement.amount,
        "currency": disbursement.currency,
        "payee_type": disbursement.payee_type,
    }


@transaction.atomic
def disbursement_create(*, actor, case, request: DisbursementInput) -> Disbursement:
    """A caseworker of the case's organisation drafts a payment request for an active case."""
    if Role.CASEWORKER not in user_roles(actor):
        raise PermissionDenied(_("Only caseworkers may request payments."))
    case = lock_case(case.pk)  # serialises with the case's close and withdraw
    if not is_case_caseworker(actor, case):
        raise PermissionDenied(_("Only caseworkers of the case's organisation may request payments for it."))
    if case.status != CaseStatus.ACTIVE:
        raise TransitionNotAllowed(_("Payments can only be requested for an active case."))
    cleaned = clean_disbursement_fields(asdict(request))
    fund = fund_get_current()
    check_case_limit(case_id=case.pk, amount=cleaned["amount"], currency=fund.currency)
    disbursement = Disbursement(
        fund=fund,
        case=case,
        currency=fund.currency,
        requested_by=actor,
        category=cleaned["category"],
        amount=cleaned["amount"],
        payee_type=cleaned["payee_type"],
        justification=cleaned["justification"],
    )
    disbursement.payee_name = cleaned["payee_name"]
    disbursement.payee_account = cleaned["payee_account"]
    disbursement.save()
    maker_record(disbursement=disbursement, actor=actor, role=MakerRole.CREATOR)
    audit_record(
        action="disbursement.created",
        actor=actor,
        object_type="disbursement",
        object_id=disbursement.pk,
        payload={**_request_payload(disbursement), "to": disbursement.status, "personal_fields": PAYEE_FIELDS},
    )
    return disbursement


@transaction.atomic
def disbursement_update(*, disbursement: Disbursement, actor, changes: dict) -> Disbursement:
    """Change a draft (for instance after it was returned for changes). The
    editor becomes a maker of the request, with the names of what changed."""
    lock_case(disbursement.case_id)  # lock order: case -> disbursement
    disbursement = lock_disbursement(disbursement.pk)
    refusal = update_refusal(actor, disbursement)
    if refusal is not None:
        raise refusal
    unknown = sorted(set(changes) - {"category", "amount", "payee_type", *TEXT_LIMITS})
    if unknown:
        raise ValidationFailed(
            _("Invalid input: %(fields)s.") % {"fields": ", ".join(unknown)},
            errors={name: [_("This field cannot be changed.")] for name in unknown},
        )
    cleaned = clean_disbursement_fields(changes)
    changed = []
    for name, value in cleaned.items():
        if getattr(disbursement, name) != value:
            setattr(disbursement, name, value)
            changed.append(name)
    if changed:
        if "amount" in changed:
            check_case_limit(
                case_id=disbursement.case_id,
                amount=disbursement.amount,
                currency=disbursement.currency,
                excluding=disbursement.pk,
            )
        disbursement.save()
        maker_record(disbursement=disbursement, actor=actor, role=MakerRole.EDITOR, fields=changed)
        audit_record(
            action="disbursement.updated",
            actor=actor,
            object_type="disbursement",
            object_id=disbursement.pk,
            payload={**_request_payload(disbursement), "fields": sorted(changed)},
        )
    return disbursement
