"""Stored idempotent answers name the object they created, so erasing a case
purges them (they may carry its personal data)."""

import uuid

from django.db import migrations, models


def fill_subject(apps, schema_editor):
    Record = apps.get_model("accounts", "IdempotencyRecord")
    for record in Record.objects.all().iterator():
        body = record.response_body
        try:
            subject = uuid.UUID(str(body.get("id"))) if isinstance(body, dict) and body.get("id") else None
        except ValueError:
            subject = None
        if subject is not None:
            Record.objects.filter(pk=record.pk).update(subject_id=subject)


class Migration(migrations.Migration):
    dependencies = [("accounts", "0003_idempotency_record")]

    operations = [
        migrations.AddField(
            model_name="idempotencyrecord",
            name="subject_id",
            field=models.UUIDField(blank=True, db_index=True, null=True),
        ),
        migrations.RunPython(fill_subject, migrations.RunPython.noop),
    ]
