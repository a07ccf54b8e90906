"""Role combinations that defeat the controls are refused wherever roles are
granted (service, command, pages) and existing violators are listed."""

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from accounts.access_changes import access_change_request_access, access_change_request_user
from accounts.models import AccessChange
from accounts.roles import forbidden_role_combination
from accounts.services import user_create
from audit.models import AuditEvent
from config.errors import ValidationFailed
from tests.factories import make_user

FORBIDDEN = [
    ["admin", "caseworker"],
    ["admin", "auditor"],
    ["auditor", "approver"],
    ["auditor", "intake_partner"],
    ["approver", "finance"],
    ["caseworker", "approver", "finance"],
]
ALLOWED = [
    ["admin"],
    ["auditor"],
    ["caseworker", "approver"],
    ["caseworker", "finance"],
    ["caseworker", "intake_partner"],
]


@pytest.mark.parametrize("roles", FORBIDDEN)
def test_forbidden_combinations_are_named(roles):
    assert forbidden_role_combination(roles)


@pytest.mark.parametrize("roles", ALLOWED)
def test_allowed_combinations_pass(roles):
    assert forbidden_role_combination(roles) is None


@pytest.mark.parametrize("roles", FORBIDDEN)
def test_the_service_refuses_them(db, roles):
    with pytest.raises(ValidationFailed) as refused:
        user_create(username="combo", roles=roles, organisation_name="Org", password=None)
    assert refused.value.code == "validation_error" and "roles" in refused.value.errors
    assert not AuditEvent.objects.filter(action="user.created").exists()


def test_the_command_refuses_them(db, monkeypatch):
    monkeypatch.setattr("sys.stdin", io.StringIO("a-long-enough-test-password-1\n"))
    with pytest.raises(CommandError, match="cannot"):
        call_command(
            "create_user",
            "payer-approver",
            "--role",
            "approver",
            "--role",
            "finance",
            "--password-stdin",
        )


def test_access_change_requests_refuse_them(db):
    admin = make_user("admin")
    user = make_user("approver")
    with pytest.raises(ValidationFailed):
        access_change_request_user(
            actor=admin, username="x", email="", organisation_name="Org", roles=["admin", "finance"]
        )
    with pytest.raises(ValidationFailed):
        access_change_request_access(
            actor=admin, user=user, roles=["approver", "finance"], organisation_name="Test Organisation", is_active=True
        )
    assert not AccessChange.objects.exists()


def test_list_role_conflicts_names_violators_and_fails(db):
    make_user("approver", "finance", username="legacy-payer", allow_forbidden_combination=True)
    make_user("caseworker", "approver", username="fine-user")
    out, err = io.StringIO(), io.StringIO()
    with pytest.raises(SystemExit) as exit_:
        call_command("list_role_conflicts", stdout=out, stderr=err)
    assert exit_.value.code == 1
    assert "legacy-payer" in out.getvalue() and "approver,finance" in out.getvalue()
    assert "fine-user" not in out.getvalue()


def test_list_role_conflicts_is_clean_without_violators(db):
    make_user("caseworker", "approver")
    out = io.StringIO()
    call_command("list_role_conflicts", stdout=out)
    assert "No account" in out.getvalue()
