"""What the case page shows: the profile (in full, masked or erased), the
assessment, possible duplicates, the timeline from the audit log, and the
workflow buttons the viewer may use now."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from audit.labels import action_label, field_label
from config.formats import country_name, format_date
from referrals import permissions, selectors
from referrals.choices import (
    AgeBand,
    AssistanceCategory,
    CaseStatus,
    DocumentType,
    ExploitationType,
    MethodOfControl,
    RecruitmentMethod,
    RiskLevel,
    Sex,
    SupportType,
)
from referrals.disclosure import case_text, victim_view
from referrals.forms import ReasonForm
from referrals.hooks import case_page_sections, next_steps
from referrals.models import PERSONAL_FIELDS
from referrals.permissions import TRANSITION_LABELS

VICTIM_LABELS = [
    ("full_name", _("Full name")),
    ("other_names", _("Other names or aliases")),
    ("date_of_birth", _("Date of birth")),
    ("age_band", _("Age band")),
    ("sex", _("Sex")),
    ("nationality", _("Nationality")),
    ("document_type", _("Identity document")),
    ("document_number", _("Document number")),
    ("phone", _("Phone")),
    ("address", _("Address")),
    ("next_of_kin", _("Next of kin")),
    ("region", _("Region")),
]
CHOICE_LABELS = {
    "sex": dict(Sex.choices),
    "age_band": dict(AgeBand.choices),
    "document_type": dict(DocumentType.choices),
}
PERSONAL = set(PERSONAL_FIELDS)
# Values read left to right whatever the page's direction.
LTR_FIELDS = {"phone", "document_number"}


def _is_iso_date(value) -> bool:
    text = str(value)
    return len(text) == 10 and text[4] == "-" and text[7] == "-" and text.replace("-", "").isdigit()


def _victim_rows(case, *, visible: bool) -> list[dict]:
    values = victim_view(case, visible=visible)
    rows = []
    for name, label in VICTIM_LABELS:
        value = values.get(name)
        if name in CHOICE_LABELS and value:
            value = CHOICE_LABELS[name].get(value, value)
        elif name == "nationality" and value:
            value = country_name(value)
        elif name == "date_of_birth" and value and _is_iso_date(value):
            value = format_date(value)
        rows.append(
            {"name": name, "label": label, "value": value, "personal": name in PERSONAL, "ltr": name in LTR_FIELDS}
        )
    return rows


def _timeline(case) -> list[dict]:
    statuses = dict(CaseStatus.choices)
    entries = []
    for event in selectors.case_timeline(case=case):
        payload = event.payload or {}
        entries.append(
            {
                "at": event.occurred_at,
                "actor": event.actor_username,
                "label": action_label(event.action),
                "from": statuses.get(payload.get("from")),
                "to": statuses.get(payload.get("to")),
                "reason": event.reason,
                "fields": [field_label(f) for f in (*payload.get("fields", []), *payload.get("victim_fields", []))]
                if event.action in ("case.updated",)
                else [],
            }
        )
    return entries


# The step forward in the workflow: shown first and most prominently.
FORWARD = ("start_assessment", "submit_for_approval", "approve", "reopen")
CONFIRM = {
    "approve": _("Approve this case for the fund's assistance?"),
    "reject": _("Reject this case? The fund will not assist this person."),
    "close": _("Close this case? Assistance ends and no more payments can be requested."),
    "withdraw": _("Withdraw this case? Its open payment requests are cancelled."),
}
MULTIPLE_CHOICE = {"exploitation_types", "needs"}


def _missing_before_submission(case, *, can_edit: bool) -> list[dict]:
    """What the caseworker must still record before submitting, with a link
    to the field in the assessment form."""
    if case.status != CaseStatus.IN_ASSESSMENT:
        return []
    edit = reverse("referrals:assessment_edit", args=[case.pk]) if can_edit else ""
    rows = []
    for field, message in permissions.submission_checklist(case):
        anchor = f"#id_{field}_0" if field in MULTIPLE_CHOICE else f"#id_{field}"
        rows.append({"field": field, "message": message, "url": f"{edit}{anchor}" if edit else ""})
    return rows


def _waiting_note(case, *, works: bool, available: list[str]) -> str:
    """For the caseworker, what the case waits for when nothing is theirs to do."""
    if works and case.status == CaseStatus.PENDING_APPROVAL and "approve" not in available:
        return str(_("Submitted: the case waits for a fund approver's decision."))
    if works and case.status == CaseStatus.REFERRED and "start_assessment" not in available:
        return str(_("The referral waits for a caseworker to start the assessment."))
    return ""


def _transitions(available: list[str], failed) -> list[dict]:
    failed_name, failed_form, failed_detail = failed or (None, None, None)
    buttons = []
    for name in available:
        form = failed_form if name == failed_name else ReasonForm(auto_id=f"id_{name}_%s")
        buttons.append(
            {
                "name": name,
                "label": TRANSITION_LABELS[name],
                "reason_required": name in permissions.REASON_REQUIRED,
                "form": form,
                "error": failed_detail if name == failed_name else None,
                "primary": name in FORWARD,
                "confirm": CONFIRM.get(name, ""),
            }
        )
    # The step forward comes first; Close and Withdraw come last.
    return sorted(buttons, key=lambda button: not button["primary"])


CODED_LIST_LABELS = (
    ("methods_of_control", MethodOfControl),
    ("recruitment_methods", RecruitmentMethod),
    ("support_types", SupportType),
)


def _coded_rows(case) -> list[tuple[str, str]]:
    """The coded assessment fields that have a value, as (label, shown value)."""
    rows = []
    for name in ("trafficking_status", "status_decided_by", "relationship_to_trafficker"):
        if getattr(case, name):
            rows.append((case._meta.get_field(name).verbose_name, getattr(case, f"get_{name}_display")()))
    for name, choices in CODED_LIST_LABELS:
        labels = dict(choices.choices)
        if getattr(case, name):
            shown = ", ".join(str(labels.get(v, v)) for v in getattr(case, name))
            rows.append((case._meta.get_field(name).verbose_name, shown))
    if case.age_when_trafficked is not None:
        rows.append((case._meta.get_field("age_when_trafficked").verbose_name, str(case.age_when_trafficked)))
    return [(str(label).capitalize(), value) for label, value in rows]


def case_page_context(request, case, *, pii_visible=None, reveal_form=None, failed_transition=None) -> dict:
    user = request.user
    if selectors.is_summary_only(user, case):
        return {"case": case, "summary_only": True}
    works = selectors.works_the_case(user, case)
    visible = works or bool(pii_visible)
    available = permissions.available_transitions(user, case)
    # A refusal of a transition not offered (any more) is shown above the buttons.
    error = failed_transition[2] if failed_transition and failed_transition[0] not in available else None
    exploitation = dict(ExploitationType.choices)
    needs = dict(AssistanceCategory.choices)
    section_templates, section_context = case_page_sections(request, case)
    can_edit = selectors.can_edit(user, case)
    transitions = _transitions(available, failed_transition)
    return {
        "case": case,
        "summary_only": False,
        "pii_visible": visible,
        "works_the_case": works,
        "victim_rows": _victim_rows(case, visible=visible),
        "summary": case_text(case, "summary", visible=visible),
        "notes": case_text(case, "assessment_notes", visible=visible),
        "exploitation_types": [exploitation.get(t, t) for t in case.exploitation_types],
        "needs": [needs.get(n, n) for n in case.needs],
        "risk_level": dict(RiskLevel.choices).get(case.risk_level, ""),
        "coded_rows": _coded_rows(case),
        "duplicates": selectors.possible_duplicates(user=user, case=case),
        "timeline": _timeline(case),
        "transitions": transitions,
        "primary_actions": [t for t in transitions if t["primary"]],
        "other_actions": [t for t in transitions if not t["primary"]],
        "waiting_note": _waiting_note(case, works=works, available=available),
        "transition_error": error,
        "can_reveal": selectors.can_reveal(user, case) and not visible,
        "reveal_form": reveal_form or ReasonForm(auto_id="id_reveal_%s"),
        "can_edit": can_edit,
        "missing": _missing_before_submission(case, can_edit=can_edit) if works else [],
        "next_steps": next_steps(request, case),
        "case_sections": section_templates,
        **section_context,
    }
