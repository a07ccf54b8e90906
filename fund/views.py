"""The fund's pages: overview and deposits, the approver's queue, the finance
queue with bank files, and a case's payment requests.

Thin: parse the form, call one service or selector, render or redirect.
"""

from __future__ import annotations

import functools
import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as HttpForbidden
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.roles import Role, user_roles
from audit.denials import refusal_record
from config.errors import DomainError, NotFound, PermissionDenied, ValidationFailed
from fund import selectors, services
from fund.choices import DisbursementStatus
from fund.forms import (
    DepositForm,
    DisbursementEditForm,
    DisbursementForm,
    PayeeRevealForm,
    StatementImportForm,
    TransitionForm,
)
from fund.permissions import update_refusal
from fund.policy import current_policy
from fund.services.bank import payees_reveal, payment_batch_export, statement_reconcile
from fund.services.requests import PAYEE_FIELDS
from referrals.selectors import case_get_for_user
from referrals.services import case_pii_viewed_record


def domain_errors_as_http(view):
    """NotFound -> 404 and PermissionDenied -> 403 pages (no details leak)."""

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except NotFound:
            raise Http404 from None
        except PermissionDenied:
            raise HttpForbidden from None

    return wrapper


def _safe_next(request) -> str:
    """The `next` of the form (or of the link that opened it), if it stays on this site."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, require_https=request.is_secure()):
        return target
    return ""


def _back(request, default: str):
    return redirect(_safe_next(request) or default)


def _overview_page(request, deposit_form=None, status=200):
    balances = selectors.fund_summary_for_user(user=request.user)
    if deposit_form is None and Role.FINANCE in user_roles(request.user):
        deposit_form = DepositForm()
    context = {
        "balances": balances,
        "policy": current_policy(),
        "entries": selectors.ledger_recent_for_user(user=request.user),
        "deposit_form": deposit_form,
    }
    return render(request, "fund/overview.html", context, status=status)


@require_GET
@login_required
@domain_errors_as_http
def overview(request):
    return _overview_page(request)


@require_POST
@login_required
@domain_errors_as_http
def deposit_create(request):
    form = DepositForm(request.POST)
    if not form.is_valid():
        return _overview_page(request, deposit_form=form, status=400)
    try:
        services.fund_deposit(actor=request.user, **form.cleaned_data)
    except (NotFound, PermissionDenied):
        raise
    except DomainError as exc:
        messages.error(request, exc.detail)
        return _overview_page(request, deposit_form=form, status=400)
    messages.success(request, _("The deposit was recorded."))
    return redirect("fund:overview")


@require_GET
@login_required
@domain_errors_as_http
def approval_queue(request):
    rows = selectors.approval_queue_rows_for_user(user=request.user)
    for case in {
        row["disbursement"].case_id: row["disbursement"].case for row in rows if row["payee_revealed"]
    }.values():
        case_pii_viewed_record(case=case, actor=request.user, via="page", fields=PAYEE_FIELDS)
    context = {
        "rows": rows,
        "policy": current_policy(),
        "transition_form": TransitionForm(),
    }
    return render(request, "fund/approval_queue.html", context)


def _payment_queue_page(request, *, revealed: list | None = None, reveal_form=None, status=200):
    """The queue with payee details masked, or in full for the payments just
    revealed (`revealed`, each recorded by the reveal service)."""
    queue = selectors.payment_queue_for_user(user=request.user, to_pay=revealed)
    batches = selectors.batch_exports_recent()
    to_pay = selectors.rows_for(request.user, queue["to_pay"], payee_revealed=revealed is not None)
    for row in to_pay:
        row["exported_at"] = batches["exported_at"].get(str(row["disbursement"].pk))
    context = {
        "to_pay": to_pay,
        "last_batch": batches["latest"],
        "to_reconcile": selectors.rows_for(request.user, queue["to_reconcile"]),
        "payees_revealed": revealed is not None,
        "reveal_form": reveal_form or PayeeRevealForm(),
        "transition_form": TransitionForm(),
        "statement_form": StatementImportForm(),
    }
    return render(request, "fund/payment_queue.html", context, status=status)


@require_GET
@login_required
@domain_errors_as_http
def payment_queue(request):
    return _payment_queue_page(request)


@never_cache  # payee details in full: this response only
@require_POST
@login_required
@domain_errors_as_http
def payment_queue_reveal(request):
    form = PayeeRevealForm(request.POST)
    if not form.is_valid():
        return _payment_queue_page(request, reveal_form=form, status=400)
    try:
        revealed = payees_reveal(actor=request.user, reason=form.cleaned_data["reason"])
    except (NotFound, PermissionDenied):
        raise
    except DomainError as exc:
        form.add_error("reason" if "reason" in (exc.errors or {}) else None, exc.detail)
        return _payment_queue_page(request, reveal_form=form, status=exc.status)
    return _payment_queue_page(request, revealed=revealed)


@never_cache
@require_POST
@login_required
@domain_errors_as_http
def batch_export(request):
    chosen = request.POST.getlist("disbursement")
    if request.POST.get("choose") and not chosen:
        messages.error(request, _("Choose at least one payment for the bank batch."))
        return redirect("fund:payment_queue")
    try:
        ids = [uuid.UUID(value) for value in chosen] if chosen else None
    except ValueError:
        raise Http404 from None
    content = payment_batch_export(actor=request.user, disbursement_ids=ids)
    response = HttpResponse(content, content_type="text/csv; charset=utf-8")
    filename = f"vaf-payment-batch-{timezone.now():%Y%m%d-%H%M%S}.csv"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@require_POST
@login_required
@domain_errors_as_http
def statement_import(request):
    if Role.FINANCE not in user_roles(request.user):
        raise HttpForbidden
    form = StatementImportForm(request.POST, request.FILES)
    report = None
    if form.is_valid():
        try:
            report = statement_reconcile(
                actor=request.user,
                statement_reference=form.cleaned_data["statement_reference"],
                raw=form.cleaned_data["file"].read(),
            )
        except DomainError as exc:
            form.add_error("file" if "file" in (exc.errors or {}) else None, exc.detail)
    status = 200 if report is not None else 400
    return render(request, "fund/statement_result.html", {"form": form, "report": report}, status=status)


def _case_page(request, case, request_form=None, status=200):
    context = selectors.case_disbursement_context(request.user, case)
    if not context["fund_section_visible"]:
        raise HttpForbidden
    if request_form is not None:
        context["fund_request_form"] = request_form
    return render(request, "fund/case_page.html", {"case": case, **context}, status=status)


@never_cache
@require_GET
@login_required
@domain_errors_as_http
def case_disbursements(request, case_id):
    case = case_get_for_user(user=request.user, case_id=case_id)
    return _case_page(request, case)


@require_POST
@login_required
@domain_errors_as_http
def disbursement_create(request, case_id):
    case = case_get_for_user(user=request.user, case_id=case_id)
    form = DisbursementForm(request.POST)
    if not form.is_valid():
        return _case_page(request, case, request_form=form, status=400)
    try:
        services.disbursement_create(
            actor=request.user, case=case, request=services.DisbursementInput(**form.cleaned_data)
        )
    except DomainError as exc:
        for name, errors in (exc.errors or {}).items():
            for error in errors:
                form.add_error(name if name in form.fields else None, error)
        messages.error(request, exc.detail)
        return _case_page(request, case, request_form=form, status=exc.status)
    messages.success(request, _("The payment request was saved as a draft. Submit it when it is ready."))
    return _back(request, reverse("fund:case_disbursements", args=[case.pk]))


def _edit_page(request, disbursement, form=None, refusal=None, status=200):
    """The edit form, or only `refusal`'s message when the request is no
    longer a draft. Never shows the stored payee details."""
    context = {
        "disbursement": disbursement,
        "case": disbursement.case,
        "form": form,
        "refusal": refusal,
        "returned": selectors.returned_for_changes(disbursement),
        "next_url": _safe_next(request) or reverse("fund:case_disbursements", args=[disbursement.case_id]),
    }
    return render(request, "fund/disbursement_edit.html", context, status=status)


@never_cache
@require_http_methods(["GET", "POST"])
@login_required
@domain_errors_as_http
def disbursement_edit(request, pk):
    """Change a draft payment request, as PATCH /api/v1/disbursements/{id}/
    does: the same rule (fund.permissions.update_refusal), the same service."""
    disbursement = selectors.disbursement_get_for_user(user=request.user, disbursement_id=pk)
    refusal = update_refusal(request.user, disbursement)
    if isinstance(refusal, PermissionDenied):
        raise refusal
    if refusal is not None:
        return _edit_page(request, disbursement, refusal=refusal.detail, status=refusal.status)
    if request.method == "GET":
        initial = {name: getattr(disbursement, name) for name in ("category", "amount", "payee_type", "justification")}
        return _edit_page(request, disbursement, form=DisbursementEditForm(initial=initial))
    form = DisbursementEditForm(request.POST)
    if not form.is_valid():
        return _edit_page(request, disbursement, form=form, status=400)
    try:
        services.disbursement_update(disbursement=disbursement, actor=request.user, changes=form.changes())
    except (NotFound, PermissionDenied):
        raise
    except ValidationFailed as exc:
        for name, errors in (exc.errors or {}).items():
            for error in errors:
                form.add_error(name if name in form.fields else None, error)
        return _edit_page(request, disbursement, form=form, status=exc.status)
    except DomainError as exc:
        return _edit_page(request, disbursement, refusal=exc.detail, status=exc.status)
    messages.success(request, _("The payment request was updated. Submit it when it is ready."))
    return _back(request, reverse("fund:case_disbursements", args=[disbursement.case_id]))


@require_POST
@login_required
@domain_errors_as_http
def disbursement_transition(request, pk, name):
    disbursement = selectors.disbursement_get_for_user(user=request.user, disbursement_id=pk)
    form = TransitionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Please check the reason and references: they are too long."))
    else:
        _apply_transition(request, disbursement, name, form.cleaned_data)
    return _back(request, reverse("fund:case_disbursements", args=[disbursement.case_id]))


DONE_MESSAGES = {
    "submit": _lazy("The payment request was submitted for approval."),
    "approve": _lazy("You approved the payment request."),
    "reject": _lazy("You rejected the payment request."),
    "return_for_changes": _lazy("The payment request was returned to the caseworker for changes."),
    "cancel": _lazy("The payment request was cancelled."),
    "pay": _lazy("The payment was recorded."),
    "mark_failed": _lazy("The payment was marked as failed."),
    "reconcile": _lazy("The payment was reconciled."),
}


def _apply_transition(request, disbursement, name: str, fields: dict) -> None:
    """Apply one transition and say what happened, including an approval
    that still waits for a second approver."""
    try:
        updated = services.disbursement_transition(disbursement=disbursement, actor=request.user, name=name, **fields)
    except DomainError as exc:
        if isinstance(exc, PermissionDenied):
            refusal_record(request, code=exc.code)  # shown as a message, not a 403 page
        messages.error(request, exc.detail)
        return
    status = getattr(updated, "status", None)
    if name == "approve" and status == DisbursementStatus.SUBMITTED:
        messages.success(request, _("You approved; the request now waits for a second approver."))
    elif name == "approve":
        messages.success(request, _("You approved; the request is approved and the money is committed."))
    else:
        messages.success(request, DONE_MESSAGES.get(name) or _("Done: the payment request was updated."))


@require_POST
@login_required
@domain_errors_as_http
def disbursement_decide(request, pk):
    """The approver's one decision form: `decision` names the transition."""
    disbursement = selectors.disbursement_get_for_user(user=request.user, disbursement_id=pk)
    form = TransitionForm(request.POST)
    decision = request.POST.get("decision", "")
    if decision not in selectors.DECISIONS:
        messages.error(request, _("Choose a decision: approve, return for changes, reject or cancel."))
    elif not form.is_valid():
        messages.error(request, _("Please check the reason: it is too long."))
    else:
        _apply_transition(request, disbursement, decision, {"reason": form.cleaned_data["reason"]})
    return _back(request, reverse("fund:approval_queue"))
