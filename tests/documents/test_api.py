"""Upload, list and download through the API: encrypted at rest, judged by
content, visible to whoever sees the case, audited."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.db import connection
from PIL import Image

from audit.models import AuditEvent
from documents.models import Document
from tests.conftest import postgresql_only
from tests.documents.conftest import MARKER, content_of, jpeg_bytes_with_gps, pdf_bytes, png_bytes, upload_file


def stored_files() -> list[Path]:
    return [p for p in Path(settings.MEDIA_ROOT).rglob("*") if p.is_file()]


def every_table_text() -> bytes:
    """Every row of every table, as bytes, to search for plaintext."""
    dump = bytearray()
    with connection.cursor() as cursor:
        for model in apps.get_models():
            table = model._meta.db_table
            cursor.execute(f'SELECT * FROM "{table}"')
            for row in cursor.fetchall():
                for value in row:
                    dump += bytes(value) if isinstance(value, (bytes, memoryview)) else str(value).encode()
                    dump += b"\x00"
    return bytes(dump)


def test_a_caseworker_uploads_a_pdf_that_is_stored_only_encrypted(api, people, case):
    response = api.upload(people.caseworker, case, pdf_bytes(), name=f"invoice-{MARKER}.pdf", kind="invoice")

    assert response.status_code == 201, response.content
    body = response.json()
    assert set(body) >= {"id", "kind", "filename", "size", "content_type", "sha256", "uploaded_at", "uploaded_by"}
    assert body["kind"] == "invoice"
    assert body["filename"] == f"invoice-{MARKER}.pdf"
    assert body["content_type"] == "application/pdf"
    assert body["size"] == len(pdf_bytes())
    assert body["uploaded_by"] == people.caseworker.username
    files = stored_files()
    assert len(files) == 1
    assert all(MARKER.encode() not in f.read_bytes() and b"%PDF" not in f.read_bytes() for f in files)
    assert MARKER.encode() not in every_table_text()
    event = AuditEvent.objects.get(action="document.uploaded")
    assert event.object_id == body["id"]
    assert event.payload["kind"] == "invoice"
    assert MARKER not in str(event.payload)


def test_the_caseworker_downloads_the_same_bytes_as_an_attachment(api, people, case):
    document_id = api.upload(people.caseworker, case, pdf_bytes(padding=200_000)).json()["id"]

    response = api.download(people.caseworker, document_id)

    assert response.status_code == 200
    assert content_of(response) == pdf_bytes(padding=200_000)
    assert response["Content-Disposition"].startswith("attachment;")
    assert 'filename="receipt-ZZ-FAKE.pdf"' in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Type"] == "application/pdf"
    event = AuditEvent.objects.get(action="document.downloaded")
    assert event.object_id == document_id
    assert event.actor_id == people.caseworker.pk


def test_masked_roles_see_that_a_document_exists_but_not_its_name(api, people, case):
    document_id = api.upload(people.caseworker, case, pdf_bytes(), name=f"{MARKER}.pdf").json()["id"]

    for user in (people.approver, people.finance, people.auditor):
        listed = api.list(user, case)
        assert listed.status_code == 200
        assert [d["id"] for d in listed.json()] == [document_id]
        assert MARKER not in listed.content.decode()
        download = api.download(user, document_id)
        assert download.status_code == 200
        assert MARKER not in download["Content-Disposition"]
        assert content_of(download) == pdf_bytes()
    assert api.list(people.caseworker2, case).json()[0]["filename"] == f"{MARKER}.pdf"
    assert AuditEvent.objects.filter(action="document.downloaded").count() == 3


def test_people_who_may_not_see_the_case_get_nothing(api, people, case):
    document_id = api.upload(people.caseworker, case, pdf_bytes()).json()["id"]

    for user in (people.outsider, people.admin):
        assert api.list(user, case).status_code == 404
        response = api.download(user, document_id)
        assert response.status_code == 404
        assert response.json()["code"] == "not_found"
    assert api.download(people.intake, document_id).status_code == 404
    assert api.download(people.caseworker, "not-a-uuid").status_code == 404
    assert AuditEvent.objects.filter(action="document.downloaded").count() == 0


def test_only_caseworkers_of_the_case_may_upload(api, people, case):
    refused = api.upload(people.approver, case, pdf_bytes())
    assert refused.status_code == 403
    assert refused.json()["code"] == "permission_denied"
    assert api.upload(people.outsider, case, pdf_bytes()).status_code == 404
    assert Document.objects.count() == 0
    assert stored_files() == []


def test_uploads_need_a_login(api, case):
    response = api.client.post(f"/api/v1/cases/{case.pk}/documents/", {}, format="multipart")
    assert response.status_code == 401


LIARS = {
    "html named as a pdf": ("invoice.pdf", b"<!DOCTYPE html><html><script>alert(1)</script></html>", "application/pdf"),
    "executable named as a pdf": ("invoice.pdf", b"MZ\x90\x00\x03" + b"\x00" * 200 + b"PE\x00\x00", "application/pdf"),
    "svg named as a png": ("scan.png", b'<svg xmlns="http://www.w3.org/2000/svg"><script/></svg>', "image/png"),
    "elf binary": ("receipt.pdf", b"\x7fELF\x02\x01\x01" + b"\x00" * 200, "application/pdf"),
    "png named as a pdf": ("receipt.pdf", png_bytes(), "application/pdf"),
    "pdf named as an exe": ("receipt.exe", pdf_bytes(), "application/pdf"),
    "empty file": ("receipt.pdf", b"", "application/pdf"),
    "pdf cut short": ("receipt.pdf", pdf_bytes()[:-30], "application/pdf"),
    "png cut short": ("scan.png", png_bytes()[:60], "image/png"),
}


@pytest.mark.parametrize("case_name", sorted(LIARS))
def test_files_that_are_not_what_they_claim_are_refused(api, people, case, case_name):
    name, data, content_type = LIARS[case_name]

    response = api.upload(people.caseworker, case, data, name=name, content_type=content_type)

    assert response.status_code == 400, response.content
    assert response.json()["code"] == "validation_error"
    assert "file" in response.json()["errors"]
    assert Document.objects.count() == 0
    assert stored_files() == []


def test_a_file_over_the_limit_is_refused_while_it_arrives(api, people, case, settings):
    settings.VAF_DOCUMENT_MAX_BYTES = 4096

    response = api.upload(people.caseworker, case, pdf_bytes(padding=5000))

    assert response.status_code == 400
    assert response.json()["code"] == "validation_error"
    assert "file" in response.json()["errors"]
    assert Document.objects.count() == 0
    assert stored_files() == []
    assert api.upload(people.caseworker, case, pdf_bytes(padding=100)).status_code == 201


def test_a_body_announcing_more_than_the_limit_is_refused_before_it_is_read(api, people, case, settings):
    settings.VAF_DOCUMENT_MAX_BYTES = 1024
    response = api.upload(people.caseworker, case, pdf_bytes(padding=200_000))
    assert response.status_code == 400
    assert Document.objects.count() == 0


def test_missing_file_unknown_kind_and_foreign_payment_are_validation_errors(api, people, case, paid):
    client = api.as_user(people.caseworker)
    no_file = client.post(f"/api/v1/cases/{case.pk}/documents/", {"kind": "receipt"}, format="multipart")
    assert no_file.status_code == 400
    assert "file" in no_file.json()["errors"]
    bad_kind = api.upload(people.caseworker, case, pdf_bytes(), kind="selfie")
    assert bad_kind.status_code == 400
    assert "kind" in bad_kind.json()["errors"]
    from tests.fund.conftest import make_active_case

    other_case = make_active_case(people.caseworker, people.approver)
    foreign = api.upload(people.caseworker, other_case, pdf_bytes(), disbursement=str(paid.pk))
    assert foreign.status_code == 400
    assert "disbursement" in foreign.json()["errors"]
    assert api.upload(people.caseworker, case, pdf_bytes(), disbursement="nope").status_code == 400
    assert Document.objects.count() == 0


def test_images_are_re_encoded_without_their_metadata(api, people, case):
    png = api.upload(people.caseworker, case, png_bytes(), name="scan.png", kind="identity", content_type="image/png")
    jpeg = api.upload(
        people.caseworker, case, jpeg_bytes_with_gps(), name="photo.jpg", kind="medical", content_type="image/jpeg"
    )

    assert png.status_code == 201 and jpeg.status_code == 201
    png_out = content_of(api.download(people.caseworker, png.json()["id"]))
    jpeg_out = content_of(api.download(people.caseworker, jpeg.json()["id"]))
    assert MARKER.encode() not in png_out and MARKER.encode() not in jpeg_out
    with Image.open(io.BytesIO(png_out)) as image:
        assert image.format == "PNG" and image.size == (40, 30)
        assert "Comment" not in image.info
    with Image.open(io.BytesIO(jpeg_out)) as image:
        assert image.format == "JPEG" and image.size == (40, 30)
        assert len(image.getexif()) == 0
    assert png.json()["size"] == len(png_out)
    assert MARKER.encode() not in every_table_text()
    assert all(MARKER.encode() not in f.read_bytes() for f in stored_files())


def test_a_download_reads_whole_or_streamed(api, people, case):
    document_id = api.upload(people.caseworker, case, pdf_bytes(padding=70_000)).json()["id"]
    response = api.download(people.caseworker, document_id)
    assert response.streaming
    assert response.content == pdf_bytes(padding=70_000)
    assert response.content == pdf_bytes(padding=70_000)  # asking twice gives the same bytes


def test_session_api_upload_checks_csrf_after_installing_the_sealing_handler(people, case):
    from rest_framework.test import APIClient

    client = APIClient(enforce_csrf_checks=True)
    client.force_login(people.caseworker)
    url = f"/api/v1/cases/{case.pk}/documents/"
    body = {"file": upload_file("r.pdf", pdf_bytes()), "kind": "receipt"}
    refused = client.post(url, body, format="multipart")
    assert refused.status_code == 403
    token = client.get(f"/cases/{case.pk}/").cookies["csrftoken"].value
    body = {"file": upload_file("r.pdf", pdf_bytes()), "kind": "receipt"}
    done = client.post(url, body, format="multipart", HTTP_X_CSRFTOKEN=token)
    assert done.status_code == 201, done.content
    assert Document.objects.count() == 1


def test_a_request_body_cut_short_is_a_client_error(people, case):
    from django.test import Client

    client = Client()
    client.force_login(people.caseworker)
    boundary = "BoUnDaRy"
    full = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="kind"\r\n\r\nreceipt\r\n'
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="r.pdf"\r\n'
            "Content-Type: application/pdf\r\n\r\n"
        ).encode()
        + pdf_bytes(padding=3000)
        + f"\r\n--{boundary}--\r\n".encode()
    )
    cut = full[: len(full) // 2]
    response = client.post(
        f"/api/v1/cases/{case.pk}/documents/", data=cut, content_type=f"multipart/form-data; boundary={boundary}"
    )
    assert 400 <= response.status_code < 500
    assert Document.objects.count() == 0


@postgresql_only()
@pytest.mark.django_db(transaction=True)
def test_a_document_saved_whose_confirmation_failed_keeps_its_file(api, people, case, monkeypatch):
    """The upload committed, only the wait for the disk failed: the stored
    ciphertext must stay, or the saved document would have no content."""
    monkeypatch.setattr("config.db.postgresql.base.WAIT_FOR_DISK", "SELECT 1 / 0")
    response = api.upload(people.caseworker, case, pdf_bytes(), name="fake-invoice.pdf", kind="invoice")
    assert response.status_code == 500
    document = Document.objects.get()
    assert [path.name for path in stored_files()] == [Path(document.blob_name).name]


def test_a_refused_upload_removes_its_stored_file(api, people, case, monkeypatch):
    """And an upload that did not commit leaves no file behind."""

    def refuse(**kwargs):
        raise RuntimeError("fake failure inside the upload's transaction")

    monkeypatch.setattr("documents.services.audit_record", refuse)
    response = api.upload(people.caseworker, case, pdf_bytes(), name="fake-invoice.pdf", kind="invoice")
    assert response.status_code == 500
    assert not Document.objects.exists() and stored_files() == []
