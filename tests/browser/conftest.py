"""Browser tests: Playwright for Python driving Debian's Chromium
(/usr/bin/chromium, installed by `.ci/run`; never a downloaded browser)
against Django's live server.

axe-core is vendored under static/vendor/axe-core and injected by the
harness through the DevTools protocol (`page.evaluate`), which the page's
Content-Security-Policy does not govern: the application's CSP stays strict
and no page ever loads axe itself.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("VAF_TEST_CHROMIUM", "/usr/bin/chromium")
AXE = Path(__file__).resolve().parents[2] / "static" / "vendor" / "axe-core" / "axe.min.js"
WIDTHS = {"desktop": 1280, "phone": 390}


def pytest_collection_modifyitems(config, items):
    for item in items:
        if "tests/browser/" in str(item.fspath).replace(os.sep, "/"):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def chromium():
    if not Path(CHROMIUM).exists():
        pytest.fail(
            f"{CHROMIUM} is missing: install Debian's chromium (`apt-get install -y chromium`, as .ci/run does)"
        )
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an event loop in this thread; the test's own
    # database work stays synchronous, so Django's async guard is lifted for
    # the browser tests only, and restored after them.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
            yield browser
            browser.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def browser_page(live_server, chromium):
    """A page of its own browser context in the session's Chromium, on the live server.
    A module creates its users in fixtures requested before this one: Playwright's
    event loop forbids the ORM in this thread once the page is in use."""
    context = chromium.new_context(base_url=live_server.url)
    try:
        yield context.new_page()
    finally:
        context.close()


class Visitor:
    """One signed-in person in one browser context, checking every page they see."""

    def __init__(self, browser, base_url: str, *, language: str, width: int, report: list):
        self.context = browser.new_context(viewport={"width": width, "height": 900}, locale=language)
        host = base_url.split("://", 1)[1].split(":")[0]
        self.context.add_cookies([{"name": "django_language", "value": language, "domain": host, "path": "/"}])
        self.page = self.context.new_page()
        self.page.on("dialog", lambda dialog: dialog.accept())  # confirmations say yes
        self.base_url = base_url
        self.language = language
        self.width = width
        self.report = report

    def goto(self, path: str):
        self.page.goto(self.base_url + path)
        self.check()

    def check(self):
        """axe-core with no violations, and no horizontal scrolling of the page."""
        page = self.page
        page.wait_for_load_state("load")
        if not page.evaluate("typeof window.axe !== 'undefined'"):
            page.evaluate(AXE.read_text(encoding="utf-8"))
        result = page.evaluate("async () => (await axe.run(document, {resultTypes: ['violations']})).violations")
        overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        url = page.url.replace(self.base_url, "")
        for violation in result:
            targets = [node["target"] for node in violation["nodes"]][:3]
            self.report.append(f"{self.language} {self.width}px {url}: axe {violation['id']} {targets}")
        if overflow > 0:
            self.report.append(f"{self.language} {self.width}px {url}: page scrolls sideways by {overflow}px")

    def sign_in(self, username: str, password: str):
        self.page.goto(self.base_url + "/accounts/login/")
        self.check()
        self.page.fill("input[name=username]", username)
        self.page.fill("input[name=password]", password)
        self.submit("main form button[type=submit]")
        assert "/accounts/login/" not in self.page.url, f"{username} could not sign in"

    def submit(self, selector: str):
        """Click a submit button and check the page it leads to."""
        with self.page.expect_navigation():
            self.page.click(selector)
        self.check()

    def close(self):
        self.context.close()


@pytest.fixture(autouse=True)
def _reconcile_without_receipt(settings):
    """The journey reconciles a payment without uploading its receipt; the
    receipt rule (VAF_RECEIPT_REQUIRED_FOR_RECONCILE) is tested in tests/documents."""
    settings.VAF_RECEIPT_REQUIRED_FOR_RECONCILE = False
