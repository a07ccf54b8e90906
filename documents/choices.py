from django.db import models
from django.utils.translation import gettext_lazy as _


class DocumentKind(models.TextChoices):
    IDENTITY = "identity", _("Identity document")
    CONSENT_FORM = "consent_form", _("Consent form")
    MEDICAL = "medical", _("Medical document")
    INVOICE = "invoice", _("Invoice")
    RECEIPT = "receipt", _("Receipt")
    BANK_STATEMENT = "bank_statement", _("Bank statement")
    OTHER = "other", _("Other")
