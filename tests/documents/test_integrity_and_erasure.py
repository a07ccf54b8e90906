"""A stored document that was altered is never served, and is named and
audited; an erased case's documents are gone for good."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError

from audit.models import AuditEvent
from documents.models import Document
from referrals.services import case_erase, case_transition
from tests.documents.conftest import content_of, pdf_bytes
from vault.streaming import CHUNK_SIZE, HEADER_SIZE

RECORD = 12 + CHUNK_SIZE + 16


def blob_path(document_id) -> Path:
    return Path(settings.MEDIA_ROOT) / Document.objects.get(pk=document_id).blob_name


def flip(data: bytes, at: int) -> bytes:
    return data[:at] + bytes([data[at] ^ 0x01]) + data[at + 1 :]


TAMPERING = {
    "flipped header byte": lambda b: flip(b, 2),
    "flipped nonce byte": lambda b: flip(b, HEADER_SIZE + 3),
    "flipped ciphertext byte": lambda b: flip(b, HEADER_SIZE + 5000),
    "flipped tag byte": lambda b: flip(b, len(b) - 1),
    "chunks swapped": lambda b: (
        b[:HEADER_SIZE]
        + b[HEADER_SIZE + RECORD : HEADER_SIZE + 2 * RECORD]
        + b[HEADER_SIZE : HEADER_SIZE + RECORD]
        + b[HEADER_SIZE + 2 * RECORD :]
    ),
    "last chunk dropped": lambda b: b[: HEADER_SIZE + 2 * RECORD],
    "truncated mid-chunk": lambda b: b[: len(b) - 100],
    "chunk added": lambda b: (
        b[: HEADER_SIZE + RECORD] + b[HEADER_SIZE : HEADER_SIZE + RECORD] + b[HEADER_SIZE + RECORD :]
    ),
    "emptied": lambda b: b"",
}


@pytest.mark.parametrize("how", sorted(TAMPERING))
def test_an_altered_stored_file_is_refused_named_and_audited(api, people, case, how):
    document_id = api.upload(people.caseworker, case, pdf_bytes(padding=150_000)).json()["id"]  # three chunks
    path = blob_path(document_id)
    path.write_bytes(TAMPERING[how](path.read_bytes()))

    response = api.download(people.caseworker, document_id)

    assert response.status_code == 409
    assert not getattr(response, "streaming", False)
    body = response.json()
    assert body["code"] == "integrity_error"
    assert document_id in body["detail"]
    event = AuditEvent.objects.get(action="document.integrity_failed")
    assert event.object_id == document_id
    assert not AuditEvent.objects.filter(action="document.downloaded").exists()


def test_a_chunk_from_another_document_does_not_authenticate(api, people, case):
    first = api.upload(people.caseworker, case, pdf_bytes(padding=10)).json()["id"]
    second = api.upload(people.caseworker, case, pdf_bytes(padding=10)).json()["id"]
    blob_path(second).write_bytes(blob_path(first).read_bytes())

    assert api.download(people.caseworker, first).status_code == 200
    assert api.download(people.caseworker, second).status_code == 409


def test_a_missing_stored_file_is_an_integrity_error_not_a_crash(api, people, case):
    document_id = api.upload(people.caseworker, case, pdf_bytes()).json()["id"]
    blob_path(document_id).unlink()
    response = api.download(people.caseworker, document_id)
    assert response.status_code == 409
    assert response.json()["code"] == "integrity_error"


def test_verify_documents_names_the_damaged_ones(api, people, case, capsys):
    good = api.upload(people.caseworker, case, pdf_bytes()).json()["id"]
    call_command("verify_documents")
    assert "1 documents intact" in capsys.readouterr().out

    bad = api.upload(people.caseworker, case, pdf_bytes()).json()["id"]
    path = blob_path(bad)
    path.write_bytes(flip(path.read_bytes(), 40))
    with pytest.raises(CommandError) as failure:
        call_command("verify_documents")
    assert failure.value.returncode == 1
    err = capsys.readouterr().err
    assert bad in err and good not in err
    assert AuditEvent.objects.filter(action="document.integrity_failed", object_id=bad).exists()


def test_erasing_the_case_destroys_its_documents(api, people, case):
    document_id = api.upload(people.caseworker, case, pdf_bytes(), name="consent-ZZ.pdf", kind="consent_form").json()[
        "id"
    ]
    path = blob_path(document_id)
    case_transition(case=case, actor=people.caseworker, name="close", reason="Fake: assistance ended")

    case_erase(case=case, actor=None, reason="Fake erasure request")

    assert not path.exists()
    document = Document.objects.get(pk=document_id)
    assert document.erased_at is not None and document.blob_name == ""
    assert document.__dict__["filename"] is None and document.__dict__["content_key"] is None
    response = api.download(people.caseworker, document_id)
    assert response.status_code == 410
    assert response.json()["code"] == "gone"
    listed = api.list(people.caseworker, case).json()
    assert listed[0]["erased"] is True and listed[0]["filename"] is None and listed[0]["download_url"] is None
    erased = AuditEvent.objects.get(action="case.erased")
    assert erased.payload["documents_erased"] == 1
    refused = api.upload(people.caseworker, case, pdf_bytes())
    assert refused.status_code == 409


def test_downloads_of_a_case_whose_data_key_is_gone_answer_gone(api, people, case):
    document_id = api.upload(people.caseworker, case, pdf_bytes()).json()["id"]
    from vault.services import data_key_destroy

    data_key_destroy(data_key=case.data_key)  # as if the key went without the erase hook
    assert api.download(people.caseworker, document_id).status_code == 410
    assert content_of(api.list(people.caseworker, case)) != b""


def test_a_cases_audit_history_includes_its_documents(api, people, case):
    from audit.subjects import history_object_ids

    document_id = api.upload(people.caseworker, case, pdf_bytes()).json()["id"]
    assert document_id in history_object_ids(str(case.pk))


def test_the_restore_drill_opens_a_stored_document(api, people, case):
    from documents.restore_check import open_one_document

    assert open_one_document() == (True, "documents: none stored")
    document_id = api.upload(people.caseworker, case, pdf_bytes()).json()["id"]
    ok, message = open_one_document()
    assert ok and document_id in message
    path = blob_path(document_id)
    path.write_bytes(flip(path.read_bytes(), 50))
    ok, message = open_one_document()
    assert not ok and document_id in message
