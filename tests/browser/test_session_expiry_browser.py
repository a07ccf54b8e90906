"""A form sent after the session ended is not lost: the person signs in again
and lands on the same form with what they typed (kept in the tab's
sessionStorage, never in a URL)."""

import time

import pytest

from tests.factories import PASSWORD, make_user


@pytest.fixture
def caseworker(transactional_db):
    """Created before the browser starts: Playwright's event loop forbids the ORM in this thread."""
    return make_user("caseworker")


@pytest.fixture
def page(caseworker, browser_page):
    """The caseworker exists before the browser page (tests/browser/conftest.py)."""
    return browser_page


def _sign_in(page, user):
    page.fill("#id_username", user.username)
    page.fill("#id_password", PASSWORD)
    page.click("main button[type=submit]")


def test_typed_values_survive_an_expired_session(caseworker, page, live_server, settings):
    page.goto("/accounts/login/")
    _sign_in(page, caseworker)
    page.goto("/cases/new/")
    page.fill("#id_full_name", "Fake Typedname")
    page.fill("#id_region", "Fake Region")
    settings.VAF_SESSION_IDLE_MINUTES = 0  # the next request finds the session idle
    time.sleep(1.5)
    page.click("main form button[type=submit]")
    page.wait_for_url("**/accounts/login/**")
    assert "Typedname" not in page.url and "expired=idle" in page.url
    assert page.locator("#session-expired").count() == 1
    settings.VAF_SESSION_IDLE_MINUTES = 30
    _sign_in(page, caseworker)
    page.wait_for_url(f"{live_server.url}/cases/new/")
    assert page.locator("#id_full_name").input_value() == "Fake Typedname"
    assert page.locator("#id_region").input_value() == "Fake Region"
    assert page.locator("#form-restored").count() == 1
    page.goto("/cases/new/")
    assert page.locator("#id_full_name").input_value() == ""
