"""The roles of DESIGN.md §1, held as Django groups.

Groups are created by a migration and, because a test flush or a fresh
database may have removed them, again on demand by `ensure_role_groups`.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext
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


# Roles that defeat the controls when one person holds them together (DESIGN §1):
# an administrator could grant themself anything, an auditor would check their
# own work, and an approver who also pays would need nobody else.
EXCLUSIVE_ROLES = (Role.ADMIN, Role.AUDITOR)
FORBIDDEN_PAIRS = ((Role.APPROVER, Role.FINANCE),)


def forbidden_role_combination(roles) -> str | None:
    """Why this set of roles may not be held together, or None if it may."""
    held = set(roles)
    for role in EXCLUSIVE_ROLES:
        if role in held and len(held) > 1:
            return gettext("The %(role)s role cannot be combined with any other role.") % {"role": role.value}
    for first, second in FORBIDDEN_PAIRS:
        if first in held and second in held:
            return gettext("The %(first)s and %(second)s roles cannot be held together.") % {
                "first": first.value,
                "second": second.value,
            }
    return None
