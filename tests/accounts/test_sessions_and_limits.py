"""Sessions that end (idle and absolute), password change, lockout by
username and address, rate limits and the schema behind sign-in."""

import time

from django.test import Client
from django.urls import reverse

from accounts.middleware import SESSION_SEEN, SESSION_STARTED
from accounts.services import api_token_issue
from audit.models import AuditEvent
from tests.factories import PASSWORD, make_user


def _signed_in(user, **extra):
    client = Client(**extra)
    assert client.post(reverse("accounts:login"), {"username": user.username, "password": PASSWORD}).status_code == 302
    return client


def _age_session(client, **seconds):
    session = client.session
    for key, ago in seconds.items():
        session[key] = int(time.time()) - ago
    session.save()


def test_an_idle_session_ends_and_comes_back_to_the_same_page(db, settings):
    settings.VAF_SESSION_IDLE_MINUTES = 30
    client = _signed_in(make_user("caseworker"))
    _age_session(client, **{SESSION_SEEN: 29 * 60})
    assert client.get("/cases/").status_code == 200
    _age_session(client, **{SESSION_SEEN: 31 * 60})
    response = client.post("/cases/new/", {"summary": "typed text"})
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('accounts:login')}?next=%2Fcases%2Fnew%2F&expired=idle"
    assert "typed" not in response["Location"]
    assert client.get("/cases/").status_code == 302
    login = Client().get(response["Location"]).content.decode()
    assert "data-session-expired" in login


def test_the_api_answers_401_after_the_idle_timeout(db, settings):
    client = _signed_in(make_user("caseworker"))
    _age_session(client, **{SESSION_SEEN: (settings.VAF_SESSION_IDLE_MINUTES + 1) * 60})
    response = client.get("/api/v1/cases/")
    assert response.status_code == 401 and response.json()["code"] == "not_authenticated"


def test_an_active_session_still_ends_at_the_absolute_limit(db, settings):
    client = _signed_in(make_user("caseworker"))
    _age_session(client, **{SESSION_STARTED: settings.SESSION_COOKIE_AGE + 60, SESSION_SEEN: 5})
    response = client.get("/cases/")
    assert response.status_code == 302 and "expired=lifetime" in response["Location"]


def test_people_change_their_own_password_against_the_validators(db):
    user = make_user("finance")
    client = _signed_in(user)
    url = reverse("accounts:password_change")
    common = client.post(
        url, {"old_password": PASSWORD, "new_password1": "password1234", "new_password2": "password1234"}
    )
    assert common.status_code == 200 and "too common" in common.content.decode()
    new = "another-long-passphrase-31"
    done = client.post(url, {"old_password": PASSWORD, "new_password1": new, "new_password2": new})
    assert done.status_code == 302
    user.refresh_from_db()
    assert user.check_password(new)
    assert client.get(reverse("home")).status_code == 200  # still signed in
    event = AuditEvent.objects.get(action="auth.password_changed")
    assert event.actor_id == user.pk and new not in str(event.payload)


