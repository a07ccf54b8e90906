from django.apps import AppConfig


class StandardsConfig(AppConfig):
    name = "standards"
    verbose_name = "Data standards: HTCDS and CTDC exports, spreadsheet intake"
