"""Case pages: list and search, intake form, case detail with its workflow
buttons, reveal, and the assessment and victim edit forms.

Views parse input, call one selector or service and render. Pages showing
personal data are never cached, and personal data never goes into a URL:
the document-number search is a POST form.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as HttpForbidden
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from accounts.roles import Role, user_roles
from config.errors import DomainError, NotFound, ValidationFailed
from config.pagination import CappedPaginator
from referrals import selectors, services
from referrals.choices import ExploitationType
from referrals.disclosure import ERASED, personal_value, victim_profile, victim_row
from referrals.forms import (
    AssessmentForm,
    CaseFilterForm,
    DocumentSearchForm,
    ReasonForm,
    ReferralForm,
    VictimForm,
    add_domain_errors,
)
from referrals.models import PERSONAL_FIELDS
from referrals.page_context import case_page_context
from referrals.permissions import TRANSITIONS
from referrals.services import CODED_INTAKE_FIELDS, ReferralInput
from vault.errors import DataKeyDestroyed

PAGE_SIZE = 25


def _case_page(request, case, context: dict, status: int = 200):
    """The case page; showing the victim's data unmasked is recorded as
    `case.pii_viewed` (an explicit reveal is recorded as `case.pii_revealed`)."""
    if context.get("pii_visible"):
        services.case_pii_viewed_record(case=case, actor=request.user, via="page")
    return render(request, "referrals/case_detail.html", context, status=status)


def _refused(response, exc: DomainError):
    """Tag a refusal page with its code, for its `access.denied` event."""
    response.vaf_refusal_code = exc.code
    return response


def _visible_case(request, case_id):
    try:
        return selectors.case_get_for_user(user=request.user, case_id=case_id)
    except NotFound:
        raise Http404 from None


def _list_row(case, user) -> dict:
    labels = dict(ExploitationType.choices)
    return {
        "case": case,
        "summary_only": selectors.is_summary_only(user, case),
        "victim": victim_row(case),
        "exploitation_types": [labels.get(t, t) for t in case.exploitation_types],
    }


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def case_list(request):
    if not selectors.can_list_cases(request.user):
        raise HttpForbidden
    filters = CaseFilterForm(request.GET or None)
    status = reference = document_number = None
    if filters.is_bound and filters.is_valid():
        status = filters.cleaned_data["status"] or None
        reference = filters.cleaned_data["reference"] or None
    can_search = selectors.can_search_by_document(request.user)
    search = DocumentSearchForm(request.POST or None)
    if request.method == "POST":
        if not can_search:
            raise HttpForbidden
        if search.is_valid():
            document_number = search.cleaned_data["document_number"]
    cases = selectors.case_list_for_user(
        user=request.user, status=status, reference=reference, document_number=document_number
    )
    if document_number is not None:
        services.case_document_search_record(actor=request.user, results=cases.count())
    page = CappedPaginator(cases, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "filters": filters,
        "search": search,
        "searched": document_number is not None,
        "page": page,
        "rows": [_list_row(case, request.user) for case in page.object_list],
        "query": query.urlencode(),
        "can_create": Role.CASEWORKER in user_roles(request.user),
        "can_search_documents": can_search,
    }
    return render(request, "referrals/case_list.html", context)


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def referral_create(request):
    if Role.CASEWORKER not in user_roles(request.user) or not request.user.organisation_id:
        raise HttpForbidden
    form = ReferralForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        referral = ReferralInput(
            referring_agency=data["referring_agency"],
            exploitation_types=data["exploitation_types"],
            summary=data["summary"],
            consent_given=data["consent_given"],
            consent_date=data["consent_date"],
            victim=form.victim_data(),
        )
        try:
            case = services.referral_create(actor=request.user, referral=referral)
        except ValidationFailed as exc:
            add_domain_errors(form, exc)
        else:
            messages.success(request, _("Referral %(ref)s opened.") % {"ref": case.reference})
            return redirect(case)
    status = 400 if form.is_bound and form.errors else 200
    return render(request, "referrals/referral_form.html", {"form": form}, status=status)


@never_cache
@login_required
@require_http_methods(["GET"])
def case_detail(request, case_id):
    case = _visible_case(request, case_id)
    return _case_page(request, case, case_page_context(request, case))


@never_cache
@login_required
@require_POST
def case_reveal(request, case_id):
    case = _visible_case(request, case_id)
    form = ReasonForm(request.POST, auto_id="id_reveal_%s")
    if form.is_valid():
        try:
            services.case_reveal_pii(case=case, actor=request.user, reason=form.cleaned_data["reason"])
        except DomainError as exc:
            add_domain_errors(form, exc)
            context = case_page_context(request, case, reveal_form=form)
            return _refused(_case_page(request, case, context, status=exc.status), exc)
        context = case_page_context(request, case, pii_visible=True)
        return render(request, "referrals/case_detail.html", context)  # recorded as case.pii_revealed
    context = case_page_context(request, case, reveal_form=form)
    return _case_page(request, case, context, status=400)


@never_cache
@login_required
@require_POST
def case_transition(request, case_id, name):
    case = _visible_case(request, case_id)
    form = ReasonForm(request.POST, auto_id=f"id_{name}_%s" if name in TRANSITIONS else "id_transition_%s")
    if form.is_valid():
        try:
            case = services.case_transition(
                case=case, actor=request.user, name=name, reason=form.cleaned_data["reason"]
            )
        except DomainError as exc:
            add_domain_errors(form, exc)
            context = case_page_context(request, case, failed_transition=(name, form, exc.detail))
            return _refused(_case_page(request, case, context, status=exc.status), exc)
        messages.success(
            request, _("Case %(ref)s: %(status)s.") % {"ref": case.reference, "status": case.get_status_display()}
        )
        return redirect(case)
    context = case_page_context(request, case, failed_transition=(name, form, _("Check the reason.")))
    return _case_page(request, case, context, status=400)


def _editable_case(request, case_id):
    case = _visible_case(request, case_id)
    if not selectors.can_edit(request.user, case):
        raise HttpForbidden
    return case


def _edit(request, case, form, *, template: str, changes):
    if request.method == "POST" and form.is_valid() and not form.has_changed():
        messages.info(request, _("Nothing was changed: case %(ref)s stays as it was.") % {"ref": case.reference})
        return redirect(case)
    if request.method == "POST" and form.is_valid():
        try:
            services.case_update(case=case, actor=request.user, changes=changes(form))
        except DomainError as exc:
            add_domain_errors(form, exc)
        else:
            messages.success(request, _("Case %(ref)s saved.") % {"ref": case.reference})
            return redirect(case)
    status = 400 if form.is_bound and form.errors else 200
    return render(request, template, {"case": case, "form": form}, status=status)


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def assessment_edit(request, case_id):
    case = _editable_case(request, case_id)
    try:
        notes = case.assessment_notes
    except DataKeyDestroyed:
        messages.error(request, _("This case's personal data was erased: it cannot be edited."))
        return redirect(case)
    initial = {
        "exploitation_types": case.exploitation_types,
        "consent_given": case.consent_given,
        "consent_date": case.consent_date,
        "needs": case.needs,
        "risk_level": case.risk_level,
        "assessment_notes": notes,
        **{name: getattr(case, name) for name in CODED_INTAKE_FIELDS},
    }
    form = AssessmentForm(request.POST or None, initial=initial)
    if request.method == "GET" and notes:
        services.case_pii_viewed_record(case=case, actor=request.user, via="page")
    return _edit(request, case, form, template="referrals/assessment_form.html", changes=AssessmentForm.changes)


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def victim_edit(request, case_id):
    case = _editable_case(request, case_id)
    profile = victim_profile(case)
    if profile is None:
        raise Http404
    initial = {name: getattr(profile, name) for name in ("sex", "nationality", "document_type", "region")}
    for name in PERSONAL_FIELDS:
        value = personal_value(profile, name, visible=True)
        if value == ERASED:
            messages.error(request, _("This case's personal data was erased: it cannot be edited."))
            return redirect(case)
        initial[name] = value
    form = VictimForm(request.POST or None, initial=initial)
    if request.method == "GET":
        services.case_pii_viewed_record(case=case, actor=request.user, via="page")
    return _edit(
        request, case, form, template="referrals/victim_form.html", changes=lambda f: {"victim": f.victim_data()}
    )
