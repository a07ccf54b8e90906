"""Production settings refuse to start without their secrets, and pass
`check --deploy` when given them."""

import base64
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from audit import notes

ROOT = Path(__file__).resolve().parent.parent


def _key() -> str:
    return base64.b64encode(os.urandom(32)).decode()


def production_env(**overrides) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("VAF_", "DJANGO_"))}
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings",
        DJANGO_ENV="production",
        DJANGO_SECRET_KEY="x" * 64 + "-production-like-secret-for-tests",
        DJANGO_ALLOWED_HOSTS="vaf.example.org",
        VAF_MASTER_KEYS=f"mk1:{_key()}",
        VAF_BLIND_INDEX_KEY=_key(),
        VAF_AUDIT_LOG_ORIGIN="vaf.example.org/audit",
        VAF_AUDIT_CHECKPOINT_DIR=tempfile.gettempdir(),
        VAF_AUDIT_VERIFIER_KEY=notes.signer_generate("vaf.example.org/audit").verifier.vkey,
    )
    for name, value in overrides.items():
        if value is None:
            env.pop(name, None)
        else:
            env[name] = value
    return env


def _manage(*args, env):
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )


@pytest.mark.parametrize(
    "missing",
    [
        "DJANGO_SECRET_KEY",
        "DJANGO_ALLOWED_HOSTS",
        "VAF_MASTER_KEYS",
        "VAF_BLIND_INDEX_KEY",
        "VAF_AUDIT_LOG_ORIGIN",
        "VAF_AUDIT_CHECKPOINT_DIR",
        "VAF_AUDIT_VERIFIER_KEY",
    ],
)
def test_production_refuses_to_start_without(missing):
    result = _manage("check", env=production_env(**{missing: None}))
    assert result.returncode != 0
    assert missing in result.stderr


def test_production_refuses_malformed_vault_keys():
    result = _manage("check", env=production_env(VAF_MASTER_KEYS="mk1:not-base64!"))
    assert result.returncode != 0
    assert "VAF_MASTER_KEYS" in result.stderr and "base64" in result.stderr


def test_production_names_a_missing_checkpoint_directory_at_start_up(tmp_path):
    result = _manage("check", env=production_env(VAF_AUDIT_CHECKPOINT_DIR=str(tmp_path / "absent")))
    assert result.returncode != 0 and "audit.E001" in result.stderr


def test_the_signer_refuses_to_run_in_production_without_its_key(tmp_path):
    result = _manage("audit_checkpoint", env=production_env(VAF_AUDIT_SIGNING_KEY=None))
    assert result.returncode != 0 and "VAF_AUDIT_SIGNING_KEY is not set" in result.stderr


def test_check_deploy_warns_when_the_web_process_holds_the_signing_key():
    result = _manage("check", "--deploy", "--fail-level", "WARNING", env=production_env(VAF_AUDIT_SIGNING_KEY=_key()))
    assert result.returncode != 0 and "audit.W001" in result.stderr


def test_check_deploy_is_clean_with_production_settings():
    result = _manage("check", "--deploy", "--fail-level", "WARNING", env=production_env())
    assert result.returncode == 0, result.stderr + result.stdout


def test_password_hashing_is_argon2_and_bodies_are_capped():
    import config.settings as configured  # the module's values, not the test overrides

    assert configured.PASSWORD_HASHERS[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"
    assert configured.DATA_UPLOAD_MAX_MEMORY_SIZE == 64 * 1024
