from django.apps import AppConfig


class DocumentsConfig(AppConfig):
    name = "documents"
    verbose_name = "Supporting documents"

    def ready(self):
        from audit.subjects import register_related_objects
        from documents import registrations
        from fund.hooks import register_evidence_provider, register_reconcile_check
        from referrals.hooks import register_case_page_section, register_erase_hook

        register_erase_hook(registrations.erase_case_documents)
        register_case_page_section(registrations.documents_section)
        register_reconcile_check(registrations.receipt_required_for_reconcile)
        register_evidence_provider(registrations.disbursement_documents)
        register_related_objects(registrations.document_ids_for_case)
