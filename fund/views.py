from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils.translation import gettext as _


@login_required
def overview(request):
    return render(request, "coming_later.html", {"title": _("Fund overview")})


@login_required
def approval_queue(request):
    return render(request, "coming_later.html", {"title": _("Payment requests to sign off")})


@login_required
def payment_queue(request):
    return render(request, "coming_later.html", {"title": _("Approved payments")})
