"""What the case page shows: the profile (in full, masked or erased), the
assessment, possible duplicates, the timeline from the audit log, and the
workflow buttons the viewer may use now."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

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
from referrals.hooks import case_page_sections
from referrals.models import PERSONAL_FIELDS
from referrals.permissions import TRANSITION_LABELS

ACTION_LABELS = {
    "case.referred": _("Referral received"),
    "case.updated": _("Details edited"),
    "case.pii_revealed": _("Personal data revealed"),
    "case.start_assessment": _("Assessment started"),
    "case.submit_for_approval": _("Submitted for approval"),
    "case.approve": _("Approved"),
    "case.reject": _("Rejected"),
    "case.return_to_assessment": _("Returned to assessment"),
    "case.close": _("Closed"),
    "case.withdraw": _("Withdrawn"),
    "case.reopen": _("Reopened"),
}
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


def _victim_rows(case, *, visible: bool) -> list[dict]:
    values = victim_view(case, visible=visible)
    rows = []
    for name, label in VICTIM_LABELS:
        value = values.get(name)
        if name in CHOICE_LABELS and value:
            value = CHOICE_LABELS[name].get(value, value)
        rows.append({"name": name, "label": label, "value": value, "personal": name in PERSONAL})
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
                "label": ACTION_LABELS.get(event.action, event.action),
                "from": statuses.get(payload.get("from")),
                "to": statuses.get(payload.get("to")),
                "reason": event.reason,
                "fields": [*payload.get("fields", []), *payload.get("victim_fields", [])]
                if event.action in ("case.updated",)
                else [],
            }
        )
    return entries


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
            }
        )
    return buttons


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
        "transitions": _transitions(available, failed_transition),
        "transition_error": error,
        "can_reveal": selectors.can_reveal(user, case) and not visible,
        "reveal_form": reveal_form or ReasonForm(auto_id="id_reveal_%s"),
        "can_edit": selectors.can_edit(user, case),
        "case_sections": section_templates,
        **section_context,
    }
