"""Two-step sign-in: TOTP enrolment with a locally drawn QR code, hashed
one-time recovery codes, and sessions gated until the second factor passes."""

import re

import pytest
from django.test import Client
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import RecoveryCode
from accounts.services import api_token_issue
from audit.models import AuditEvent
from tests.factories import PASSWORD, make_user


@pytest.fixture(autouse=True)
def _approvers_need_a_second_factor(settings):
    settings.VAF_MFA_REQUIRED_ROLES = ["approver", "finance"]
    settings.OTP_TOTP_THROTTLE_FACTOR = 0


def _code(device, drift=0):
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits, drift=drift):06d}"


def _sign_in(client, user):
    response = client.post(reverse("accounts:login"), {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302
    return response


def _enrol(client, user):
    page = client.get(reverse("accounts:mfa_setup"))
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    device.enrolment_code = _code(device)
    response = client.post(reverse("accounts:mfa_setup"), {"code": device.enrolment_code})
    assert response.status_code == 200
    codes = re.findall(r"<li>([A-Z0-9]{5}-[A-Z0-9]{5})</li>", response.content.decode())
    return page, device, codes


def test_a_required_role_is_sent_to_enrolment_and_reaches_nothing_else(client, db):
    approver = make_user("approver")
    _sign_in(client, approver)
    home = client.get(reverse("home"))
    assert home.status_code == 302 and home["Location"].startswith(reverse("accounts:mfa_setup"))
    assert client.get("/cases/").status_code == 302
    api = client.get("/api/v1/cases/")
    assert api.status_code == 401 and api.json()["code"] == "not_authenticated"


def test_enrolment_draws_the_qr_code_locally_and_shows_recovery_codes_once(client, db):
    approver = make_user("approver")
    _sign_in(client, approver)
    page, device, codes = _enrol(client, approver)
    html = page.content.decode()
    assert 'src="data:image/svg+xml' in html and "https://" not in html.split("<main")[1]
    assert len(codes) == 10
    stored = list(RecoveryCode.objects.values_list("code_hash", flat=True))
    assert len(stored) == 10 and not set(codes) & set(stored)
    device.refresh_from_db()
    assert device.confirmed
    assert client.get(reverse("home")).status_code == 200
    assert client.get("/api/v1/cases/").status_code == 200
    event = AuditEvent.objects.get(action="auth.mfa_enrolled")
    assert event.actor_id == approver.pk and _code(device) not in str(event.payload)


def test_sign_in_asks_for_the_code_and_refuses_wrong_and_replayed_codes(db):
    approver = make_user("approver")
    first = Client()
    _sign_in(first, approver)
    _, device, _ = _enrol(first, approver)
    second = Client()
    _sign_in(second, approver)
    assert second.get(reverse("home"))["Location"].startswith(reverse("accounts:mfa_verify"))
    wrong = second.post(reverse("accounts:mfa_verify"), {"code": "000000" if _code(device) != "000000" else "111111"})
    assert wrong.status_code == 200 and "not right" in wrong.content.decode()
    assert AuditEvent.objects.filter(action="auth.mfa_failed", actor_id=approver.pk).exists()
    # The code that confirmed the enrolment has been used: it cannot be replayed.
    replayed = second.post(reverse("accounts:mfa_verify"), {"code": device.enrolment_code})
    assert replayed.status_code == 200
    next_step = second.post(reverse("accounts:mfa_verify"), {"code": _code(device, drift=1), "next": "/cases/"})
    assert next_step.status_code == 302 and next_step["Location"] == "/cases/"
    assert AuditEvent.objects.filter(action="auth.mfa_verified", actor_id=approver.pk).exists()


def test_a_code_one_step_behind_is_accepted(db):
    approver = make_user("finance")
    client = Client()
    _sign_in(client, approver)
    device = TOTPDevice.objects.create(user=approver, name="phone", confirmed=True)
    response = client.post(reverse("accounts:mfa_verify"), {"code": _code(device, drift=-1)})
    assert response.status_code == 302


def test_a_recovery_code_works_once(db):
    approver = make_user("approver")
    client = Client()
    _sign_in(client, approver)
    _, _, codes = _enrol(client, approver)
    again = Client()
    _sign_in(again, approver)
    assert again.post(reverse("accounts:mfa_verify"), {"code": codes[0].lower()}).status_code == 302
    assert AuditEvent.objects.filter(action="auth.recovery_code_used").count() == 1
    third = Client()
    _sign_in(third, approver)
    reused = third.post(reverse("accounts:mfa_verify"), {"code": codes[0]})
    assert reused.status_code == 200
    assert third.get(reverse("home")).status_code == 302


def test_a_password_alone_cannot_enrol_another_device(db):
    approver = make_user("approver")
    TOTPDevice.objects.create(user=approver, name="phone", confirmed=True)
    client = Client()
    _sign_in(client, approver)
    response = client.get(reverse("accounts:mfa_setup"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("accounts:mfa_verify"))
    assert not TOTPDevice.objects.filter(user=approver, confirmed=False).exists()


def test_roles_outside_the_setting_sign_in_with_a_password(client, db):
    caseworker = make_user("caseworker")
    _sign_in(client, caseworker)
    assert client.get(reverse("home")).status_code == 200


def test_the_setting_is_read_at_request_time(client, db, settings):
    caseworker = make_user("caseworker")
    _sign_in(client, caseworker)
    settings.VAF_MFA_REQUIRED_ROLES = ["caseworker"]
    assert client.get(reverse("home")).status_code == 302


def test_token_requests_are_not_sessions_and_pass(db):
    approver = make_user("approver")
    key = api_token_issue(username=approver.username)
    response = Client().get("/api/v1/cases/", HTTP_AUTHORIZATION=f"Token {key}")
    assert response.status_code == 200


def test_the_last_required_device_cannot_be_removed_by_its_owner(client, db):
    approver = make_user("approver")
    _sign_in(client, approver)
    _, device, _ = _enrol(client, approver)
    response = client.post(reverse("accounts:mfa_device_remove", args=[device.pk]), follow=True)
    assert "enrol another device first" in response.content.decode()
    assert TOTPDevice.objects.filter(pk=device.pk).exists()


def test_enrolment_page_in_arabic_is_right_to_left(client, db):
    approver = make_user("approver")
    _sign_in(client, approver)
    client.cookies["django_language"] = "ar"
    page = client.get(reverse("accounts:mfa_setup"), HTTP_ACCEPT_LANGUAGE="ar")
    assert 'dir="rtl"' in page.content.decode()


def test_a_code_sent_with_the_password_signs_in_in_one_step(db):
    approver = make_user("approver")
    device = TOTPDevice.objects.create(user=approver, name="phone", confirmed=True)
    client = Client()
    response = client.post(
        reverse("accounts:login"), {"username": approver.username, "password": PASSWORD, "otp_token": _code(device)}
    )
    assert response.status_code == 302
    assert client.get(reverse("home")).status_code == 200


def test_the_setting_may_be_a_comma_separated_string_or_none(settings):
    from accounts.second_factor import mfa_required_roles

    settings.VAF_MFA_REQUIRED_ROLES = "approver, finance"
    assert mfa_required_roles() == {"approver", "finance"}
    settings.VAF_MFA_REQUIRED_ROLES = ["none"]
    assert mfa_required_roles() == set()


def test_production_requires_every_interactive_role_by_default():
    import subprocess
    import sys

    from tests.test_settings import ROOT, production_env

    script = (
        "import django; django.setup(); from django.conf import settings; "
        "print(','.join(settings.VAF_MFA_REQUIRED_ROLES))"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, env=production_env(), capture_output=True, text=True, timeout=120
    )
    assert set(result.stdout.strip().split(",")) == {"caseworker", "approver", "finance", "auditor", "admin"}
