"""System checks for the transparency log: a missing checkpoint directory or
verifier key is an error when the process starts, never a silent pass."""

from django.conf import settings
from django.core import checks


@checks.register(checks.Tags.security)
def check_audit_log(app_configs, **kwargs):
    from audit.checkpoints import CheckpointKeyError, checkpoint_dir, log_verifier

    if not getattr(settings, "PRODUCTION", False):
        return []
    errors = []
    for probe, check_id in ((checkpoint_dir, "audit.E001"), (log_verifier, "audit.E002")):
        try:
            probe()
        except CheckpointKeyError as exc:
            errors.append(checks.Error(str(exc), id=check_id))
    return errors


@checks.register(checks.Tags.security, deploy=True)
def check_signing_key_not_in_web_process(app_configs, **kwargs):
    if getattr(settings, "VAF_AUDIT_SIGNING_KEY", ""):
        return [
            checks.Warning(
                "VAF_AUDIT_SIGNING_KEY is set in this process: the web process should hold only "
                "VAF_AUDIT_VERIFIER_KEY; give the signing key to the signer (manage.py audit_checkpoint) alone.",
                id="audit.W001",
            )
        ]
    return []
