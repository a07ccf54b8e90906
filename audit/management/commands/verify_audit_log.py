from django.core.management.base import BaseCommand, CommandError

from audit.log_verification import verify_log


class Command(BaseCommand):
    help = (
        "Verify the audit log: the hash chain, the Merkle tree, the checkpoint rows and the checkpoint files. "
        "Starts from the newest verified checkpoint; --full replays every event. Exit 0 when intact."
    )

    def add_arguments(self, parser):
        parser.add_argument("--full", action="store_true", help="Replay every event from the first.")

    def handle(self, *args, **options):
        result = verify_log(full=options["full"])
        if result.ok:
            since = f" since the verified checkpoint of size {result.from_size}" if result.from_size else ""
            witnesses = ", ".join(result.witnesses) or "none of the known witnesses"
            self.stdout.write(
                f"Audit log intact: {result.checked} events{since}, head #{result.head_seq} "
                f"{result.head_hash}, tree root {result.root}, {result.checkpoints_checked} checkpoints verified, "
                f"{result.checkpoint_files_checked} checkpoint files verified; newest checkpoint "
                f"co-signed by {witnesses}."
            )
            return
        raise CommandError(
            f"Audit log verification FAILED at seq {result.first_bad_seq}: {result.problem} "
            f"({result.detail}). {result.checked} events verified before it."
        )
