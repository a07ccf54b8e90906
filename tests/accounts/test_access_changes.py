"""Four eyes on access: requests, approval by a second administrator, and
one-time set-password links."""

import io
import re
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.access_changes import (
    access_change_approve,
    access_change_reject,
    access_change_request_access,
    access_change_request_reset,
    access_change_request_user,
)
from accounts.models import AccessChange, SetPasswordLink
from accounts.roles import user_roles
from audit.models import AuditEvent
from config.errors import PermissionDenied, SegregationOfDutiesViolation, TransitionNotAllowed
from tests.factories import make_user

NEW_PASSWORD = "a-brand-new-passphrase-77"


@pytest.fixture
def admins(db):
    return make_user("admin", username="admin-one"), make_user("admin", username="admin-two")


def _request_account(requester, username="new-caseworker", roles=("caseworker",)):
    return access_change_request_user(
        actor=requester, username=username, email="", organisation_name="Org A", roles=list(roles)
    )


def test_a_new_account_exists_only_after_a_second_administrator_approves(admins):
    first, second = admins
    change = _request_account(first)
    assert not get_user_model().objects.filter(username="new-caseworker").exists()
    with pytest.raises(SegregationOfDutiesViolation):
        access_change_approve(change=change, actor=first)
    outcome = access_change_approve(change=change, actor=second)
    user = outcome.user
    assert user_roles(user) == {"caseworker"} and not user.has_usable_password()
    assert outcome.set_password_secret
    change.refresh_from_db()
    assert change.status == "approved" and change.decided_by == second
    actions = list(AuditEvent.objects.order_by("seq").values_list("action", flat=True))
    assert (
        actions[-4:]
        == [
            "access_change.requested",
            "user.created",
            "auth.set_password_link_issued",
            "access_change.approved",
        ][-4:]
        or "access_change.approved" in actions
    )
    assert outcome.set_password_secret not in str(list(AuditEvent.objects.values_list("payload", flat=True)))
    assert SetPasswordLink.objects.get(user=user).secret_hash != outcome.set_password_secret


def test_nobody_approves_a_change_about_their_own_account(admins):
    first, second = admins
    third = make_user("admin", username="admin-three")
    with pytest.raises(PermissionDenied):
        access_change_request_reset(actor=first, user=first, kind="reset_password")
    change = access_change_request_reset(actor=first, user=second, kind="reset_second_factor")
    with pytest.raises(PermissionDenied):
        access_change_approve(change=change, actor=second)
    access_change_approve(change=change, actor=third)


def test_a_decided_change_cannot_be_decided_again(admins):
    first, second = admins
    change = _request_account(first)
    access_change_reject(change=change, actor=second)
    with pytest.raises(TransitionNotAllowed):
        access_change_approve(change=change, actor=second)
    assert not get_user_model().objects.filter(username="new-caseworker").exists()


def test_role_grant_applies_on_approval(admins):
    first, second = admins
    user = make_user("caseworker")
    change = access_change_request_access(
        actor=first, user=user, roles=["caseworker", "approver"], organisation_name="Test Organisation", is_active=True
    )
    assert user_roles(user) == {"caseworker"}
    access_change_approve(change=change, actor=second)
    user = get_user_model().objects.get(pk=user.pk)
    assert user_roles(user) == {"caseworker", "approver"}
    event = AuditEvent.objects.filter(action="user.updated").latest("seq")
    assert event.actor_id == second.pk and event.payload["roles"]["to"] == ["approver", "caseworker"]


def test_second_factor_reset_removes_devices_on_approval(admins):
    first, second = admins
    user = make_user("finance")
    TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    change = access_change_request_reset(actor=first, user=user, kind="reset_second_factor")
    assert TOTPDevice.objects.filter(user=user).exists()
    access_change_approve(change=change, actor=second)
    assert not TOTPDevice.objects.filter(user=user).exists()
    assert AuditEvent.objects.filter(action="auth.mfa_reset", object_id=str(user.pk)).exists()


def _link_path(secret):
    return reverse("accounts:set_password", args=[secret])


