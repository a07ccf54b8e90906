"""Every action the application records, so a filter on an action that has
not happened yet answers with no events rather than an error."""

CASE_TRANSITIONS = [
    "start_assessment",
    "submit_for_approval",
    "approve",
    "reject",
    "return_to_assessment",
    "close",
    "withdraw",
    "reopen",
]
DISBURSEMENT_TRANSITIONS = [
    "submit",
    "approve",
    "reject",
    "return_for_changes",
    "cancel",
    "pay",
    "mark_failed",
    "reconcile",
]

ACTIONS = frozenset(
    [
        "audit.checkpoint",
        "audit.cosigned",
        "audit.exported",
        "auth.api_token_issued",
        "auth.api_token_revoked",
        "auth.login",
        "auth.login_failed",
        "auth.logout",
        "case.erased",
        "case.pii_revealed",
        "case.referred",
        "case.searched",
        "case.updated",
        "disbursement.created",
        "disbursement.payee_revealed",
        "disbursement.updated",
        "export.ctdc",
        "export.htcds",
        "fund.batch_exported",
        "fund.deposit",
        "fund.statement_imported",
        "intake.spreadsheet_imported",
        "user.created",
        "user.updated",
        "vault.keys_rotated",
        *(f"case.{name}" for name in CASE_TRANSITIONS),
        *(f"disbursement.{name}" for name in DISBURSEMENT_TRANSITIONS),
    ]
)
