"""Every page, walked in Arabic, shows no English: no Latin-script word
outside an allow-list of codes and references (and outside values people
typed, which are isolated in `<bdi>`).

The test runs against the compiled Arabic catalogue. A Latin word is
tolerated only while it comes from a message (a `gettext` or `{% translate %}`
string of this project) that the compiled catalogue does not translate yet:
those are listed in `test-results/arabic-missing-translations.txt` for the
catalogue's next regeneration. Anything else — a hard-coded English string,
a raw field or action code, an English month or currency name — fails now.
Once the catalogue is complete, nothing is tolerated.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import translation

from accounts.access_changes import access_change_request_user
from audit.models import AuditEvent
from fund import services as fund_services
from tests.fund.conftest import deposit, drive, make_active_case, make_people, request_payment

LATIN_WORD = re.compile(r"[A-Za-z][A-Za-z'’-]*[A-Za-z]")
# Codes and names that stay in Latin script in Arabic text.
ALLOWED_WORDS = {
    *("VAF", "API", "CSV", "XLSX", "IBAN", "HTCDS", "CTDC", "SHA", "PDF", "JSON", "TOTP", "OpenAPI", "Ed"),
    # File formats, standards and names of things that have no Arabic name.
    *("PNG", "JPEG", "GPS", "Excel", "xlsx", "xlsm", "csv", "Lines", "Merkle"),
}
# Technical names quoted inside translated help texts: file columns, commands.
CODE_TOKENS = re.compile(
    r"(?<![A-Za-z_])(?:prev_hash|payment_reference|reference|amount|date|description|manage\.py|audit_checkpoint"
    r"|audit_cosign|create_api_token|VAF_AUDIT_SIGNING_KEY)"
    r"(?![A-Za-z_])|--public-key"
)
# Elements whose text is not interface text: code, values people typed or
# identifiers (isolated in <bdi>), masked values, hashes, the language names.
SKIPPED_TAGS = {"script", "style", "code", "pre", "bdi", "option", "textarea", "title"}
SKIPPED_CLASSES = {"masked", "hash", "ltr", "navbar-text"}
SOURCE_DIRS = [
    "accounts",
    "audit",
    "config",
    "documents",
    "fund",
    "notifications",
    "operations",
    "referrals",
    "reports",
    "standards",
    "templates",
    "vault",
]
REPORT = Path(settings.BASE_DIR) / "test-results" / "arabic-missing-translations.txt"


class _TextNodes(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[bool] = []  # per open element: is its text skipped?
        self.texts: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag in {"br", "hr", "img", "input", "meta", "link", "col", "wbr"}:
            return
        attrs = dict(attrs)
        classes = set((attrs.get("class") or "").split())
        skipped = (
            tag in SKIPPED_TAGS or bool(classes & SKIPPED_CLASSES) or attrs.get("dir") == "ltr" or attrs.get("hidden")
        )
        self.stack.append(bool(skipped) or (bool(self.stack) and self.stack[-1]))

    def handle_endtag(self, tag):
        if self.stack and tag not in {"br", "hr", "img", "input", "meta", "link", "col", "wbr"}:
            self.stack.pop()

    def handle_data(self, data):
        if not (self.stack and self.stack[-1]) and data.strip():
            self.texts.append(" ".join(data.split()))


def _latin_words(text: str) -> list[str]:
    text = CODE_TOKENS.sub(" ", text)
    return [w for w in LATIN_WORD.findall(text) if w not in ALLOWED_WORDS and not re.fullmatch(r"[A-Z]{2}", w)]


_PY_MESSAGE = re.compile(r"""\b(?:_|gettext|gettext_lazy|_lazy|ngettext|pgettext)\(\s*(["'])((?:\\.|(?!\1).)*)\1""")
_TEMPLATE_TRANSLATE = re.compile(r"""{%\s*translate\s+(["'])(.*?)\1""")
_TEMPLATE_BLOCK = re.compile(r"{%\s*blocktranslate\b[^%]*%}(.*?){%\s*(?:plural|endblocktranslate)\s*%}", re.S)


def _project_messages() -> set[str]:
    messages: set[str] = set()
    for folder in SOURCE_DIRS:
        for path in Path(settings.BASE_DIR, folder).rglob("*"):
            if path.suffix == ".py" and "migrations" not in path.parts:
                messages.update(m[1] for m in _PY_MESSAGE.findall(path.read_text(encoding="utf-8")))
            elif path.suffix == ".html":
                text = path.read_text(encoding="utf-8")
                messages.update(m[1] for m in _TEMPLATE_TRANSLATE.findall(text))
                blocks = (" ".join(m.split()) for m in _TEMPLATE_BLOCK.findall(text))
                messages.update(re.sub(r"{{\s*(\w+)\s*}}", r"%(\1)s", m) for m in blocks)
    return {m for m in messages if LATIN_WORD.search(m)}


def _untranslated(messages: set[str]) -> list[tuple[str, re.Pattern]]:
    """The project's messages the compiled Arabic catalogue lacks, as patterns
    that match their English rendering (placeholders match anything)."""
    catalogue = translation.trans_real.translation("ar")._catalog
    missing = []
    for message in sorted(messages):
        if message in catalogue or (message, 0) in catalogue:
            continue
        parts = re.split(r"%\(\w+\)[sdif]|{{\s*\w+\s*}}|%s|%d", message)
        pattern = r".*?".join(r"\s+".join(map(re.escape, part.split())) for part in parts)
        missing.append((message, re.compile(pattern)))
    return missing


def _upload(case) -> tuple[str, dict]:
    """A document upload, posted and followed to the case page it returns to."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tests.documents.conftest import pdf_bytes

    pdf = SimpleUploadedFile("fake-receipt.pdf", pdf_bytes(), content_type="application/pdf")
    return reverse("documents:upload", args=[case.pk]), {"kind": "receipt", "file": pdf}


@pytest.fixture
def arabic_site(db):
    people = make_people()
    case = make_active_case(people.caseworker, people.approver)
    deposit(people.finance)
    drive(request_payment(case, people.caseworker, amount="6000.00"), people, "submitted")
    returned = drive(request_payment(case, people.caseworker, amount="200.00"), people, "submitted")
    fund_services.disbursement_transition(
        disbursement=returned, actor=people.approver, name="return_for_changes", reason="Fake reason"
    )
    drive(request_payment(case, people.caseworker, amount="300.00"), people, "paid")
    drive(request_payment(case, people.caseworker, amount="400.00"), people, "approved")
    seq = AuditEvent.objects.order_by("-seq").values_list("seq", flat=True).first()
    # A pending access change, for the administrators' and auditors' list.
    access_change_request_user(
        actor=people.admin, username="fake-new-caseworker", email="", organisation_name="Org A", roles=["caseworker"]
    )
    # Pages are paths (GET) or (path, data) pairs (POST, redirects followed);
    # None walks the pages seen before signing in.
    pages = {
        None: [reverse("accounts:login"), reverse("accounts:password_forgotten")],
        people.caseworker: [
            reverse("home"),
            reverse("referrals:case_list"),
            reverse("referrals:referral_create"),
            case.get_absolute_url(),
            reverse("referrals:assessment_edit", args=[case.pk]),
            reverse("referrals:victim_edit", args=[case.pk]),
            reverse("fund:case_disbursements", args=[case.pk]),
            reverse("fund:disbursement_edit", args=[returned.pk]),
            _upload(case),
            reverse("notifications:list"),
            reverse("notifications:preferences"),
            reverse("standards:intake"),
            reverse("accounts:password_change"),
            reverse("accounts:mfa_setup"),
            "/no-such-page/",
        ],
        people.approver2: [
            reverse("home"),
            reverse("fund:approval_queue"),
            reverse("fund:overview"),
            reverse("notifications:list"),
        ],
        people.finance2: [
            reverse("home"),
            reverse("fund:payment_queue"),
            reverse("reports:index"),
        ],
        people.auditor: [
            reverse("audit:event_list"),
            reverse("audit:event_detail", args=[seq]),
            reverse("audit:verify"),
            reverse("audit:access_review"),
            reverse("audit:case_history", args=[case.reference]),
            case.get_absolute_url(),
            reverse("accounts:access_change_list"),
        ],
        people.admin: [
            reverse("home"),
            reverse("accounts:user_list"),
            reverse("accounts:user_new"),
            reverse("accounts:user_edit", args=[people.caseworker.pk]),
            reverse("accounts:access_change_list"),
            reverse("operations:schedules"),
            reverse("accounts:mfa_devices"),
            (reverse("accounts:recovery_codes_new"), {}),
        ],
    }
    return pages


def test_every_page_in_arabic_has_no_english(arabic_site):
    missing = _untranslated(_project_messages())
    found_missing: set[str] = set()
    failures: list[str] = []
    for user, paths in arabic_site.items():
        client = Client(HTTP_ACCEPT_LANGUAGE="ar")
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = "ar"
        if user is not None:
            client.force_login(user)
        for page in paths:
            if isinstance(page, tuple):
                path, data = page
                response = client.post(path, data, follow=True)
            else:
                path, response = page, client.get(page)
            assert response.status_code in (200, 404), (path, response.status_code)
            html = response.content.decode()
            assert 'lang="ar"' in html and 'dir="rtl"' in html, path
            parser = _TextNodes()
            parser.feed(html)
            for text in parser.texts:
                words = _latin_words(text)
                if not words:
                    continue
                explained = [m for m, pattern in missing if pattern.search(text) and LATIN_WORD.search(m)]
                if explained:
                    found_missing.update(explained)
                    continue
                failures.append(f"{path}: {text!r}")
    REPORT.parent.mkdir(exist_ok=True)
    REPORT.write_text("".join(f"{m}\n" for m in sorted(found_missing)), encoding="utf-8")
    assert not failures, "English on Arabic pages, not from a catalogue message:\n" + "\n".join(sorted(set(failures)))
