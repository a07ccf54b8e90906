from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils.translation import gettext as _


@login_required
def event_list(request):
    return render(request, "coming_later.html", {"title": _("Audit log")})


@login_required
def verify(request):
    return render(request, "coming_later.html", {"title": _("Verify the audit chain")})
