"""Pages for administrators: users, roles and API tokens. Administrators see
no case and no personal data; every change goes through an audited service,
and every change that gives access waits for a second administrator."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as HttpForbidden
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from accounts.access_changes import (
    access_change_request_access,
    access_change_request_reset,
    access_change_request_user,
)
from accounts.forms import UserCreateForm, UserEditForm
from accounts.models import AccessChange, ApiToken
from accounts.roles import Role, user_roles
from accounts.services import api_token_revoke
from config.errors import DomainError


def _admin_only(request) -> None:
    if Role.ADMIN not in user_roles(request.user):
        raise HttpForbidden


def _get_user(user_id):
    user = get_user_model().objects.select_related("organisation").filter(pk=user_id).first()
    if user is None:
        raise Http404
    return user


def _apply_domain_error(form, exc: DomainError) -> None:
    for field, field_errors in (exc.errors or {}).items():
        for error in field_errors:
            form.add_error(field if field in form.fields else None, error)
    if not exc.errors:
        form.add_error(None, exc.detail)


@login_required
@require_http_methods(["GET"])
def user_list(request):
    _admin_only(request)
    now = timezone.now()
    live_tokens = Prefetch(
        "api_tokens",
        queryset=ApiToken.objects.filter(revoked_at__isnull=True, expires_at__gt=now).order_by("expires_at"),
        to_attr="live_tokens",
    )
    users = (
        get_user_model()
        .objects.select_related("organisation")
        .prefetch_related("groups", live_tokens)
        .order_by("username")
    )
    page = Paginator(users, 50).get_page(request.GET.get("page"))
    rows = [
        {
            "user": user,
            "roles": sorted(g.name for g in user.groups.all() if g.name in Role.values),
            "role_labels": sorted(str(Role(g.name).label) for g in user.groups.all() if g.name in Role.values),
            "tokens": user.live_tokens,
        }
        for user in page.object_list
    ]
    return render(request, "accounts/user_list.html", {"page": page, "rows": rows})


@login_required
@require_http_methods(["GET", "POST"])
def user_new(request):
    """Request a new account; a second administrator approves it (four eyes)."""
    _admin_only(request)
    form = UserCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            access_change_request_user(
                actor=request.user,
                username=form.cleaned_data["username"],
                roles=form.cleaned_data["roles"],
                organisation_name=form.cleaned_data["organisation"],
                email=form.cleaned_data["email"],
            )
        except DomainError as exc:
            _apply_domain_error(form, exc)
        else:
            messages.success(request, _("Account requested: another administrator must approve it."))
            return redirect("accounts:access_change_list")
    return render(request, "accounts/user_form.html", {"form": form, "creating": True})


@login_required
@require_http_methods(["GET", "POST"])
def user_edit(request, user_id):
    """Deactivation applies at once; other changes are requested for approval."""
    _admin_only(request)
    subject = _get_user(user_id)
    form = UserEditForm.for_user(subject, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            change = access_change_request_access(
                user=subject,
                actor=request.user,
                roles=form.cleaned_data["roles"],
                organisation_name=form.cleaned_data["organisation"],
                is_active=form.cleaned_data["is_active"],
            )
        except DomainError as exc:
            _apply_domain_error(form, exc)
        else:
            if change is not None:
                messages.success(request, _("Change requested: another administrator must approve it."))
            else:
                messages.success(request, _("User %(name)s updated.") % {"name": subject.username})
            return redirect("accounts:user_list")
    tokens = ApiToken.objects.filter(user=subject).order_by("-created_at")
    pending = AccessChange.objects.filter(subject=subject, status=AccessChange.Status.PENDING)
    context = {
        "form": form,
        "creating": False,
        "subject": subject,
        "tokens": tokens,
        "pending": pending,
        "now": timezone.now(),
    }
    return render(request, "accounts/user_form.html", context)


@login_required
@require_POST
def user_reset(request, user_id, kind):
    """Request a set-password link or a second-factor reset for someone else."""
    _admin_only(request)
    subject = _get_user(user_id)
    if kind not in (AccessChange.Kind.RESET_PASSWORD, AccessChange.Kind.RESET_SECOND_FACTOR):
        raise Http404
    try:
        access_change_request_reset(actor=request.user, user=subject, kind=kind)
    except DomainError as exc:
        if exc.status == 403:
            raise HttpForbidden(exc.detail) from None
        messages.error(request, exc.detail)
        return redirect("accounts:user_edit", user_id=subject.pk)
    messages.success(request, _("Reset requested: another administrator must approve it."))
    return redirect("accounts:access_change_list")


@login_required
@require_POST
def token_revoke(request, token_id):
    _admin_only(request)
    token = ApiToken.objects.filter(pk=token_id, revoked_at__isnull=True).select_related("user").first()
    if token is None:
        raise Http404
    api_token_revoke(token=token, actor=request.user)
    messages.success(request, _("Token %(prefix)s… revoked.") % {"prefix": token.prefix})
    return redirect("accounts:user_edit", user_id=token.user_id)
