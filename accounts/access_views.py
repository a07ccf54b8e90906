"""Pages of the four-eyes access changes, set-password links and the
forgotten-password request."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import SetPasswordForm
from django.core.exceptions import PermissionDenied as HttpForbidden
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from accounts.access_changes import (
    access_change_approve,
    access_change_reject,
    access_change_request_reset,
    set_password_link_get,
    set_password_link_refused,
    set_password_link_use,
)
from accounts.models import AccessChange
from accounts.rate_limits import rate_limit_hit
from accounts.roles import Role, user_roles
from accounts.views import too_many_attempts
from audit.middleware import request_client_ip
from config.errors import DomainError

RECENT = 50


@login_required
@require_http_methods(["GET"])
def access_change_list(request):
    """Pending and recent access changes: administrators decide here; auditors
    read the same page from their workspace."""
    return _list(request)


def _list(request, *, status: int = 200, error: str = ""):
    roles = user_roles(request.user)
    if not roles & {Role.ADMIN, Role.AUDITOR}:
        raise HttpForbidden
    rows = AccessChange.objects.select_related("requested_by", "decided_by", "subject")
    context = {
        "pending": rows.filter(status=AccessChange.Status.PENDING).order_by("created_at"),
        "recent": rows.exclude(status=AccessChange.Status.PENDING).order_by("-decided_at")[:RECENT],
        "can_decide": Role.ADMIN in roles,
        "active": "access_changes",
        "error": error,
    }
    return render(request, "accounts/access_change_list.html", context, status=status)


def _change(request, change_id) -> AccessChange:
    if Role.ADMIN not in user_roles(request.user):
        raise HttpForbidden
    change = AccessChange.objects.filter(pk=change_id).first()
    if change is None:
        raise Http404
    return change


@login_required
@require_POST
def access_change_approve_view(request, change_id):
    change = _change(request, change_id)
    try:
        outcome = access_change_approve(change=change, actor=request.user)
    except DomainError as exc:
        # Refused (own request, own account, already decided, ...): the
        # page again, with the refusal and its status; nothing changed.
        return _list(request, status=exc.status, error=exc.detail)
    link = None
    if outcome.set_password_secret and not outcome.emailed:
        # No address to send it to: shown once, to hand over.
        path = reverse("accounts:set_password", args=[outcome.set_password_secret])
        link = request.build_absolute_uri(path)
    messages.success(request, _("Access change approved."))
    context = {"change": outcome.change, "link": link, "emailed": outcome.emailed}
    return render(request, "accounts/access_change_approved.html", context)


@login_required
@require_POST
def access_change_reject_view(request, change_id):
    change = _change(request, change_id)
    try:
        access_change_reject(change=change, actor=request.user)
    except DomainError as exc:
        return _list(request, status=exc.status, error=exc.detail)
    messages.success(request, _("Access change rejected."))
    return redirect("accounts:access_change_list")


@require_http_methods(["GET", "POST"])
def set_password(request, secret: str):
    """Choose one's own password through a one-time, expiring link."""
    if request.method == "POST":
        wait = rate_limit_hit(bucket="set-password", key=request_client_ip(request) or "unknown")
        if wait:
            return too_many_attempts(request, wait)
    link = set_password_link_get(secret=secret)
    if link is None:
        set_password_link_refused(secret=secret)
        return render(request, "accounts/set_password_invalid.html", status=410)
    form = SetPasswordForm(link.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            set_password_link_use(secret=secret, password=form.cleaned_data["new_password1"])
        except DomainError:
            return render(request, "accounts/set_password_invalid.html", status=410)
        messages.success(request, _("Your password is set. Sign in with it."))
        return redirect("accounts:login")
    return render(request, "accounts/set_password.html", {"form": form, "username": link.user.username})


class ForgottenPasswordForm(forms.Form):
    username = forms.CharField(label=gettext_lazy("Username"), max_length=150)


@require_http_methods(["GET", "POST"])
def password_forgotten(request):
    """Ask for a set-password link. The answer is the same whether or not the
    account exists; an administrator approves the request and hands the link over."""
    form = ForgottenPasswordForm(request.POST or None)
    if request.method == "POST":
        wait = rate_limit_hit(bucket="password-forgotten", key=request_client_ip(request) or "unknown")
        if wait:
            return too_many_attempts(request, wait)
        if form.is_valid():
            user = get_user_model().objects.filter(username=form.cleaned_data["username"], is_active=True).first()
            already = (
                user is not None
                and AccessChange.objects.filter(
                    subject=user, kind=AccessChange.Kind.RESET_PASSWORD, status=AccessChange.Status.PENDING
                ).exists()
            )
            if user is not None and not already:
                access_change_request_reset(actor=None, user=user, kind=AccessChange.Kind.RESET_PASSWORD)
            return render(request, "accounts/password_forgotten_done.html")
    return render(request, "accounts/password_forgotten.html", {"form": form})
