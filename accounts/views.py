import time

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.shortcuts import render
from django.urls import reverse_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET
from django_otp import login as otp_login

from accounts.home import waiting_work_for
from accounts.middleware import SESSION_SEEN, SESSION_STARTED
from accounts.rate_limits import rate_limit_hit, rate_limit_wait
from accounts.roles import Role, user_roles
from accounts.second_factor import second_factor_verify
from accounts.services import login_failed_record, login_record, logout_record
from audit.middleware import request_client_ip
from audit.services import audit_record


def too_many_attempts(request, retry_after: int):
    response = render(request, "accounts/too_many_attempts.html", {"retry_after": retry_after}, status=429)
    response["Retry-After"] = str(retry_after)
    return response


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    redirect_authenticated_user = True

    def post(self, request, *args, **kwargs):
        # Failed attempts per address (password spraying across usernames);
        # an office signing in from one address is not slowed by successes.
        wait = rate_limit_wait(bucket="signin-failures", key=request_client_ip(request) or "unknown")
        if wait:
            return too_many_attempts(request, wait)
        return super().post(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["session_expired"] = self.request.GET.get("expired", "") in {"idle", "lifetime"}
        return context

    def form_valid(self, form):
        response = super().form_valid(form)
        now = int(time.time())
        self.request.session[SESSION_STARTED] = now
        self.request.session[SESSION_SEEN] = now
        user = form.get_user()
        login_record(user=user)
        # A code sent with the password (django-otp's `otp_token` field, for
        # clients that sign in in one step) passes the second factor at once;
        # otherwise the second-factor gate asks for it on the next page.
        token = self.request.POST.get("otp_token", "").strip()
        if token:
            device = second_factor_verify(user=user, token=token)
            if device is not None:
                otp_login(self.request, device)
            else:
                rate_limit_hit(bucket="mfa-failures", key=request_client_ip(self.request) or "unknown")
        return response

    def form_invalid(self, form):
        rate_limit_hit(bucket="signin-failures", key=request_client_ip(self.request) or "unknown")
        login_failed_record(
            username=self.request.POST.get("username", ""),
            locked_out=bool(getattr(self.request, "axes_locked_out", False)),
        )
        return super().form_invalid(form)


class LogoutView(auth_views.LogoutView):
    def post(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            logout_record(user=request.user)
        return super().post(request, *args, **kwargs)


class PasswordChangeView(auth_views.PasswordChangeView):
    """Change one's own password: the current one, then a new one that passes
    Django's validators (length, similarity, the offline common-password list,
    not only digits)."""

    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("home")

    def form_valid(self, form):
        with transaction.atomic():
            response = super().form_valid(form)
            user = form.user
            audit_record(action="auth.password_changed", actor=user, object_type="user", object_id=str(user.pk))
        messages.success(self.request, _("Your password was changed."))
        return response


@require_GET
@login_required
def home(request):
    roles = user_roles(request.user)
    waiting = waiting_work_for(request.user)
    cards = [{"value": r, "label": Role(r).label, "waiting": waiting.get(r, [])} for r in Role.values if r in roles]
    return render(request, "home.html", {"roles": cards})
