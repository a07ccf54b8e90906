"""The schedules page: each job's last run and outcome, and the e-mail
outbox's state. Administrators only; nothing here is personal data."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as HttpForbidden
from django.db.models import Count
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from accounts.roles import Role, user_roles
from notifications.models import EmailDelivery
from operations.schedules import last_runs


@never_cache
@login_required
@require_GET
def schedule_list(request):
    if Role.ADMIN not in user_roles(request.user):
        raise HttpForbidden
    outbox = dict(EmailDelivery.objects.values_list("status").annotate(n=Count("pk")).values_list("status", "n"))
    return render(request, "operations/schedules.html", {"jobs": last_runs(), "outbox": outbox})
