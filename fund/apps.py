from django.apps import AppConfig


class FundConfig(AppConfig):
    name = "fund"
    verbose_name = "Victims Assistance Fund"

    def ready(self):
        from audit.subjects import register_related_objects
        from fund import case_hooks
        from fund.selectors import disbursement_ids_for_case
        from referrals.hooks import (
            register_case_page_section,
            register_close_blocker,
            register_next_step,
            register_withdrawal_hook,
        )

        register_withdrawal_hook(case_hooks.cancel_open_disbursements)
        register_close_blocker(case_hooks.open_disbursements_block_closing)
        register_case_page_section(case_hooks.payments_section)
        register_next_step(case_hooks.request_payment_step)

        from accounts.home import register_home_counter
        from fund.home_counts import payment_work_waiting

        register_home_counter(payment_work_waiting)
        register_related_objects(disbursement_ids_for_case)
