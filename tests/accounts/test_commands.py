"""create_user and create_api_token, and the roles they grant."""

import hashlib
import io

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError

from accounts.models import ApiToken
from accounts.roles import Role, user_roles
from audit.models import AuditEvent


def _create(*args, password="a-long-enough-test-password-1"):
    out = io.StringIO()
    call_command("create_user", *args, "--password-stdin", stdin=io.StringIO(password + "\n"), stdout=out)
    return out.getvalue()


def test_role_groups_exist_after_migrate(db):
    from django.contrib.auth.models import Group

    assert set(Group.objects.values_list("name", flat=True)) >= set(Role.values)


def test_create_user_with_roles_and_organisation(db, monkeypatch):
    monkeypatch.setattr("sys.stdin", io.StringIO("a-long-enough-test-password-1\n"))
    call_command(
        "create_user",
        "cw1",
        "--role",
        "caseworker",
        "--role",
        "approver",
        "--organisation",
        "Org A",
        "--password-stdin",
    )
    user = get_user_model().objects.get(username="cw1")
    assert user_roles(user) == {"caseworker", "approver"}
    assert user.organisation.name == "Org A"
    assert user.check_password("a-long-enough-test-password-1")
    assert user.password.startswith("argon2")
    assert AuditEvent.objects.filter(action="user.created", object_id=str(user.pk)).exists()


def test_create_user_refuses_weak_password_and_duplicates(db, monkeypatch):
    monkeypatch.setattr("sys.stdin", io.StringIO("short\n"))
    with pytest.raises(CommandError, match="too short"):
        call_command("create_user", "weak", "--role", "auditor", "--password-stdin")
    assert not get_user_model().objects.filter(username="weak").exists()
    monkeypatch.setattr("sys.stdin", io.StringIO("a-long-enough-test-password-1\n"))
    call_command("create_user", "dup", "--role", "auditor", "--password-stdin")
    monkeypatch.setattr("sys.stdin", io.StringIO("a-long-enough-test-password-1\n"))
    with pytest.raises(CommandError, match="taken"):
        call_command("create_user", "dup", "--role", "auditor", "--password-stdin")


def test_create_user_refuses_unknown_role(db):
    with pytest.raises(CommandError):
        call_command("create_user", "x", "--role", "superhero", "--password-stdin")


def test_create_api_token_prints_the_key_alone_and_stores_only_its_hash(db, monkeypatch):
    monkeypatch.setattr("sys.stdin", io.StringIO("a-long-enough-test-password-1\n"))
    call_command("create_user", "partner", "--role", "intake_partner", "--password-stdin")
    out = io.StringIO()
    call_command("create_api_token", "partner", stdout=out)
    lines = out.getvalue().splitlines()
    assert len(lines) == 1
    key = lines[0]
    assert len(key) >= 40
    token = ApiToken.objects.get()
    assert token.key_hash == hashlib.sha256(key.encode()).hexdigest()
    assert key not in (token.key_hash, token.prefix)
    assert AuditEvent.objects.filter(action="auth.api_token_issued").count() == 1
    assert key not in str(AuditEvent.objects.get(action="auth.api_token_issued").payload)


def test_create_api_token_for_unknown_user(db):
    with pytest.raises(CommandError, match="No active user"):
        call_command("create_api_token", "nobody")


def test_revoke_api_token_command(db):
    from accounts.services import api_token_authenticate, api_token_issue
    from tests.factories import make_user

    user = make_user("intake_partner")
    key = api_token_issue(username=user.username)
    listing = io.StringIO()
    call_command("revoke_api_token", user.username, stdout=listing)
    assert key[:8] in listing.getvalue() and "active" in listing.getvalue()
    call_command("revoke_api_token", user.username, key[:8], stdout=io.StringIO())
    assert api_token_authenticate(key=key) is None
    assert AuditEvent.objects.filter(action="auth.api_token_revoked").count() == 1
    with pytest.raises(CommandError, match="No active token"):
        call_command("revoke_api_token", user.username, key[:8])


def test_seed_demo_refuses_production(db, settings):
    settings.PRODUCTION = True
    with pytest.raises(CommandError, match="production"):
        call_command("seed_demo")


def test_token_keys_never_start_with_a_dash(db, monkeypatch):
    from accounts import services
    from tests.factories import make_user

    user = make_user("intake_partner")
    keys = iter(["-looks-like-an-option-key-000000000000000000", "fine-key-0000000000000000000000000000000000"])
    monkeypatch.setattr(services.secrets, "token_urlsafe", lambda n: next(keys))
    assert services.api_token_issue(username=user.username).startswith("fine-key")
