from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand

from accounts.roles import Role, forbidden_role_combination


class Command(BaseCommand):
    help = (
        "List accounts holding a forbidden role combination (admin or auditor with any other role, "
        "approver with finance). Exits 1 when there are any, so a scheduler can alert on it."
    )

    def handle(self, *args, **options):
        users = get_user_model().objects.prefetch_related("groups").order_by("username")
        conflicts = 0
        for user in users:
            roles = sorted(g.name for g in user.groups.all() if g.name in Role.values)
            problem = forbidden_role_combination(roles)
            if problem:
                conflicts += 1
                state = "active" if user.is_active else "inactive"
                self.stdout.write(f"{user.username}\t{','.join(roles)}\t{state}\t{problem}")
        if conflicts:
            self.stderr.write(f"{conflicts} account(s) hold a forbidden role combination.")
            raise SystemExit(1)
        self.stdout.write("No account holds a forbidden role combination.")
