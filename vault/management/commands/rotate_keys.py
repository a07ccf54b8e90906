from django.core.management.base import BaseCommand, CommandError

from vault.errors import VaultError
from vault.keyring import keyring
from vault.services import data_keys_rotate


class Command(BaseCommand):
    help = (
        "Rewrap every data key under the active (first) master key of VAF_MASTER_KEYS, in "
        "batches; each batch is audited, and an interrupted run can simply be started again."
    )

    def add_arguments(self, parser):
        parser.add_argument("--batch-size", type=int, default=500)

    def handle(self, *args, **options):
        if options["batch_size"] < 1:
            raise CommandError("--batch-size must be at least 1.")
        try:
            active = keyring().active_master_key_id
            count = data_keys_rotate(batch_size=options["batch_size"])
        except VaultError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(f"Rewrapped {count} data keys under master key '{active}'.")
