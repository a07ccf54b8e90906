from django.core.management.base import BaseCommand, CommandError

from config.errors import DomainError
from referrals.models import Case
from referrals.services import case_erase


class Command(BaseCommand):
    help = (
        "Erase a closed, withdrawn or rejected case's personal data for good (destroys its data key). "
        "erase_case REFERENCE --reason TEXT"
    )

    def add_arguments(self, parser):
        parser.add_argument("reference")
        parser.add_argument("--reason", required=True, help="Why (e.g. the erasure request's reference).")

    def handle(self, *args, **options):
        case = Case.objects.select_related("data_key").filter(reference=options["reference"]).first()
        if case is None:
            raise CommandError("No case with that reference.")
        try:
            case_erase(case=case, actor=None, reason=options["reason"])
        except DomainError as exc:
            raise CommandError(exc.detail) from None
        self.stdout.write(f"Personal data of {case.reference} erased; its data key is destroyed.")
