"""Administrators manage users and roles through audited pages, never their
own account, and never see cases."""

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from accounts.models import AccessChange, ApiToken
from accounts.roles import user_roles
from accounts.services import api_token_issue
from audit.models import AuditEvent
from tests.factories import make_user


@pytest.fixture
def admin_client(client, db):
    admin = make_user("admin", username="the-admin")
    client.force_login(admin)
    client.admin = admin
    return client


def test_admin_lists_users_and_requests_a_new_account_without_a_password(admin_client):
    make_user("caseworker", username="existing-cw")
    page = admin_client.get(reverse("accounts:user_list")).content.decode()
    assert "existing-cw" in page
    form = admin_client.get(reverse("accounts:user_new")).content.decode()
    assert 'type="password"' not in form
    response = admin_client.post(
        reverse("accounts:user_new"),
        {"username": "new-approver", "organisation": "Fund Committee", "roles": ["approver"]},
    )
    assert response.status_code == 302
    assert not get_user_model().objects.filter(username="new-approver").exists()
    change = AccessChange.objects.get(subject_username="new-approver")
    assert change.kind == "create_user" and change.status == "pending"
    event = AuditEvent.objects.get(action="access_change.requested")
    assert event.actor_id == admin_client.admin.pk and event.payload["roles"] == ["approver"]


def test_forbidden_combination_is_a_field_error_on_the_page(admin_client):
    response = admin_client.post(
        reverse("accounts:user_new"),
        {"username": "both", "organisation": "Org", "roles": ["approver", "finance"]},
    )
    assert response.status_code == 200
    assert "cannot be held together" in response.content.decode()
    assert not AccessChange.objects.exists()


def test_role_change_waits_for_approval_while_deactivation_applies_at_once(admin_client):
    user = make_user("caseworker")
    response = admin_client.post(
        reverse("accounts:user_edit", args=[user.pk]),
        {"organisation": "Other Org", "roles": ["approver"], "is_active": ""},
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert set(user.groups.values_list("name", flat=True)) == {"caseworker"}
    assert not user.is_active and user.organisation.name == "Test Organisation"
    event = AuditEvent.objects.get(action="user.updated")
    assert event.payload == {"is_active": {"from": True, "to": False}}
    change = AccessChange.objects.get(subject=user)
    assert change.payload["roles"] == {"from": ["caseworker"], "to": ["approver"]}
    assert change.payload["organisation"] == {"from": "Test Organisation", "to": "Other Org"}


def test_admin_cannot_change_own_roles(admin_client):
    response = admin_client.post(
        reverse("accounts:user_edit", args=[admin_client.admin.pk]),
        {"organisation": "Test Organisation", "roles": ["admin", "caseworker"], "is_active": "on"},
    )
    assert response.status_code == 200
    assert "own" in response.content.decode()
    assert user_roles(admin_client.admin) == {"admin"}
    assert not AuditEvent.objects.filter(action="user.updated").exists()


def test_admin_revokes_a_token(admin_client):
    partner = make_user("intake_partner")
    api_token_issue(username=partner.username)
    token = ApiToken.objects.get()
    response = admin_client.post(reverse("accounts:token_revoke", args=[token.pk]))
    assert response.status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert AuditEvent.objects.filter(action="auth.api_token_revoked").exists()


@pytest.mark.parametrize("role", ["caseworker", "approver", "finance", "auditor", "intake_partner"])
def test_other_roles_cannot_manage_users(client, db, role):
    user = make_user(role)
    client.force_login(user)
    assert client.get(reverse("accounts:user_list")).status_code == 403
    assert client.post(reverse("accounts:user_edit", args=[user.pk]), {"roles": ["admin"]}).status_code == 403


def test_admin_sees_no_cases(admin_client):
    assert admin_client.get("/cases/").status_code == 403
    assert admin_client.get("/api/v1/cases/").status_code == 403
