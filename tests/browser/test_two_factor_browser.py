"""A real browser (the system's Chromium, never a downloaded one) enrols an
authenticator app, in English and in Arabic, and signs in with it."""

import base64

import pytest
from django_otp.oath import totp

from tests.factories import PASSWORD, make_user


@pytest.fixture
def approver(transactional_db, settings):
    """Created before the browser starts: Playwright's event loop forbids the ORM in this thread."""
    settings.VAF_MFA_REQUIRED_ROLES = ["approver"]
    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    return make_user("approver")


@pytest.fixture
def page(approver, browser_page):
    """The approver exists before the browser page (tests/browser/conftest.py)."""
    return browser_page


def _code(secret: str, drift: int = 0) -> str:
    return f"{totp(base64.b32decode(secret), drift=drift):06d}"


@pytest.mark.parametrize("language", ["en", "ar"])
def test_enrol_and_sign_in_with_an_authenticator(approver, page, live_server, language):
    user = approver
    page.context.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])
    page.goto("/accounts/login/")
    assert page.locator("html").get_attribute("dir") == ("rtl" if language == "ar" else "ltr")
    page.fill("#id_username", user.username)
    page.fill("#id_password", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url("**/accounts/two-factor/setup/**")
    assert page.locator("main img").get_attribute("src").startswith("data:image/svg+xml")
    secret = page.locator("#totp-secret").inner_text().strip()
    page.fill("#id_code", _code(secret))
    page.click("main form[data-keep-form-draft] button[type=submit]")
    codes = page.locator("#recovery-codes li")
    codes.first.wait_for()
    assert codes.count() == 10
    page.click("main a.btn-primary")
    assert page.locator("h1").count() == 1 and "/accounts/" not in page.url

    page.context.clear_cookies()
    page.context.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])
    page.goto("/accounts/login/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url("**/accounts/two-factor/verify/**")
    page.fill("#id_code", _code(secret, drift=1))
    page.click("main form[data-keep-form-draft] button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")
    assert page.locator("h1").inner_text()
