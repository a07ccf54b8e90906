from django.core.management.base import BaseCommand, CommandError

from audit.verification import verify_chain


class Command(BaseCommand):
    help = "Recompute the audit hash chain and check the signed checkpoints. Exit 0 when intact."

    def handle(self, *args, **options):
        result = verify_chain()
        if result.ok:
            self.stdout.write(
                f"Audit log intact: {result.checked} events, head #{result.head_seq} "
                f"{result.head_hash}, {result.checkpoints_checked} checkpoints verified."
            )
            return
        raise CommandError(
            f"Audit log verification FAILED at seq {result.first_bad_seq}: {result.problem} "
            f"({result.detail}). {result.checked} events verified before it."
        )
