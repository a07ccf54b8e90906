"""Who may use the standards' exports and the spreadsheet intake."""

from __future__ import annotations

from accounts.roles import Role, user_roles

EXPORT_ROLES = {Role.APPROVER, Role.AUDITOR}


def may_export(user) -> bool:
    return bool(user_roles(user) & EXPORT_ROLES)


def may_import_spreadsheet(user) -> bool:
    return Role.CASEWORKER in user_roles(user) and bool(user.organisation_id)
