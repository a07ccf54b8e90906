from django.apps import AppConfig


class ReferralsConfig(AppConfig):
    name = "referrals"
    verbose_name = "NRM referrals and cases"

    def ready(self):
        from audit.subjects import register_subject_finder
        from referrals.audit_subjects import case_subject

        register_subject_finder(case_subject)

        from accounts.home import register_home_counter
        from referrals.home_counts import case_work_waiting

        register_home_counter(case_work_waiting)
