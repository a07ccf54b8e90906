"""Token authentication, sign-in and sign-out pages and their audit events."""

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.response import Response
from rest_framework.test import APIRequestFactory
from rest_framework.views import APIView

from accounts.models import ApiToken
from accounts.services import api_token_issue
from audit.models import AuditEvent
from tests.factories import PASSWORD, make_user


class WhoAmI(APIView):
    def get(self, request):
        return Response({"username": request.user.username})


def _call(header: str | None):
    factory = APIRequestFactory()
    request = factory.get("/whoami/", HTTP_AUTHORIZATION=header) if header else factory.get("/whoami/")
    return WhoAmI.as_view()(request)


def test_token_header_authenticates(db):
    user = make_user("intake_partner")
    key = api_token_issue(username=user.username, scope="full")
    response = _call(f"Token {key}")
    assert response.status_code == 200 and response.data == {"username": user.username}
    assert ApiToken.objects.get().last_used_at is not None


@pytest.mark.parametrize("header", [None, "Token wrong-key", "Token", "Token a b"])
def test_missing_or_bad_tokens_are_401(db, header):
    make_user("intake_partner")
    response = _call(header)
    assert response.status_code == 401
    assert response.data["code"] == "not_authenticated"


def test_revoked_token_and_inactive_user_are_refused(db):
    user = make_user("intake_partner")
    key = api_token_issue(username=user.username, scope="full")
    ApiToken.objects.update(revoked_at=timezone.now())
    assert _call(f"Token {key}").status_code == 401
    ApiToken.objects.update(revoked_at=None)
    user.is_active = False
    user.save()
    assert _call(f"Token {key}").status_code == 401


def test_login_and_logout_are_audited(client, db):
    user = make_user("auditor")
    response = client.post(reverse("accounts:login"), {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302
    assert AuditEvent.objects.filter(action="auth.login", actor_id=user.pk).exists()
    assert client.get(reverse("home")).status_code == 200
    client.post(reverse("accounts:logout"))
    assert AuditEvent.objects.filter(action="auth.logout", actor_id=user.pk).exists()
    assert client.get(reverse("home")).status_code == 302  # back to sign-in


def test_failed_login_is_audited_without_the_password(client, db):
    user = make_user("auditor")
    response = client.post(reverse("accounts:login"), {"username": user.username, "password": "wrong-password-x"})
    assert response.status_code == 200
    event = AuditEvent.objects.get(action="auth.login_failed")
    assert event.payload["username"] == user.username
    assert "wrong-password-x" not in str(event.payload)


def test_repeated_failures_lock_the_account(client, db, settings):
    user = make_user("auditor")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(reverse("accounts:login"), {"username": user.username, "password": "wrong-password-x"})
    response = client.post(reverse("accounts:login"), {"username": user.username, "password": PASSWORD})
    assert response.status_code == 429 or response.status_code == 403
    assert not AuditEvent.objects.filter(action="auth.login").exists()
    assert AuditEvent.objects.filter(action="auth.login_failed", payload__locked_out=True).exists()


def test_home_page_lists_each_role_held(client, db):
    user = make_user("caseworker", "auditor", allow_forbidden_combination=True)
    client.force_login(user)
    page = client.get(reverse("home")).content.decode()
    assert "Caseworker" in page and "Auditor" in page and "Finance officer" not in page


def test_pages_carry_language_switch_and_rtl_in_arabic(client, db):
    client.force_login(make_user("auditor"))
    page = client.get(reverse("home"), HTTP_ACCEPT_LANGUAGE="ar").content.decode()
    assert 'dir="rtl"' in page and "bootstrap.rtl.min.css" in page
    page = client.get(reverse("home"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'dir="ltr"' in page and 'name="language"' in page


def test_security_headers_present(client, db):
    response = client.get(reverse("accounts:login"))
    assert "script-src 'self'" in response["Content-Security-Policy"]
    assert response["X-Frame-Options"] == "DENY"


def test_failed_login_with_an_unknown_name_keeps_only_a_digest(client, db):
    client.post(reverse("accounts:login"), {"username": "my-secret-password-typed-here", "password": "x"})
    event = AuditEvent.objects.get(action="auth.login_failed")
    assert "my-secret-password-typed-here" not in str(event.payload)
    assert len(event.payload["unknown_username_digest"]) == 32


def test_audit_ip_behind_trusted_proxies(client, db, settings):
    settings.VAF_TRUSTED_PROXY_COUNT = 1
    user = make_user("auditor")
    client.post(
        reverse("accounts:login"),
        {"username": user.username, "password": PASSWORD},
        HTTP_X_FORWARDED_FOR="10.9.9.9, 203.0.113.7",
        REMOTE_ADDR="192.0.2.1",
    )
    assert AuditEvent.objects.get(action="auth.login").ip == "203.0.113.7"


def test_pages_and_api_answers_are_not_cached(client, db):
    client.force_login(make_user("auditor"))
    assert "no-store" in client.get(reverse("home"))["Cache-Control"]
