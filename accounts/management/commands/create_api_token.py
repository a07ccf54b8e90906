from django.core.management.base import BaseCommand, CommandError

from accounts.services import api_token_issue
from config.errors import DomainError


class Command(BaseCommand):
    help = "Issue an API token for USERNAME. The key is printed once, alone on one line; only its hash is stored."

    def add_arguments(self, parser):
        parser.add_argument("username")

    def handle(self, *args, **options):
        try:
            key = api_token_issue(username=options["username"])
        except DomainError as exc:
            raise CommandError(exc.detail) from None
        self.stdout.write(key)
