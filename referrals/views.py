from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils.translation import gettext as _


@login_required
def case_list(request):
    return render(request, "coming_later.html", {"title": _("Cases")})


@login_required
def referral_create(request):
    return render(request, "coming_later.html", {"title": _("New referral")})
