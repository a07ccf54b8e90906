"""Reads of cases with access checks (DESIGN.md §8 visibility).

- caseworkers: every case of their organisation;
- approvers, finance and auditors: cases once submitted for approval, with
  personal fields masked until revealed;
- intake partners: the referrals they submitted, reference and status only;
- admins: no case.
A case the caller may not see is reported exactly like a missing one.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from accounts.roles import Role, user_roles
from audit.models import AuditEvent
from config.errors import NotFound
from referrals.choices import CaseStatus
from referrals.models import Case, VictimProfile
from referrals.permissions import is_case_caseworker
from vault.fields import blind_index_lookup

REVIEWER_ROLES = {Role.APPROVER, Role.FINANCE, Role.AUDITOR}


def _visibility(user) -> Q | None:
    roles = user_roles(user)
    conditions = Q(pk__in=[])
    any_role = False
    if Role.CASEWORKER in roles and user.organisation_id:
        conditions |= Q(organisation_id=user.organisation_id)
        any_role = True
    if roles & REVIEWER_ROLES:
        conditions |= Q(submitted_at__isnull=False)
        any_role = True
    if Role.INTAKE_PARTNER in roles:
        conditions |= Q(created_by=user)
        any_role = True
    return conditions if any_role else None


def can_list_cases(user) -> bool:
    """Every role but admin has a case list (perhaps empty); admins have none."""
    return _visibility(user) is not None


def case_list_for_user(
    *, user, status: str | None = None, reference: str | None = None, document_number: str | None = None
) -> QuerySet[Case]:
    """Visible cases, newest first, with what a list row shows joined in.

    `document_number` is matched through its blind index: no row is decrypted.
    """
    condition = _visibility(user)
    if condition is None:
        return Case.objects.none()
    cases = (
        Case.objects.filter(condition)
        .select_related("organisation", "assigned_to", "data_key", "victim")
        .order_by("-created_at", "-reference")
    )
    if status:
        cases = cases.filter(status=status)
    if reference:
        cases = cases.filter(reference__icontains=reference.strip())
    if document_number is not None:
        index = blind_index_lookup(VictimProfile, "document_number_index", document_number)
        if index is None:
            return Case.objects.none()
        cases = cases.filter(victim__document_number_index=index)
    return cases


def can_search_by_document(user) -> bool:
    """Searching by document number tells whether a person is known to the
    system: caseworkers (within their organisation's cases and the submitted
    ones they can see) and auditors only, and every search is audited."""
    return bool(user_roles(user) & {Role.CASEWORKER, Role.AUDITOR})


def case_get_for_user(*, user, case_id) -> Case:
    condition = _visibility(user)
    try:
        if condition is None:
            raise Case.DoesNotExist
        return (
            Case.objects.filter(condition)
            .select_related("organisation", "assigned_to", "data_key", "victim", "created_by")
            .get(pk=case_id)
        )
    except (Case.DoesNotExist, ValueError, TypeError, DjangoValidationError):
        # A malformed id is answered like a missing case.
        raise NotFound(_("Not found.")) from None


def is_summary_only(user, case: Case) -> bool:
    """Intake partners see only a referral's reference and status."""
    roles = user_roles(user)
    sees_more = (Role.CASEWORKER in roles and user.organisation_id == case.organisation_id) or (
        roles & REVIEWER_ROLES and case.submitted_at is not None
    )
    return not sees_more


def can_edit(user, case: Case) -> bool:
    """The assigned caseworker, while the case is in assessment or active."""
    return (
        works_the_case(user, case)
        and case.assigned_to_id == user.pk
        and case.status in (CaseStatus.IN_ASSESSMENT, CaseStatus.ACTIVE)
    )


def works_the_case(user, case: Case) -> bool:
    """Caseworkers of the owning organisation see personal data in full."""
    return is_case_caseworker(user, case)


def can_reveal(user, case: Case) -> bool:
    """Every role that sees a case's details may reveal them (DESIGN.md §8),
    with a reason, recorded as case.pii_revealed; intake partners, who see
    only reference and status, may not."""
    roles = user_roles(user)
    return works_the_case(user, case) or bool(roles & REVIEWER_ROLES and case.submitted_at is not None)


def possible_duplicates(*, user, case: Case) -> list[str]:
    """References of other visible cases whose blind indexes match this one's."""
    try:
        profile = case.victim
    except VictimProfile.DoesNotExist:
        return []
    matches = [
        Q(**{f"victim__{name}": getattr(profile, name)})
        for name in ("document_number_index", "phone_index", "name_dob_index")
        if getattr(profile, name)
    ]
    condition = _visibility(user)
    if condition is None or not matches:
        return []
    match = matches[0]
    for other in matches[1:]:
        match |= other
    return list(
        Case.objects.filter(condition)
        .filter(match)
        .exclude(pk=case.pk)
        .order_by("reference")
        .values_list("reference", flat=True)[:20]
    )


def case_timeline(*, case: Case) -> QuerySet[AuditEvent]:
    """The case's audit events, oldest first."""
    return AuditEvent.objects.filter(object_type="case", object_id=str(case.pk)).order_by("seq")


def cases_matching_identifiers(*, user, document_number=None, phone=None, full_name=None, date_of_birth=None):
    """References of cases visible to `user` whose blind indexes match these
    identifiers (a referral not yet created, such as a spreadsheet row)."""
    indexes = {
        "document_number_index": blind_index_lookup(VictimProfile, "document_number_index", document_number),
        "phone_index": blind_index_lookup(VictimProfile, "phone_index", phone),
        "name_dob_index": blind_index_lookup(VictimProfile, "name_dob_index", full_name, date_of_birth),
    }
    matches = [Q(**{f"victim__{name}": value}) for name, value in indexes.items() if value]
    condition = _visibility(user)
    if condition is None or not matches:
        return []
    match = matches[0]
    for other in matches[1:]:
        match |= other
    return list(
        Case.objects.filter(condition).filter(match).order_by("reference").values_list("reference", flat=True)[:20]
    )
