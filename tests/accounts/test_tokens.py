"""API tokens expire, record their last use, and an intake partner's token
reaches only the intake endpoints whatever roles its account gains."""

import io
from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import ApiToken
from accounts.services import api_token_issue
from audit.models import AuditEvent
from tests.factories import make_user
from tests.referrals.conftest import referral_body


def _get(key, path="/api/v1/cases/"):
    return Client().get(path, HTTP_AUTHORIZATION=f"Token {key}")


def test_create_api_token_sets_a_default_and_a_chosen_expiry(db):
    user = make_user("caseworker")
    call_command("create_api_token", user.username, stdout=io.StringIO())
    call_command("create_api_token", user.username, "--expires-in", "7", stdout=io.StringIO())
    default, short = ApiToken.objects.order_by("created_at")
    now = timezone.now()
    assert timedelta(days=89) < default.expires_at - now <= timedelta(days=90)
    assert timedelta(days=6) < short.expires_at - now <= timedelta(days=7)
    with pytest.raises(CommandError):
        call_command("create_api_token", user.username, "--expires-in", "0", stdout=io.StringIO())


def test_an_expired_token_is_refused_and_recorded(db):
    user = make_user("caseworker")
    key = api_token_issue(username=user.username)
    assert _get(key).status_code == 200
    assert ApiToken.objects.get().last_used_at is not None
    ApiToken.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    response = _get(key)
    assert response.status_code == 401 and response.json()["code"] == "not_authenticated"
    event = AuditEvent.objects.get(action="auth.api_token_expired")
    assert event.object_id == str(user.pk) and key not in str(event.payload)


def test_a_deactivated_account_s_token_stops_at_once(db):
    user = make_user("caseworker")
    key = api_token_issue(username=user.username)
    user.is_active = False
    user.save()
    assert _get(key).status_code == 401


def test_an_intake_token_submits_referrals_and_reads_only_their_status(db):
    partner = make_user("intake_partner")
    key = api_token_issue(username=partner.username)
    assert ApiToken.objects.get().scope == "intake"
    created = Client().post(
        "/api/v1/referrals/", referral_body(), content_type="application/json", HTTP_AUTHORIZATION=f"Token {key}"
    )
    assert created.status_code == 201
    assert _get(key).json()["count"] == 1
    assert _get(key, f"/api/v1/cases/{created.json()['id']}/").status_code == 200
    assert _get(key, "/api/v1/fund/").status_code == 403


def test_an_intake_token_stays_intake_when_the_account_gains_roles(db):
    partner = make_user("intake_partner", organisation="Test Organisation")
    key = api_token_issue(username=partner.username)
    make_user("caseworker", organisation="Test Organisation")  # a case of the organisation's own
    partner.groups.add(Group.objects.get(name="caseworker"), Group.objects.get(name="approver"))
    reveal = Client().post(
        "/api/v1/cases/00000000-0000-0000-0000-000000000000/reveal/",
        {"reason": "x"},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Token {key}",
    )
    assert reveal.status_code == 403
    assert _get(key, "/api/v1/disbursements/").status_code == 403
    assert _get(key, "/api/v1/audit/events/").status_code == 403


def test_the_users_page_shows_expiry_and_last_use(client, db):
    admin = make_user("admin")
    partner = make_user("intake_partner")
    api_token_issue(username=partner.username)
    client.force_login(admin)
    page = client.get(reverse("accounts:user_edit", args=[partner.pk])).content.decode()
    assert "expires" in page and "last used" in page and "Intake only" in page


def test_the_users_list_shows_live_tokens_with_their_expiry(client, db):
    admin = make_user("admin")
    partner = make_user("intake_partner", username="partner-listed")
    key = api_token_issue(username=partner.username, expires_in_days=30)
    client.force_login(admin)
    page = client.get(reverse("accounts:user_list")).content.decode()
    row = page.split("partner-listed")[1].split("</tr>")[0]
    assert key[:8] in row and "expires" in row and "never" in row
