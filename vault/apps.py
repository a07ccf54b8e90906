from django.apps import AppConfig
from django.conf import settings


class VaultConfig(AppConfig):
    name = "vault"
    verbose_name = "Vault (field encryption)"

    def ready(self) -> None:
        from vault import checks  # noqa: F401  (registers the system checks)
        from vault.keyring import keyring

        if getattr(settings, "PRODUCTION", False):
            # Refuse to start with malformed keys rather than fail on first use.
            keyring()
