from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from audit import notes
from audit.checkpoints import ChainNotIntact, CheckpointKeyError, audit_checkpoint_cosign


class Command(BaseCommand):
    help = (
        "Co-sign the newest checkpoint as a witness, with an auditor's own key "
        "(a signer key file, PRIVATE+KEY+name+keyid+base64); or --generate NAME prints a new key pair."
    )

    def add_arguments(self, parser):
        parser.add_argument("--key-file", help="File holding the witness's signer key.")
        parser.add_argument("--generate", metavar="NAME", help="Print a new witness signer key and its verifier key.")

    def handle(self, *args, **options):
        try:
            if options["generate"]:
                signer = notes.signer_generate(options["generate"])
                self.stdout.write(f"signer key (keep it to yourself): {signer.skey}")
                self.stdout.write(f"verifier key (add to VAF_AUDIT_WITNESS_KEYS): {signer.verifier.vkey}")
                return
            if not options["key_file"]:
                raise CommandError("Give --key-file PATH (or --generate NAME).")
            signer = notes.parse_signer(Path(options["key_file"]).read_text(encoding="utf-8"))
            cosignature = audit_checkpoint_cosign(signer=signer)
        except (notes.NoteError, OSError, CheckpointKeyError, ChainNotIntact) as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(
            f"Checkpoint of size {cosignature.checkpoint.head_seq} co-signed by {cosignature.key_name} "
            f"({cosignature.key_id})."
        )
