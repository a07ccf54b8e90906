from django.db import transaction

from audit.models import AuditEvent
from audit.services import audit_record


def test_records_event(db):
    with transaction.atomic():
        event = audit_record(action="test.event", payload={"n": 1})
    assert AuditEvent.objects.get(seq=event.seq).hash == event.hash