def test_the_link_sets_the_password_once(client, admins):
    first, second = admins
    outcome = access_change_approve(change=_request_account(first), actor=second)
    path = _link_path(outcome.set_password_secret)
    assert client.get(path).status_code == 200
    weak = client.post(path, {"new_password1": "password", "new_password2": "password"})
    assert weak.status_code == 200 and "too common" in weak.content.decode()
    done = client.post(path, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert done.status_code == 302
    user = get_user_model().objects.get(username="new-caseworker")
    assert user.check_password(NEW_PASSWORD)
    assert AuditEvent.objects.filter(action="auth.password_set", actor_id=user.pk).exists()
    again = client.get(path)
    assert again.status_code == 410
    assert AuditEvent.objects.filter(action="auth.set_password_link_refused").exists()


def test_an_expired_link_is_refused(client, admins):
    first, second = admins
    outcome = access_change_approve(change=_request_account(first), actor=second)
    SetPasswordLink.objects.update(expires_at=timezone.now() - timedelta(minutes=1))
    response = client.post(
        _link_path(outcome.set_password_secret), {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    )
    assert response.status_code == 410
    assert not get_user_model().objects.get(username="new-caseworker").has_usable_password()


def test_pages_request_approve_and_show_the_link_once(client, admins):
    first, second = admins
    client.force_login(first)
    client.post(reverse("accounts:user_new"), {"username": "paged", "organisation": "Org", "roles": ["finance"]})
    change = AccessChange.objects.get(subject_username="paged")
    page = client.get(reverse("accounts:access_change_list")).content.decode()
    assert "paged" in page and reverse("accounts:access_change_approve", args=[change.pk]) not in page
    own = client.post(reverse("accounts:access_change_approve", args=[change.pk]))
    assert own.status_code == 403 and 'id="access-change-error"' in own.content.decode()
    change.refresh_from_db()
    assert change.status == "pending"
    client.force_login(second)
    response = client.post(reverse("accounts:access_change_approve", args=[change.pk]))
    assert response.status_code == 200
    link = re.search(r'id="set-password-link">([^<]+)<', response.content.decode()).group(1)
    assert "/accounts/password/set/" in link
    listing = client.get(reverse("accounts:access_change_list")).content.decode()
    assert link not in listing and "paged" in listing


def test_auditors_see_access_changes_but_cannot_decide(client, admins):
    first, _ = admins
    change = _request_account(first, username="watched")
    auditor = make_user("auditor")
    client.force_login(auditor)
    page = client.get(reverse("accounts:access_change_list"))
    assert page.status_code == 200 and "watched" in page.content.decode()
    assert client.post(reverse("accounts:access_change_approve", args=[change.pk])).status_code == 403
    client.force_login(make_user("caseworker"))
    assert client.get(reverse("accounts:access_change_list")).status_code == 403


def test_forgotten_password_answers_alike_whether_or_not_the_account_exists(client, db):
    make_user("caseworker", username="forgetful")
    known = client.post(reverse("accounts:password_forgotten"), {"username": "forgetful"})
    unknown = client.post(reverse("accounts:password_forgotten"), {"username": "nobody-here"})
    assert known.status_code == unknown.status_code == 200
    csrf = re.compile(rb'name="csrfmiddlewaretoken" value="[^"]+"')
    assert csrf.sub(b"", known.content) == csrf.sub(b"", unknown.content)
    change = AccessChange.objects.get()
    assert change.subject_username == "forgetful" and change.requested_by is None


def test_create_user_command_is_recorded_as_the_bootstrap_path(db, monkeypatch):
    monkeypatch.setattr("sys.stdin", io.StringIO("a-long-enough-test-password-1\n"))
    call_command("create_user", "first-admin", "--role", "admin", "--password-stdin", stdout=io.StringIO())
    event = AuditEvent.objects.get(action="user.created")
    assert event.payload["via"] == "create_user command" and event.actor_id is None


def test_an_administrator_cannot_request_a_reset_of_their_own_account(client, admins):
    first, _ = admins
    client.force_login(first)
    response = client.post(reverse("accounts:user_reset", args=[first.pk, "reset_password"]))
    assert response.status_code == 403
    assert not AccessChange.objects.exists()