def test_failures_from_elsewhere_do_not_lock_a_colleague_out(db, settings):
    settings.AXES_FAILURE_LIMIT = 3
    user = make_user("caseworker", username="othercw")
    stranger = Client(REMOTE_ADDR="203.0.113.9")
    for _ in range(4):
        stranger.post(reverse("accounts:login"), {"username": "othercw", "password": "wrong-guess"})
    locked = stranger.post(reverse("accounts:login"), {"username": "othercw", "password": PASSWORD})
    assert locked.status_code != 302
    assert AuditEvent.objects.filter(action="auth.login_failed", payload__locked_out=True).exists()
    colleague = Client(REMOTE_ADDR="198.51.100.7")
    response = colleague.post(reverse("accounts:login"), {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302


def test_sign_in_attempts_from_one_address_are_rate_limited(db, settings):
    settings.VAF_SIGNIN_RATE = "3/15m"
    sprayer = Client(REMOTE_ADDR="203.0.113.10")
    for number in range(3):
        sprayer.post(reverse("accounts:login"), {"username": f"user-{number}", "password": "guess"})
    response = sprayer.post(reverse("accounts:login"), {"username": "user-9", "password": "guess"})
    assert response.status_code == 429 and int(response["Retry-After"]) > 0
    other = Client(REMOTE_ADDR="203.0.113.11")
    assert other.post(reverse("accounts:login"), {"username": "x", "password": "y"}).status_code == 200


def test_successful_sign_ins_from_one_office_address_are_not_limited(db, settings):
    settings.VAF_SIGNIN_RATE = "3/15m"
    for _ in range(5):
        user = make_user("caseworker")
        office = Client(REMOTE_ADDR="198.51.100.40")
        assert (
            office.post(reverse("accounts:login"), {"username": user.username, "password": PASSWORD}).status_code == 302
        )


def test_the_api_is_throttled_per_token_with_retry_after(db, settings):
    settings.VAF_API_RATE_PER_TOKEN = "3/m"
    user = make_user("caseworker")
    key = api_token_issue(username=user.username)
    client = Client()
    for _ in range(3):
        assert client.get("/api/v1/cases/", HTTP_AUTHORIZATION=f"Token {key}").status_code == 200
    response = client.get("/api/v1/cases/", HTTP_AUTHORIZATION=f"Token {key}")
    assert response.status_code == 429
    assert response.json()["code"] == "throttled" and int(response["Retry-After"]) >= 1
    other_key = api_token_issue(username=make_user("caseworker").username)
    assert client.get("/api/v1/cases/", HTTP_AUTHORIZATION=f"Token {other_key}").status_code == 200


def test_the_api_is_throttled_per_address(db, settings):
    settings.VAF_API_RATE_PER_ADDRESS = "2/m"
    keys = [api_token_issue(username=make_user("caseworker").username) for _ in range(3)]
    client = Client(REMOTE_ADDR="203.0.113.20")
    for key in keys[:2]:
        assert client.get("/api/v1/cases/", HTTP_AUTHORIZATION=f"Token {key}").status_code == 200
    assert client.get("/api/v1/cases/", HTTP_AUTHORIZATION=f"Token {keys[2]}").status_code == 429
    elsewhere = Client(REMOTE_ADDR="203.0.113.21")
    assert elsewhere.get("/api/v1/cases/", HTTP_AUTHORIZATION=f"Token {keys[2]}").status_code == 200


def test_the_default_rates_let_a_partner_send_several_requests_a_second(settings):
    from accounts.rate_limits import parse_rate

    count, seconds = parse_rate(settings.VAF_API_RATE_PER_TOKEN)
    assert count / seconds >= 5


def test_schema_and_docs_need_a_signed_in_user(db):
    anonymous = Client()
    assert anonymous.get("/api/v1/schema/").status_code == 401
    assert anonymous.get("/api/v1/docs/").status_code == 401
    client = _signed_in(make_user("caseworker"))
    assert client.get("/api/v1/schema/").status_code == 200
    assert client.get("/api/v1/docs/").status_code == 200


def test_a_lockout_stops_the_account_s_token_from_that_address_only(db, settings):
    settings.AXES_FAILURE_LIMIT = 3
    user = make_user("caseworker", username="locked-cw")
    key = api_token_issue(username=user.username)
    guesser = Client(REMOTE_ADDR="203.0.113.30")
    for _ in range(3):
        guesser.post(reverse("accounts:login"), {"username": "locked-cw", "password": "wrong-guess"})
    assert guesser.get("/api/v1/cases/", HTTP_AUTHORIZATION=f"Token {key}").status_code == 401
    office = Client(REMOTE_ADDR="198.51.100.30")
    assert office.get("/api/v1/cases/", HTTP_AUTHORIZATION=f"Token {key}").status_code == 200
