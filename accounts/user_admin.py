"""Pages for administrators: users, roles and API tokens. Administrators see
no case and no personal data; every change goes through an audited service."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as HttpForbidden
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from accounts.forms import UserCreateForm, UserEditForm
from accounts.models import ApiToken
from accounts.roles import Role, user_roles
from accounts.services import api_token_revoke, user_create, user_update
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
    users = get_user_model().objects.select_related("organisation").prefetch_related("groups").order_by("username")
    page = Paginator(users, 50).get_page(request.GET.get("page"))
    rows = [
        {
            "user": user,
            "roles": sorted(g.name for g in user.groups.all() if g.name in Role.values),
            "role_labels": sorted(str(Role(g.name).label) for g in user.groups.all() if g.name in Role.values),
        }
        for user in page.object_list
    ]
    return render(request, "accounts/user_list.html", {"page": page, "rows": rows})


@login_required
@require_http_methods(["GET", "POST"])
def user_new(request):
    _admin_only(request)
    form = UserCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = user_create(
                username=form.cleaned_data["username"],
                roles=form.cleaned_data["roles"],
                organisation_name=form.cleaned_data["organisation"],
                password=form.cleaned_data["password"],
                email=form.cleaned_data["email"],
                actor=request.user,
            )
        except DomainError as exc:
            _apply_domain_error(form, exc)
        else:
            messages.success(request, _("User %(name)s created.") % {"name": user.username})
            return redirect("accounts:user_list")
    return render(request, "accounts/user_form.html", {"form": form, "creating": True})


@login_required
@require_http_methods(["GET", "POST"])
def user_edit(request, user_id):
    _admin_only(request)
    subject = _get_user(user_id)
    form = UserEditForm.for_user(subject, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user_update(
                user=subject,
                actor=request.user,
                roles=form.cleaned_data["roles"],
                organisation_name=form.cleaned_data["organisation"],
                is_active=form.cleaned_data["is_active"],
            )
        except DomainError as exc:
            _apply_domain_error(form, exc)
        else:
            messages.success(request, _("User %(name)s updated.") % {"name": subject.username})
            return redirect("accounts:user_list")
    tokens = ApiToken.objects.filter(user=subject).order_by("-created_at")
    context = {"form": form, "creating": False, "subject": subject, "tokens": tokens}
    return render(request, "accounts/user_form.html", context)


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
