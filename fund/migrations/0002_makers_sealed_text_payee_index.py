"""Makers of a payment request, its free text sealed under the case's data
key, and a blind index of the payee's IBAN.

Justifications and approval comments written before this migration are
sealed in place (approvals are append-only: their triggers are lifted for
that one update and put back). Existing creators and submitters become
maker rows.
"""

import uuid

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models

import vault.fields
from audit.append_only import InstallAppendOnlyTriggers, trigger_sql


def _seal(row, field_name: str, text: str, data_key) -> bytes:
    """What vault.fields.EncryptedField.seal would store for `row`."""
    from vault import aead
    from vault.services import data_key_unwrap

    context = f"vaf|fund.{row._meta.model_name}|{field_name}|{row.pk}".encode()
    return aead.encrypt(data_key_unwrap(data_key), data_key.id, text.encode("utf-8"), context)


def forwards(apps, schema_editor):
    from vault.models import DataKey

    Disbursement = apps.get_model("fund", "Disbursement")
    Approval = apps.get_model("fund", "Approval")
    Maker = apps.get_model("fund", "DisbursementMaker")
    keys: dict = {}

    def key_of(case_id):
        if case_id not in keys:
            case = apps.get_model("referrals", "Case").objects.get(pk=case_id)
            keys[case_id] = DataKey.objects.get(pk=case.data_key_id)
        return keys[case_id]

    User = apps.get_model(*settings.AUTH_USER_MODEL.split("."))
    usernames = dict(User.objects.values_list("pk", "username"))
    for d in Disbursement.objects.all().iterator():
        for user_id, role in ((d.requested_by_id, "creator"), (d.submitted_by_id, "submitter")):
            if user_id:
                Maker.objects.create(disbursement_id=d.pk, user_id=user_id, username=usernames[user_id], role=role)
        key = key_of(d.case_id)
        if d.justification_plain and key.destroyed_at is None:
            sealed = _seal(d, "justification", d.justification_plain, key)
            Disbursement.objects.filter(pk=d.pk).update(justification=sealed)
    table = Approval._meta.db_table
    create, drop = trigger_sql(schema_editor.connection.vendor, table)
    rows = [a for a in Approval.objects.exclude(comment_plain="") if a.comment_plain]
    if not rows:
        return
    for statement in drop:
        schema_editor.execute(statement, params=None)
    for a in rows:
        d = Disbursement.objects.get(pk=a.disbursement_id)
        key = key_of(d.case_id)
        if key.destroyed_at is None:
            Approval.objects.filter(pk=a.pk).update(comment=_seal(a, "comment", a.comment_plain, key))
    for statement in create:
        schema_editor.execute(statement, params=None)


class Migration(migrations.Migration):
    dependencies = [
        ("fund", "0001_initial"),
        ("referrals", "0002_list_order_indexes"),
        ("vault", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="DisbursementMaker",
            fields=[
                ("id", models.UUIDField(default=uuid.uuid4, editable=False, primary_key=True, serialize=False)),
                ("username", models.CharField(max_length=150)),
                (
                    "role",
                    models.CharField(
                        choices=[("creator", "Created it"), ("editor", "Edited it"), ("submitter", "Submitted it")],
                        max_length=16,
                        verbose_name="role",
                    ),
                ),
                ("fields", models.JSONField(blank=True, default=list)),
                ("created_at", models.DateTimeField(default=django.utils.timezone.now)),
                (
                    "disbursement",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT, related_name="makers", to="fund.disbursement"
                    ),
                ),
                (
                    "user",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT, related_name="+", to=settings.AUTH_USER_MODEL
                    ),
                ),
            ],
            options={
                "verbose_name": "payment request maker",
                "ordering": ["created_at"],
                "indexes": [models.Index(fields=["disbursement", "user"], name="maker_disbursement_user")],
            },
        ),
        InstallAppendOnlyTriggers("DisbursementMaker"),
        migrations.AddField(
            model_name="disbursement",
            name="payee_account_index",
            field=vault.fields.BlindIndexField(normaliser="account", source=("payee_account",)),
        ),
        migrations.RenameField(model_name="disbursement", old_name="justification", new_name="justification_plain"),
        migrations.AddField(
            model_name="disbursement", name="justification", field=vault.fields.EncryptedField(blank=True, null=True)
        ),
        migrations.RenameField(model_name="approval", old_name="comment", new_name="comment_plain"),
        migrations.AddField(
            model_name="approval", name="comment", field=vault.fields.EncryptedField(blank=True, null=True)
        ),
        migrations.RunPython(forwards, migrations.RunPython.noop),
        migrations.RemoveField(model_name="disbursement", name="justification_plain"),
        migrations.RemoveField(model_name="approval", name="comment_plain"),
    ]
