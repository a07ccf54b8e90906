"""`Idempotency-Key` support for API writes (DESIGN.md §8).

    status, body, replayed = idempotent_call(
        user=request.user, key=request.headers.get("Idempotency-Key"), scope="referrals.create",
        request_body=request.data, produce=lambda: (201, {...}),
    )

The first successful (2xx) answer is stored with a hash of the request body.
The same key from the same account with the same body gets that answer back
and nothing runs again; a different body answers `idempotency_conflict`.
Failed attempts are not stored, so a corrected retry may reuse the key.
The work and the stored answer commit in one transaction, so two concurrent
requests with one key cannot both act: the second waits on the unique
constraint, then replays the first's answer.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import uuid
from collections.abc import Callable

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from rest_framework.utils.encoders import JSONEncoder

from accounts.models import IdempotencyRecord
from config.errors import IdempotencyConflict, ValidationFailed

HEADER = "Idempotency-Key"
MAX_KEY_LENGTH = 255


def request_hash(body) -> str:
    """A keyed digest of the body: the body holds personal data, and an
    unkeyed hash of low-entropy values could be confirmed by guessing."""
    canonical = json.dumps(body, cls=JSONEncoder, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    key = hashlib.sha256(b"vaf-idempotency|" + settings.SECRET_KEY.encode()).digest()
    return hmac.new(key, canonical.encode("utf-8"), hashlib.sha256).hexdigest()


def _check_key(key: str) -> None:
    if len(key) > MAX_KEY_LENGTH or not key.isascii() or not key.isprintable():
        raise ValidationFailed(
            _("The %(header)s header must be 1 to %(n)d printable ASCII characters.")
            % {"header": HEADER, "n": MAX_KEY_LENGTH},
            errors={HEADER: [_("Invalid idempotency key.")]},
        )


def _replay(record: IdempotencyRecord, body_hash: str) -> tuple[int, object, bool]:
    if record.request_hash != body_hash:
        raise IdempotencyConflict(
            _("This %(header)s was already used with a different request body.") % {"header": HEADER}
        )
    return record.response_status, record.response_body, True


def _subject_id(body) -> uuid.UUID | None:
    """The id of the object the answer created (a case), if it names one."""
    try:
        return uuid.UUID(str(body.get("id"))) if isinstance(body, dict) and body.get("id") else None
    except ValueError:
        return None


def idempotency_records_purge(*, subject_id) -> int:
    """Delete the stored answers about `subject_id` (a case being erased):
    they may carry its personal data. Runs in the caller's transaction."""
    deleted, _by_model = IdempotencyRecord.objects.filter(subject_id=subject_id).delete()
    return deleted


def _find(user, scope: str, key: str) -> IdempotencyRecord | None:
    return IdempotencyRecord.objects.filter(user=user, scope=scope, key=key).first()


def idempotent_call(
    *, user, key: str | None, scope: str, request_body, produce: Callable[[], tuple[int, object]]
) -> tuple[int, object, bool]:
    """(status, JSON body, replayed). Without a key, `produce` simply runs."""
    if key is None or key == "":
        status, body = produce()
        return status, body, False
    _check_key(key)
    body_hash = request_hash(request_body)
    record = _find(user, scope, key)
    if record is not None:
        return _replay(record, body_hash)
    try:
        with transaction.atomic():
            status, body = produce()
            body = json.loads(json.dumps(body, cls=JSONEncoder))
            if 200 <= status < 300:
                IdempotencyRecord.objects.create(
                    subject_id=_subject_id(body),
                    user=user,
                    scope=scope,
                    key=key,
                    request_hash=body_hash,
                    response_status=status,
                    response_body=body,
                )
    except IntegrityError:
        record = _find(user, scope, key)
        if record is None:
            raise
        return _replay(record, body_hash)
    return status, body, False
