from django.core import checks

from vault.errors import VaultKeyError
from vault.keyring import keyring


@checks.register(checks.Tags.security, deploy=True)
def check_vault_keys(app_configs, **kwargs):
    try:
        keyring()
    except VaultKeyError as exc:
        return [checks.Error(str(exc), id="vault.E001")]
    return []
