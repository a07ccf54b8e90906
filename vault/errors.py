"""Vault errors. Their messages name keys and fields, never values."""


class VaultError(Exception):
    pass


class VaultKeyError(VaultError):
    """A key is missing or malformed in the environment."""


class VaultIntegrityError(VaultError):
    """A ciphertext or wrapped key does not authenticate: wrong key, tampered
    bytes, or a value moved to another row or column."""


class DataKeyDestroyed(VaultError):
    """The case's data key was destroyed (crypto-shredding): the data is gone."""
