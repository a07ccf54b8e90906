"""Writes to referrals and cases: intake, edits, transitions, reveals.

Every function here is one transaction that checks who may act, changes the
case, and records its audit event. Audit payloads carry ids, states and the
names (never the values) of personal fields.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_fsm import ConcurrentTransition

from accounts.idempotency import idempotency_records_purge
from accounts.roles import Role, user_roles
from accounts.services import organisation_get_or_create
from audit.services import audit_record
from config.errors import ConcurrentUpdate, PermissionDenied, TransitionNotAllowed, ValidationFailed
from referrals.choices import AgeBand, CaseStatus, IntakeChannel
from referrals.hooks import run_erase_hooks, run_withdrawal_hooks
from referrals.models import PERSONAL_FIELDS, Case, CaseReferenceCounter, VictimProfile
from referrals.permissions import (
    REASON_REQUIRED,
    TRANSITION_LABELS,
    is_case_caseworker,
    is_erased,
    transition_refusal,
)
from referrals.validation import clean_reason, validate_case_fields, validate_victim_fields
from vault.services import data_key_create, data_key_destroy


@dataclass
class ReferralInput:
    referring_agency: str
    exploitation_types: list[str]
    summary: str = ""
    consent_given: bool = False
    consent_date: dt.date | None = None
    victim: dict = field(default_factory=dict)
    # Optional coded assessment fields known at intake (an HTCDS spreadsheet
    # carries them): names of CODED_INTAKE_FIELDS.
    coded: dict = field(default_factory=dict)


def lock_case(case_id) -> Case:
    """The case row, locked until the end of the transaction."""
    return Case.objects.select_for_update(of=("self",)).select_related("data_key").get(pk=case_id)


def _next_reference(year: int) -> str:
    """The year's next case reference. One statement in the common case: the
    UPDATE takes the counter row's lock until the transaction ends, as
    `select_for_update` did, and returns the new number."""
    table = connection.ops.quote_name(CaseReferenceCounter._meta.db_table)
    for _attempt in range(3):
        with connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {table} SET last_number = last_number + 1 WHERE year = %s RETURNING last_number",  # noqa: S608
                [year],
            )
            row = cursor.fetchone()
        if row:
            return f"VAF-{year}-{row[0]:06d}"
        try:
            with transaction.atomic():
                CaseReferenceCounter.objects.get_or_create(year=year)
        except IntegrityError:
            continue  # another transaction created the year's counter first
    raise ConcurrentUpdate(_("Could not issue a case reference; try again."))


def age_band(date_of_birth: dt.date | None, today: dt.date | None = None) -> str:
    if not date_of_birth:
        return AgeBand.UNKNOWN
    today = today or timezone.localdate()
    age = today.year - date_of_birth.year - ((today.month, today.day) < (date_of_birth.month, date_of_birth.day))
    for upper, band in ((17, AgeBand.CHILD), (24, AgeBand.YOUNG_ADULT), (34, AgeBand.ADULT), (49, AgeBand.MIDDLE)):
        if age <= upper:
            return band
    return AgeBand.OLDER


def _intake_organisation(actor):
    roles = user_roles(actor)
    if Role.CASEWORKER in roles and actor.organisation_id:
        return actor.organisation, IntakeChannel.WEB
    if Role.INTAKE_PARTNER in roles:
        return organisation_get_or_create(name=settings.VAF_INTAKE_ORGANISATION), IntakeChannel.API
    raise PermissionDenied(_("Only caseworkers and intake partners may open referrals."))


EDITABLE_CASE_FIELDS = frozenset(
    {
        "referring_agency",
        "exploitation_types",
        "consent_given",
        "consent_date",
        "summary",
        "needs",
        "risk_level",
        "assessment_notes",
        "trafficking_status",
        "status_decided_by",
        "methods_of_control",
        "recruitment_methods",
        "relationship_to_trafficker",
        "age_when_trafficked",
        "support_types",
    }
)
CODED_INTAKE_FIELDS = frozenset(
    {
        "trafficking_status",
        "status_decided_by",
        "methods_of_control",
        "recruitment_methods",
        "relationship_to_trafficker",
        "age_when_trafficked",
        "support_types",
    }
)
LIST_FIELDS = ("exploitation_types", "needs", "methods_of_control", "recruitment_methods", "support_types")
EDITABLE_STATES = (CaseStatus.IN_ASSESSMENT, CaseStatus.ACTIVE)


def _apply_victim(profile: VictimProfile, victim: dict) -> list[str]:
    changed = []
    for name, value in victim.items():
        if name == "nationality":
            value = (value or "").upper()
        elif name == "citizenship":
            value = sorted({code.upper() for code in value or []})
        elif name == "region":
            value = (value or "").strip()
        if name in PERSONAL_FIELDS:
            if getattr(profile, name) != (value or None):
                setattr(profile, name, value)
                changed.append(name)
        elif getattr(profile, name) != value:
            setattr(profile, name, value)
            changed.append(name)
    if "date_of_birth" in victim:
        profile.age_band = age_band(profile.date_of_birth)
    return changed


@transaction.atomic
def referral_create(*, actor, referral: ReferralInput, channel: str | None = None) -> Case:
    organisation, default_channel = _intake_organisation(actor)
    validate_case_fields(
        {
            "referring_agency": referral.referring_agency,
            "exploitation_types": referral.exploitation_types,
            "consent_given": referral.consent_given,
            "consent_date": referral.consent_date,
            "summary": referral.summary,
            **referral.coded,
        },
        creating=True,
    )
    unknown = sorted(set(referral.coded) - CODED_INTAKE_FIELDS)
    if unknown:
        raise ValidationFailed(
            _("These fields cannot be set at intake: %(f)s.") % {"f": ", ".join(unknown)},
            errors={name: [_("Unknown or read-only field.")] for name in unknown},
        )
    validate_victim_fields(referral.victim)
    case = Case(
        reference=_next_reference(timezone.localdate().year),
        organisation=organisation,
        referring_agency=referral.referring_agency.strip(),
        intake_channel=channel or default_channel,
        created_by=actor,
        exploitation_types=sorted(set(referral.exploitation_types)),
        consent_given=referral.consent_given,
        consent_date=referral.consent_date,
        data_key=data_key_create(),
    )
    for name, value in referral.coded.items():
        setattr(case, name, sorted(set(value)) if name in LIST_FIELDS else value)
    case.summary = referral.summary or None
    case.save()
    profile = VictimProfile(case=case)
    _apply_victim(profile, referral.victim)
    profile.save()
    audit_record(
        action="case.referred",
        actor=actor,
        object_type="case",
        object_id=case.pk,
        payload={
            "reference": case.reference,
            "to": case.status,
            "channel": case.intake_channel,
            "organisation": str(organisation.pk),
            "exploitation_types": case.exploitation_types,
            "personal_fields": sorted(n for n in PERSONAL_FIELDS if getattr(profile, n) is not None),
        },
    )
    return case


@transaction.atomic
def case_update(*, case: Case, actor, changes: dict) -> Case:
    """Edit the assessment, consent, exploitation types and victim details.

    Only the assigned caseworker, while the case is in assessment or active
    (a case waiting for a decision is frozen until the approver returns it).
    """
    unknown = sorted(set(changes) - EDITABLE_CASE_FIELDS - {"victim"})
    if unknown:
        raise ValidationFailed(
            _("These fields cannot be changed here: %(f)s.") % {"f": ", ".join(unknown)},
            errors={name: [_("Unknown or read-only field.")] for name in unknown},
        )
    case = lock_case(case.pk)
    if not is_case_caseworker(actor, case) or case.assigned_to_id != actor.pk:
        raise PermissionDenied(_("Only the caseworker assigned to the case may edit it."))
    if is_erased(case):
        raise TransitionNotAllowed(_("This case's personal data was erased: it cannot be edited."))
    if case.status not in EDITABLE_STATES:
        raise TransitionNotAllowed(
            _("A case that is %(s)s cannot be edited.") % {"s": case.get_status_display().lower()}
        )
    case_fields = {k: v for k, v in changes.items() if k != "victim"}
    merged = {"consent_given": case.consent_given, "consent_date": case.consent_date, **case_fields}
    validate_case_fields(merged, creating=False, status=case.status)
    victim = changes.get("victim") or {}
    validate_victim_fields(victim, partial=True)
    if "victim" in changes and "full_name" in victim and not (victim["full_name"] or "").strip():
        raise ValidationFailed(
            _("Invalid input: victim.full_name."), errors={"victim.full_name": [_("This field is required.")]}
        )
    changed: list[str] = []
    for name, value in case_fields.items():
        if name in ("summary", "assessment_notes"):
            value = value or None
        elif name in LIST_FIELDS:
            value = sorted(set(value))
        elif name == "referring_agency":
            value = value.strip()
        if getattr(case, name) != value:
            setattr(case, name, value)
            changed.append(name)
    if changed:
        case.save()
    victim_changed: list[str] = []
    if victim:
        profile = case.victim
        victim_changed = _apply_victim(profile, victim)
        if victim_changed:
            profile.save()
    if changed or victim_changed:
        audit_record(
            action="case.updated",
            actor=actor,
            object_type="case",
            object_id=case.pk,
            payload={"reference": case.reference, "fields": sorted(changed), "victim_fields": sorted(victim_changed)},
        )
    return case


@transaction.atomic
def case_transition(*, case: Case, actor, name: str, reason: str = "") -> Case:
    """Apply one transition of DESIGN.md §3 with its rules and audit event."""
    case = lock_case(case.pk)
    refusal = transition_refusal(actor, case, name)
    if refusal is not None:
        raise refusal
    reason = clean_reason(
        reason,
        required=name in REASON_REQUIRED,
        missing=_("A reason is required for this action: %(action)s.") % {"action": TRANSITION_LABELS[name]},
    )
    from_state = case.status
    getattr(case, name)()
    payload: dict = {"reference": case.reference, "from": from_state, "to": case.status}
    now = timezone.now()
    if name == "start_assessment" and case.assigned_to_id is None:
        case.assigned_to = actor
        payload["assigned_to"] = str(actor.pk)
    if name == "submit_for_approval" and case.submitted_at is None:
        case.submitted_at = now
    if name == "approve":
        case.approved_at = now
    try:
        case.save()
    except ConcurrentTransition:
        raise ConcurrentUpdate(_("The case was changed by someone else; reload and try again.")) from None
    if name == "withdraw":
        # Apps above (the fund) cancel what hangs on the case, in this transaction.
        payload.update(run_withdrawal_hooks(case=case, actor=actor, reason=reason))
    audit_record(
        action=f"case.{name}",
        actor=actor,
        object_type="case",
        object_id=case.pk,
        payload=payload,
        reason=reason,
        reason_key=case.data_key,
    )
    return case


@transaction.atomic
def case_document_search_record(*, actor, results: int) -> None:
    """Record a search by document number: who and how many matched, never
    the number searched."""
    audit_record(
        action="case.searched", actor=actor, object_type="case", payload={"by": "document_number", "results": results}
    )


@transaction.atomic
def case_reveal_pii(*, case: Case, actor, reason: str) -> Case:
    """Record that `actor` sees the case's personal data in full, and why.

    The caller has already checked that the case is visible to the actor
    (selectors.case_get_for_user) and that the actor may reveal it.
    """
    from referrals.selectors import can_reveal

    if not can_reveal(actor, case):
        raise PermissionDenied(_("Your role may not see this case's personal data."))
    if is_erased(case):
        raise TransitionNotAllowed(_("This case's personal data was erased: there is nothing to reveal."))
    reason = clean_reason(reason, required=True, missing=_("A reason is required to reveal personal data."))
    audit_record(
        action="case.pii_revealed",
        actor=actor,
        object_type="case",
        object_id=case.pk,
        payload={"reference": case.reference, "fields": PERSONAL_FIELDS},
        reason=reason,
        reason_key=case.data_key,
    )
    return case


@transaction.atomic
def case_pii_viewed_record(*, case: Case, actor, via: str, fields: list[str] | None = None) -> None:
    """Record that a response or page (`via`) showed `actor` the case's
    personal data unmasked (DESIGN.md §7). An explicit reveal is recorded as
    `case.pii_revealed` instead; an erased case shows nothing to record.
    `fields`: what was shown, when not the victim's profile (a payee)."""
    if is_erased(case):
        return
    audit_record(
        action="case.pii_viewed",
        actor=actor,
        object_type="case",
        object_id=case.pk,
        payload={"reference": case.reference, "via": via, "fields": sorted(fields or PERSONAL_FIELDS)},
    )


