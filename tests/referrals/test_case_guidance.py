"""The case page guides each person: what is missing before the next step,
the step forward first, confirmations before irreversible steps, labels
instead of codes, and formats of the page's language."""

from django.urls import reverse
from django.utils import translation

from referrals.choices import CaseStatus


def test_a_case_in_assessment_says_what_is_missing_and_links_to_the_field(people, browser):
    case = people.case(CaseStatus.IN_ASSESSMENT)
    html = browser(people.caseworker).get(case.get_absolute_url()).content.decode()
    edit = reverse("referrals:assessment_edit", args=[case.pk])
    assert "Before this case can be submitted for approval:" in html
    assert f'href="{edit}#id_needs_0">The assessment lists no needs</a>' in html
    assert f'href="{edit}#id_risk_level">The assessment has no risk level</a>' in html
    assert "Submit for approval" not in html  # not offered while something is missing


def test_a_complete_assessment_puts_submission_first_and_withdrawal_last(people, browser):
    case = people.case(CaseStatus.IN_ASSESSMENT, assessed=True)
    html = browser(people.caseworker).get(case.get_absolute_url()).content.decode()
    assert "Before this case can be submitted" not in html
    assert html.index("Submit for approval") < html.index("Other actions") < html.index(">Withdraw<")
    assert 'data-confirm="Withdraw this case?' in html


def test_the_caseworker_is_told_the_case_waits_for_a_decision(people, browser):
    case = people.case(CaseStatus.PENDING_APPROVAL)
    html = browser(people.caseworker).get(case.get_absolute_url()).content.decode()
    assert "the case waits for a fund approver" in html
    approver = browser(people.approver).get(case.get_absolute_url()).content.decode()
    assert 'data-confirm="Approve this case' in approver and 'data-confirm="Reject this case?' in approver


def test_saving_an_unchanged_assessment_says_nothing_changed(people, browser):
    case = people.case(CaseStatus.IN_ASSESSMENT, assessed=True)
    client = browser(people.caseworker)
    url = reverse("referrals:assessment_edit", args=[case.pk])
    form = client.get(url).context["form"]
    data = {name: value for name, value in form.initial.items() if value not in (None, "")}
    data["consent_given"] = "on" if data.get("consent_given") else ""
    response = client.post(url, data, follow=True)
    assert "Nothing was changed" in response.content.decode()
    changed = client.post(url, {**data, "risk_level": "low"}, follow=True)
    assert "saved" in changed.content.decode()


def test_the_timeline_names_changed_fields_in_words(people, browser):
    case = people.case(CaseStatus.IN_ASSESSMENT, assessed=True)
    html = browser(people.caseworker).get(case.get_absolute_url()).content.decode()
    assert "Assessment notes" in html and "assessment_notes" not in html
    assert "Risk level" in html


def test_dates_nationality_and_references_in_the_page_language(people, browser):
    case = people.case(CaseStatus.IN_ASSESSMENT, nationality="ET")
    client = browser(people.caseworker)
    english = client.get(case.get_absolute_url()).content.decode()
    assert "Ethiopia" in english and f'<bdi dir="ltr" class="ltr">{case.reference}</bdi>' in english
    with translation.override("ar"):
        client.cookies["django_language"] = "ar"
        arabic = client.get(case.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="ar").content.decode()
    assert "إثيوبيا" in arabic and "هـ" in arabic  # country in Arabic, Hijri date beside the Gregorian
