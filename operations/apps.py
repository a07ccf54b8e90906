from django.apps import AppConfig


class OperationsConfig(AppConfig):
    """Project-wide operational commands (benchmarks, drills): above every domain app."""

    name = "operations"
    verbose_name = "Operations"
