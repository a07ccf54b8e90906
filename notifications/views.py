"""The notifications page, marking notices read, and e-mail preferences."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from config.errors import NotFound
from notifications import selectors, services
from notifications.forms import PreferenceForm
from notifications.kinds import Kind


@never_cache
@login_required
@require_http_methods(["GET"])
def notification_list(request):
    page = Paginator(selectors.notifications_for_user(user=request.user), 25).get_page(request.GET.get("page"))
    rows = [
        {
            "notification": n,
            "message": selectors.notification_message(n),
            "note": selectors.notification_note(n),
            "url": selectors.notification_url(n),
        }
        for n in page.object_list
    ]
    return render(request, "notifications/list.html", {"page": page, "rows": rows})


@login_required
@require_POST
def notification_read(request, notification_id):
    try:
        notification = selectors.notification_get_for_user(user=request.user, notification_id=notification_id)
    except NotFound:
        raise Http404 from None
    services.notification_mark_read(notification=notification)
    if request.POST.get("open"):
        return redirect(selectors.notification_url(notification))
    return redirect("notifications:list")


@login_required
@require_POST
def notification_read_all(request):
    services.notifications_mark_all_read(user=request.user)
    messages.success(request, _("All notifications are marked read."))
    return redirect("notifications:list")


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def preference_edit(request):
    preference = services.preference_for(request.user)
    initial = {"language": preference.language, "email_on": [k for k in Kind.values if k not in preference.email_off]}
    form = PreferenceForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        services.preference_update(
            user=request.user,
            language=form.cleaned_data["language"],
            email_off=[k for k in Kind.values if k not in form.cleaned_data["email_on"]],
        )
        messages.success(request, _("Your notification preferences are saved."))
        return redirect("notifications:list")
    status = 400 if form.is_bound and form.errors else 200
    return render(request, "notifications/preferences.html", {"form": form}, status=status)
