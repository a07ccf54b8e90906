from django.core.management.base import BaseCommand, CommandError

from accounts.models import ApiToken
from accounts.services import api_token_issue
from config.errors import DomainError


class Command(BaseCommand):
    help = (
        "Issue an API token for USERNAME. The key is printed once, alone on one line; only its hash is stored. "
        "Tokens expire (default 90 days, VAF_API_TOKEN_DAYS); an intake partner's token reaches only the "
        "intake endpoints."
    )

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument(
            "--expires-in", type=int, default=None, metavar="DAYS", help="Days until the token expires."
        )
        parser.add_argument(
            "--scope",
            choices=ApiToken.Scope.values,
            default=None,
            help="full: the account's roles; intake: referrals only (default for intake partners).",
        )

    def handle(self, *args, **options):
        try:
            key = api_token_issue(
                username=options["username"], expires_in_days=options["expires_in"], scope=options["scope"]
            )
        except DomainError as exc:
            raise CommandError(exc.detail) from None
        self.stdout.write(key)
