"""Erasing a settled case's personal data (crypto-shredding)."""

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from audit.models import AuditEvent
from referrals import services
from referrals.choices import CaseStatus
from referrals.models import Case, VictimProfile
from referrals.selectors import possible_duplicates
from vault.errors import DataKeyDestroyed


def test_erasing_destroys_the_key_clears_indexes_and_is_audited(people, browser):
    case = people.case(CaseStatus.WITHDRAWN, document_number="ERASE0001")
    twin = people.case(CaseStatus.REFERRED, document_number="ERASE0001")
    assert possible_duplicates(user=people.caseworker, case=twin) == [case.reference]

    services.case_erase(case=case, actor=None, reason="Erasure request ER-1 (fake)")

    profile = VictimProfile.objects.select_related("case__data_key").get(case=case)
    with pytest.raises(DataKeyDestroyed):
        _ = profile.full_name
    assert profile.document_number_index is None and profile.name_dob_index is None
    assert possible_duplicates(user=people.caseworker, case=twin) == []
    event = AuditEvent.objects.get(action="case.erased")
    assert event.reason == "Erasure request ER-1 (fake)" and event.payload["reference"] == case.reference
    page = browser(people.caseworker).get(f"/cases/{case.pk}/")
    assert page.status_code == 200
    assert "[erased]" in page.content.decode()


def test_only_settled_cases_can_be_erased_once(people):
    active = people.case(CaseStatus.ACTIVE)
    with pytest.raises(Exception, match="closed, withdrawn or rejected"):
        services.case_erase(case=active, actor=None, reason="x")
    assert Case.objects.get(pk=active.pk).data_key.destroyed_at is None
    withdrawn = people.case(CaseStatus.WITHDRAWN)
    services.case_erase(case=withdrawn, actor=None, reason="x")
    with pytest.raises(Exception, match="already erased"):
        services.case_erase(case=withdrawn, actor=None, reason="x")


def test_erase_case_command(people):
    case = people.case(CaseStatus.WITHDRAWN)
    out = io.StringIO()
    call_command("erase_case", case.reference, "--reason", "Fake request", stdout=out)
    assert "erased" in out.getvalue()
    with pytest.raises(CommandError, match="No case"):
        call_command("erase_case", "VAF-1999-000000", "--reason", "x")
    with pytest.raises(CommandError, match="reason is required"):
        call_command("erase_case", people.case(CaseStatus.WITHDRAWN).reference, "--reason", " ")
