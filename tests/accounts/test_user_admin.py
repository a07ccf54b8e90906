"""Administrators manage users and roles through audited pages, never their
own account, and never see cases."""

import pytest
from django.urls import reverse

from accounts.models import ApiToken
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


def test_admin_lists_and_creates_users(admin_client):
    make_user("caseworker", username="existing-cw")
    page = admin_client.get(reverse("accounts:user_list")).content.decode()
    assert "existing-cw" in page
    response = admin_client.post(
        reverse("accounts:user_new"),
        {
            "username": "new-approver",
            "organisation": "Fund Committee",
            "roles": ["approver"],
            "password": "a-long-enough-password-9",
        },
    )
    assert response.status_code == 302
    event = AuditEvent.objects.get(action="user.created", payload__username="new-approver")
    assert event.actor_id == admin_client.admin.pk
    assert "a-long-enough-password-9" not in str(event.payload)


def test_weak_password_is_a_field_error(admin_client):
    response = admin_client.post(
        reverse("accounts:user_new"),
        {"username": "weak", "organisation": "Org", "roles": ["auditor"], "password": "short"},
    )
    assert response.status_code == 200
    assert "too short" in response.content.decode()


def test_admin_changes_roles_and_deactivates_with_an_audit_event(admin_client):
    user = make_user("caseworker")
    response = admin_client.post(
        reverse("accounts:user_edit", args=[user.pk]),
        {"organisation": "Other Org", "roles": ["auditor"], "is_active": ""},
    )
    assert response.status_code == 302
    user.refresh_from_db()
    user.__dict__.pop("_vaf_roles", None)
    assert set(user.groups.values_list("name", flat=True)) == {"auditor"}
    assert not user.is_active and user.organisation.name == "Other Org"
    event = AuditEvent.objects.get(action="user.updated")
    assert event.payload["roles"] == {"from": ["caseworker"], "to": ["auditor"]}
    assert event.payload["is_active"] == {"from": True, "to": False}


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
