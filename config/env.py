"""Reading configuration from the environment.

One settings module is driven by environment variables (see `.env.example`).
Outside production, variables missing from the environment are read from the
ignored development file `var/dev.env`, which `make run` / `make test` write
with freshly generated development keys.
"""

from __future__ import annotations

import os
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured


def read_env_file(path: Path) -> dict[str, str]:
    """Parse a simple KEY=VALUE file (comments and blank lines ignored)."""
    values: dict[str, str] = {}
    if not path.exists():
        return values
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        key, _, value = line.partition("=")
        values[key.strip()] = value.strip().strip('"').strip("'")
    return values


class Environment:
    def __init__(self, *, fallback: dict[str, str] | None = None) -> None:
        self.fallback = fallback or {}

    def str(self, name: str, default: str | None = None) -> str | None:
        value = os.environ.get(name)
        if value is None or value == "":
            value = self.fallback.get(name) or default
        return value

    def required(self, name: str, why: str) -> str:
        value = self.str(name)
        if not value:
            raise ImproperlyConfigured(
                f"The environment variable {name} must be set in production ({why}). See .env.example."
            )
        return value

    def bool(self, name: str, default: bool = False) -> bool:
        value = self.str(name)
        if value is None:
            return default
        if value.lower() in {"1", "true", "yes", "on"}:
            return True
        if value.lower() in {"0", "false", "no", "off"}:
            return False
        raise ImproperlyConfigured(f"{name} must be true or false, not {value!r}.")

    def int(self, name: str, default: int) -> int:
        value = self.str(name)
        if value is None:
            return default
        try:
            return int(value)
        except ValueError:
            raise ImproperlyConfigured(f"{name} must be a whole number, not {value!r}.") from None

    def list(self, name: str, default: str = "") -> list[str]:
        value = self.str(name, default) or ""
        return [item.strip() for item in value.split(",") if item.strip()]
