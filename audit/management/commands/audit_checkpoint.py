from django.core.management.base import BaseCommand, CommandError

from audit.checkpoints import (
    ChainNotIntact,
    CheckpointKeyError,
    audit_checkpoint_create,
    checkpoint_file_name,
    checkpoint_files_recover,
    checkpoint_note,
    public_key_text,
)


class Command(BaseCommand):
    help = (
        "Sign the audit log's Merkle tree as a C2SP checkpoint with VAF_AUDIT_SIGNING_KEY, "
        "store it and write it to VAF_AUDIT_CHECKPOINT_DIR. Run by the scheduler, never by the web process."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--public-key", action="store_true", help="Only print the verifier key to publish (name+keyid+base64)."
        )

    def handle(self, *args, **options):
        try:
            if options["public_key"]:
                self.stdout.write(public_key_text())
                return
            for path in checkpoint_files_recover():
                self.stdout.write(f"Named {path.name}: its checkpoint was committed, its file was still pending.")
            checkpoint = audit_checkpoint_create()
        except (CheckpointKeyError, ChainNotIntact) as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(
            f"Checkpoint signed at event #{checkpoint.head_seq} (tree size {checkpoint.head_seq}, "
            f"root {checkpoint.root_hash}), written to {checkpoint_file_name(checkpoint.head_seq)}:\n"
            f"{checkpoint_note(checkpoint)}"
        )
