import getpass
import sys

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from accounts.roles import Role
from accounts.services import user_create
from config.errors import DomainError


class Command(BaseCommand):
    help = (
        "Create a user with one or more roles: create_user USERNAME --role ROLE [--role ROLE ...]. "
        "The operator's bootstrap tool (shell access on the server): recorded in the audit log, and it "
        "refuses the forbidden role combinations like every other way of granting roles."
    )

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--role", action="append", required=True, choices=Role.values)
        parser.add_argument("--organisation", default=None, help="Organisation name (created if new).")
        parser.add_argument("--email", default="")
        parser.add_argument("--password-stdin", action="store_true", help="Read the password from standard input.")

    def handle(self, *args, **options):
        if options["password_stdin"]:
            password = sys.stdin.readline().rstrip("\n")
        else:
            password = getpass.getpass("Password: ")
            if password != getpass.getpass("Password (again): "):
                raise CommandError("The passwords do not match.")
        if not password:
            raise CommandError("A password is required.")
        try:
            user = user_create(
                username=options["username"],
                roles=options["role"],
                organisation_name=options["organisation"] or settings.VAF_INTAKE_ORGANISATION,
                password=password,
                email=options["email"],
                via="create_user command",
            )
        except DomainError as exc:
            raise CommandError(exc.detail) from None
        self.stdout.write(f"Created user {user.username} ({', '.join(options['role'])}) in {user.organisation}.")
