"""Human labels for what the audit log records: actions, object types and
the names of changed fields, in the reader's language.

The codes (`disbursement.return_for_changes`) stay in the log, the API and
the exports; pages show the label ("Returned for changes") and keep the code
beside it where an auditor needs it. Apps above `audit` add labels for their
own actions and fields through the registries here, from `AppConfig.ready()`.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

_ACTIONS = {
    "audit.checkpoint": _("Audit checkpoint signed"),
    "audit.exported": _("Audit log exported"),
    "auth.api_token_issued": _("API token issued"),
    "auth.api_token_revoked": _("API token revoked"),
    "auth.login": _("Signed in"),
    "auth.login_failed": _("Sign-in failed"),
    "auth.logout": _("Signed out"),
    "case.erased": _("Personal data erased"),
    "case.pii_revealed": _("Personal data revealed"),
    "case.pii_viewed": _("Personal data viewed"),
    "case.referred": _("Referral received"),
    "case.searched": _("Cases searched by document number"),
    "case.updated": _("Details edited"),
    "case.start_assessment": _("Assessment started"),
    "case.submit_for_approval": _("Submitted for approval"),
    "case.approve": _("Case approved"),
    "case.reject": _("Case rejected"),
    "case.return_to_assessment": _("Returned to assessment"),
    "case.close": _("Case closed"),
    "case.withdraw": _("Case withdrawn"),
    "case.reopen": _("Case reopened"),
    "disbursement.created": _("Payment request created"),
    "disbursement.updated": _("Payment request edited"),
    "disbursement.payee_revealed": _("Payee details revealed"),
    "disbursement.submit": _("Payment request submitted"),
    "disbursement.approve": _("Payment request approved"),
    "disbursement.reject": _("Payment request rejected"),
    "disbursement.return_for_changes": _("Payment request returned for changes"),
    "disbursement.cancel": _("Payment request cancelled"),
    "disbursement.pay": _("Payment made"),
    "disbursement.mark_failed": _("Payment failed"),
    "disbursement.reconcile": _("Payment reconciled"),
    "fund.batch_exported": _("Bank payment batch downloaded"),
    "fund.deposit": _("Deposit recorded"),
    "fund.statement_imported": _("Bank statement imported"),
    "user.created": _("User created"),
    "user.updated": _("User changed"),
    "vault.keys_rotated": _("Encryption keys rotated"),
    "access.denied": _("Access refused"),
    "document.downloaded": _("Document downloaded"),
    "export.htcds": _("HTCDS export"),
    "export.ctdc": _("CTDC export"),
    "access_change.requested": _("Access change requested"),
    "access_change.approved": _("Access change approved"),
    "access_change.rejected": _("Access change rejected"),
    "auth.api_token_expired": _("API token expired"),
    "auth.mfa_device_removed": _("Second-factor device removed"),
    "auth.mfa_enrolled": _("Second factor set up"),
    "auth.mfa_failed": _("Second-factor code refused"),
    "auth.mfa_reset": _("Second factor reset"),
    "auth.mfa_verified": _("Second factor verified"),
    "auth.password_changed": _("Password changed"),
    "auth.password_set": _("Password set"),
    "auth.recovery_code_used": _("Recovery code used"),
    "auth.recovery_codes_regenerated": _("New recovery codes issued"),
    "auth.set_password_link_issued": _("Set-password link issued"),
    "auth.set_password_link_refused": _("Set-password link refused"),
    "auth.token_rejected": _("API token refused"),
    "document.uploaded": _("Document added"),
    "document.integrity_failed": _("Document failed its integrity check"),
    "intake.spreadsheet_imported": _("Referrals imported from a spreadsheet"),
}
_OBJECT_TYPES = {
    "audit": _("Audit log"),
    "case": _("Case"),
    "disbursement": _("Payment request"),
    "fund": _("Fund"),
    "user": _("User"),
    "vault": _("Encryption keys"),
    "document": _("Document"),
    "access_change": _("Access change"),
    "audit_log": _("Audit log"),
    "export": _("Export"),
    "intake": _("Spreadsheet intake"),
}
_FIELDS = {
    "referring_agency": _("Referring agency"),
    "exploitation_types": _("Exploitation types"),
    "consent_given": _("Consent"),
    "consent_date": _("Consent date"),
    "needs": _("Needs"),
    "risk_level": _("Risk level"),
    "assessment_notes": _("Assessment notes"),
    "summary": _("Summary"),
    "full_name": _("Full name"),
    "other_names": _("Other names or aliases"),
    "date_of_birth": _("Date of birth"),
    "age_band": _("Age band"),
    "sex": _("Sex"),
    "nationality": _("Nationality"),
    "document_type": _("Identity document"),
    "document_number": _("Document number"),
    "phone": _("Phone"),
    "address": _("Address"),
    "next_of_kin": _("Next of kin"),
    "region": _("Region"),
    "category": _("Category"),
    "amount": _("Amount"),
    "payee_type": _("Payee type"),
    "payee_name": _("Payee name"),
    "payee_account": _("Payee account"),
    "justification": _("Justification"),
}


def register_action_labels(labels: dict) -> None:
    """Labels for actions an app records (code -> lazy translated label)."""
    _ACTIONS.update(labels)


def register_field_labels(labels: dict) -> None:
    _FIELDS.update(labels)


def _humanised(code: str) -> str:
    return code.rsplit(".", 1)[-1].replace("_", " ").capitalize()


def action_label(code: str | None) -> str:
    if not code:
        return ""
    return str(_ACTIONS.get(code) or _humanised(code))


def object_type_label(code: str | None) -> str:
    if not code:
        return ""
    return str(_OBJECT_TYPES.get(code) or _humanised(code))


def field_label(name: str | None) -> str:
    if not name:
        return ""
    return str(_FIELDS.get(name) or _humanised(name))


def known_action_labels() -> list[tuple[str, str]]:
    """(code, label) of every labelled action, for filter menus."""
    return sorted(((code, str(label)) for code, label in _ACTIONS.items()), key=lambda row: row[1])
