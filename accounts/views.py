from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.views.decorators.http import require_GET

from accounts.home import waiting_work_for
from accounts.roles import Role, user_roles
from accounts.services import login_failed_record, login_record, logout_record


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    redirect_authenticated_user = True

    def form_valid(self, form):
        response = super().form_valid(form)
        login_record(user=form.get_user())
        return response

    def form_invalid(self, form):
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


@require_GET
@login_required
def home(request):
    roles = user_roles(request.user)
    waiting = waiting_work_for(request.user)
    cards = [{"value": r, "label": Role(r).label, "waiting": waiting.get(r, [])} for r in Role.values if r in roles]
    return render(request, "home.html", {"roles": cards})
