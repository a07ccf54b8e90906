"""Error pages that carry a reference, never a stack trace or request data."""

from __future__ import annotations

import logging
import uuid

from django.http import JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

logger = logging.getLogger("vaf.errors")


def forbidden(request, exception=None):
    return render(request, "errors/403.html", status=403)


def not_found(request, exception=None):
    if request.path.startswith("/api/"):
        return JsonResponse({"code": "not_found", "detail": _("Not found.")}, status=404)
    return render(request, "errors/404.html", status=404)


def server_error(request):
    reference = uuid.uuid4().hex[:12]
    logger.error("Server error, reference %s", reference)
    return render(request, "errors/500.html", {"reference": reference}, status=500)
