"""The Arabic translation: the signed-in home page renders right-to-left and in
Arabic, and every translated message keeps the placeholders of its original."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import translation

from tests.factories import make_user

PO_FILE = Path(settings.BASE_DIR) / "locale" / "ar" / "LC_MESSAGES" / "django.po"
MO_FILE = PO_FILE.with_suffix(".mo")
ARABIC_TITLE = "صندوق مساعدة الضحايا"
# Navigation labels a signed-in caseworker sees in English.
ENGLISH_NAV_LABELS = ["Victims Assistance Fund", "Cases", "Sign out", "Skip to content", "Change", "Language"]
PLACEHOLDER = re.compile(r"%\(([A-Za-z_][A-Za-z0-9_]*)\)[sdif]")
ARABIC_LETTER = re.compile(r"[\u0600-\u06ff]")


def _po_entries(path: Path) -> list[dict]:
    """A small .po reader: each entry's msgid, msgid_plural, msgstr[n] and flags."""
    entries: list[dict] = []
    entry: dict = {}
    field = None

    def finish() -> None:
        if "msgid" in entry:
            entries.append(entry)

    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line:
            finish()
            entry, field = {}, None
        elif line.startswith("#,"):
            entry.setdefault("flags", set()).update(flag.strip() for flag in line[2:].split(","))
        elif line.startswith("#"):
            continue
        elif line.startswith('"'):
            entry[field] += ast.literal_eval(line)
        else:
            match = re.match(r'(msgctxt|msgid_plural|msgid|msgstr(?:\[\d+\])?)\s+(".*")$', line)
            assert match, f"cannot parse .po line: {raw!r}"
            if match[1] in ("msgctxt", "msgid") and "msgid" in entry:
                finish()
                entry = {}
            field = match[1]
            entry[field] = ast.literal_eval(match[2])
    finish()
    return entries


def _translations(entry: dict) -> list[str]:
    return [value for key, value in entry.items() if key.startswith("msgstr")]


@pytest.fixture
def caseworker_client(client):
    client.force_login(make_user("caseworker"), backend="django.contrib.auth.backends.ModelBackend")
    yield client
    translation.activate(settings.LANGUAGE_CODE)


def _assert_arabic_home(response) -> None:
    html = response.content.decode()
    assert response.status_code == 200
    assert 'lang="ar"' in html and 'dir="rtl"' in html
    assert ARABIC_TITLE in html
    nav = html[html.index("<nav") : html.index("</nav>")]
    for label in ENGLISH_NAV_LABELS:
        assert f">{label}<" not in nav, f"untranslated navigation label: {label}"
    assert "Victims Assistance Fund" not in html


@pytest.mark.django_db
def test_home_in_arabic_with_language_cookie(caseworker_client):
    caseworker_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "ar"
    _assert_arabic_home(caseworker_client.get("/"))


@pytest.mark.django_db
def test_home_in_arabic_with_accept_language(caseworker_client):
    _assert_arabic_home(caseworker_client.get("/", headers={"accept-language": "ar"}))


@pytest.mark.django_db
def test_home_stays_english_by_default(caseworker_client):
    html = caseworker_client.get("/", headers={"accept-language": "en"}).content.decode()
    assert 'dir="ltr"' in html and "Victims Assistance Fund" in html and ARABIC_TITLE not in html


def test_catalogue_is_compiled_complete_and_not_fuzzy():
    assert MO_FILE.exists(), "run: manage.py compilemessages -l ar"
    entries = [e for e in _po_entries(PO_FILE) if e["msgid"]]
    assert len(entries) > 100
    header = next(e for e in _po_entries(PO_FILE) if e["msgid"] == "")
    assert "nplurals=6;" in header["msgstr"]
    for entry in entries:
        assert "fuzzy" not in entry.get("flags", set()), entry["msgid"]
        values = _translations(entry)
        assert values and all(values), f"untranslated: {entry['msgid']!r}"
        if "msgid_plural" in entry:
            assert sorted(k for k in entry if k.startswith("msgstr")) == [f"msgstr[{i}]" for i in range(6)]


def test_every_translation_keeps_the_placeholders_of_its_msgid():
    problems = []
    for entry in _po_entries(PO_FILE):
        if not entry["msgid"]:
            continue
        expected = set(PLACEHOLDER.findall(entry["msgid"])) | set(PLACEHOLDER.findall(entry.get("msgid_plural", "")))
        for value in _translations(entry):
            if set(PLACEHOLDER.findall(value)) != expected:
                problems.append((entry["msgid"], value))
    assert not problems, problems


def test_compiled_catalogue_is_used():
    with translation.override("ar"):
        assert translation.gettext("Victims Assistance Fund") == ARABIC_TITLE
        assert ARABIC_LETTER.search(translation.gettext("Sign out"))
        text = translation.ngettext(
            "%(n)s case matches this document number.", "%(n)s cases match this document number.", 5
        )
        assert "%(n)s" in text and ARABIC_LETTER.search(text)