ERASABLE_STATES = (CaseStatus.CLOSED, CaseStatus.WITHDRAWN, CaseStatus.REJECTED)


@transaction.atomic
def case_erase(*, case: Case, actor, reason: str) -> Case:
    """Erase a settled case's personal data for good (crypto-shredding).

    Destroys the case's data key, so every field sealed under it (the victim
    profile, notes, payee details) is unreadable in the database and in every
    backup once those backups expire, and clears the blind indexes so the
    person no longer matches in searches or duplicate detection. The case's
    reference, states, amounts and audit trail remain.
    """
    reason = clean_reason(reason, required=True, missing=_("A reason is required to erase a case."))
    case = lock_case(case.pk)
    if case.status not in ERASABLE_STATES:
        raise TransitionNotAllowed(_("Only a closed, withdrawn or rejected case can be erased."))
    if case.data_key.destroyed_at is not None:
        raise TransitionNotAllowed(_("This case's personal data is already erased."))
    VictimProfile.objects.filter(case=case).update(document_number_index=None, phone_index=None, name_dob_index=None)
    payload = {"reference": case.reference, "data_key": str(case.data_key_id)}
    payload.update(run_erase_hooks(case=case, actor=actor))
    # Stored API answers about the case (Idempotency-Key replays) go too.
    payload["idempotency_records_purged"] = idempotency_records_purge(subject_id=case.pk)
    data_key_destroy(data_key=case.data_key)
    audit_record(
        action="case.erased",
        actor=actor,
        object_type="case",
        object_id=case.pk,
        payload=payload,
        reason=reason,
    )
    return case
