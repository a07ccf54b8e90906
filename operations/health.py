"""`/healthz`: what a load balancer or an operator needs to know, in JSON.

Checks the database, the broker (when one is configured), that the vault's
keys load, and the age of the newest audit checkpoint. The answer is 503 when
this process cannot serve requests (database or keys); a broker that is down
or an overdue checkpoint is reported ("degraded") but keeps the answer 200,
because requests still succeed: notifications wait in the outbox.
No authentication, and nothing in the answer but states and ages.
"""

from __future__ import annotations

from django.conf import settings
from django.db import connection
from django.http import JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET


def _database() -> dict:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception as exc:
        return {"ok": False, "error": type(exc).__name__}
    return {"ok": True}


def _broker() -> dict:
    url = getattr(settings, "CELERY_BROKER_URL", None)
    if not url:
        return {"ok": True, "mode": "in-process"}
    from config.celery import app

    try:
        with app.connection_for_write(url) as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
    except Exception as exc:
        return {"ok": False, "error": type(exc).__name__}
    return {"ok": True, "mode": "broker"}


def _keys() -> dict:
    from vault.keyring import keyring

    try:
        keyring()
    except Exception as exc:
        return {"ok": False, "error": type(exc).__name__}
    return {"ok": True}


def _checkpoint() -> dict:
    from operations.jobs import newest_checkpoint_at

    try:
        newest = newest_checkpoint_at()
    except Exception as exc:
        return {"ok": False, "error": type(exc).__name__}
    if newest is None:
        return {"ok": False, "age_seconds": None}
    age = int((timezone.now() - newest).total_seconds())
    return {"ok": age <= settings.VAF_CHECKPOINT_MAX_AGE_MINUTES * 60, "age_seconds": age}


@never_cache
@require_GET
def healthz(request):
    checks = {"database": _database(), "keys": _keys()}
    checks["broker"] = _broker()
    checks["checkpoint"] = _checkpoint() if checks["database"]["ok"] else {"ok": False}
    essential = checks["database"]["ok"] and checks["keys"]["ok"]
    all_ok = essential and all(check["ok"] for check in checks.values())
    status = "ok" if all_ok else ("degraded" if essential else "down")
    return JsonResponse({"status": status, "checks": checks}, status=200 if essential else 503)
