from django.core.management.base import BaseCommand, CommandError

from audit.checkpoints import ChainNotIntact, CheckpointKeyError, audit_checkpoint_create, public_key_text


class Command(BaseCommand):
    help = "Sign the audit chain head with the Ed25519 key from VAF_AUDIT_SIGNING_KEY."

    def add_arguments(self, parser):
        parser.add_argument("--public-key", action="store_true", help="Only print the public key to publish.")

    def handle(self, *args, **options):
        try:
            if options["public_key"]:
                self.stdout.write(public_key_text())
                return
            checkpoint = audit_checkpoint_create()
        except (CheckpointKeyError, ChainNotIntact) as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(
            f"Checkpoint signed at event #{checkpoint.head_seq} {checkpoint.head_hash} "
            f"with public key {checkpoint.public_key}."
        )
