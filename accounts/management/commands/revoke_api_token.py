from django.core.management.base import BaseCommand, CommandError

from accounts.models import ApiToken
from accounts.services import api_token_revoke


class Command(BaseCommand):
    help = "List a user's API tokens (prefix only), or revoke one by its prefix: revoke_api_token USERNAME [PREFIX]."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("prefix", nargs="?")

    def handle(self, *args, **options):
        tokens = ApiToken.objects.filter(user__username=options["username"]).order_by("-created_at")
        if not options["prefix"]:
            for token in tokens:
                state = f"revoked {token.revoked_at:%Y-%m-%d}" if token.revoked_at else "active"
                expires = f"expires {token.expires_at:%Y-%m-%d}" if token.expires_at else "no expiry"
                self.stdout.write(
                    f"{token.prefix}  created {token.created_at:%Y-%m-%d}  {expires}  {token.scope}  {state}"
                )
            return
        token = tokens.filter(prefix=options["prefix"], revoked_at__isnull=True).first()
        if token is None:
            raise CommandError("No active token with that prefix for that user.")
        api_token_revoke(token=token, actor=None)
        self.stdout.write(f"Revoked token {token.prefix}… of {options['username']}.")
