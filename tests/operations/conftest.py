from tests.notifications.conftest import case, funded, people  # noqa: F401  (the same people and case)
