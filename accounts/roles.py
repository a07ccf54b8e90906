"""The roles of DESIGN.md §1, held as Django groups.

Groups are created by a migration and, because a test flush or a fresh
database may have removed them, again on demand by `ensure_role_groups`.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    CASEWORKER = "caseworker", _("Caseworker")
    APPROVER = "approver", _("Fund approver")
    FINANCE = "finance", _("Finance officer")
    AUDITOR = "auditor", _("Auditor")
    ADMIN = "admin", _("Administrator")
    INTAKE_PARTNER = "intake_partner", _("Intake partner")


def ensure_role_groups() -> None:
    from django.contrib.auth.models import Group

    for role in Role.values:
        Group.objects.get_or_create(name=role)


def user_roles(user) -> frozenset[str]:
    """The role names a user holds (cached on the user object for the request)."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return frozenset()
    cached = getattr(user, "_vaf_roles", None)
    if cached is None:
        cached = frozenset(user.groups.filter(name__in=Role.values).values_list("name", flat=True))
        user._vaf_roles = cached
    return cached
