from django.contrib.auth.hashers import Argon2PasswordHasher


class TestArgon2PasswordHasher(Argon2PasswordHasher):
    """Argon2id at a test-sized cost (the production cost is Django's default)."""

    time_cost = 1
    memory_cost = 64
    parallelism = 1
