"""Demo data: an organisation, one user per role, a funded fund and cases in
every state. All names and numbers are obviously fake. Safe to run twice."""

from __future__ import annotations

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from demo import fund as fund_demo
from demo import referrals as referrals_demo
from demo.users import DEMO_PASSWORD, demo_users


class Command(BaseCommand):
    help = "Create demo users, a funded fund and cases in every state (idempotent)."

    def handle(self, *args, **options):
        if settings.PRODUCTION:
            raise CommandError("seed_demo refuses to run in production: it creates users with a published password.")
        users = demo_users()
        referrals_demo.seed(users=users, stdout=self.stdout)
        fund_demo.seed(users=users, stdout=self.stdout)  # needs the active cases above
        self._checkpoint()
        self.stdout.write(f"Demo logins (password for all: {DEMO_PASSWORD}):")
        for username, user in users.items():
            roles = ", ".join(sorted(user.groups.values_list("name", flat=True)))
            self.stdout.write(f"  {username:<12} {roles}")

    def _checkpoint(self) -> None:
        """Sign a first checkpoint of the demo's log, as the scheduler would, so
        the verification page and the log's API have one to show."""
        from audit.checkpoints import ChainNotIntact, CheckpointKeyError, audit_checkpoint_create, checkpoint_dir

        try:
            checkpoint = audit_checkpoint_create()
        except (CheckpointKeyError, ChainNotIntact) as exc:
            self.stdout.write(f"No audit checkpoint signed: {exc}")
            return
        self.stdout.write(f"Audit checkpoint signed at tree size {checkpoint.head_seq}, written to {checkpoint_dir()}.")
