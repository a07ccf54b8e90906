"""Builders for document tests: people, an active case with a paid payment,
and real PDF, PNG and JPEG files carrying a marker string."""

from __future__ import annotations

import io

import pytest
from PIL import Image
from PIL.PngImagePlugin import PngInfo
from rest_framework.test import APIClient

from tests.fund.conftest import deposit, drive, make_active_case, make_people, request_payment

MARKER = "ZZ-FAKE-MARKER-4242"


def pdf_bytes(marker: str = MARKER, padding: int = 0) -> bytes:
    """A small valid PDF whose page says `marker`; `padding` bytes of comment
    make it span several 64 KiB chunks."""
    content = f"BT /F1 12 Tf 20 100 Td ({marker}) Tj ET".encode()
    body = b"%PDF-1.4\n"
    body += b"%" + b"x" * padding + b"\n" if padding else b""
    body += b"1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n"
    body += b"2 0 obj << /Type /Pages /Kids [3 0 R] /Count 1 >> endobj\n"
    body += b"3 0 obj << /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] /Contents 4 0 R >> endobj\n"
    body += b"4 0 obj << /Length %d >> stream\n" % len(content) + content + b"\nendstream endobj\n"
    body += b"trailer << /Root 1 0 R >>\n%%EOF\n"
    return body


def png_bytes(marker: str = MARKER) -> bytes:
    info = PngInfo()
    info.add_text("Comment", marker)
    out = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 30, 30)).save(out, format="PNG", pnginfo=info)
    return out.getvalue()


def jpeg_bytes_with_gps(marker: str = MARKER) -> bytes:
    exif = Image.Exif()
    exif[0x010E] = marker  # ImageDescription
    exif[0x8825] = {1: "N", 2: (24.0, 42.0, 0.0), 3: "E", 4: (46.0, 43.0, 0.0)}  # GPS IFD
    out = io.BytesIO()
    Image.new("RGB", (40, 30), (30, 200, 30)).save(out, format="JPEG", exif=exif)
    return out.getvalue()


def upload_file(name: str, data: bytes, content_type: str = "application/octet-stream"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, data, content_type=content_type)


class Api:
    def __init__(self) -> None:
        self.client = APIClient()

    def as_user(self, user) -> APIClient:
        self.client.force_authenticate(user)
        return self.client

    def upload(self, user, case, data: bytes, name="receipt-ZZ-FAKE.pdf", kind="receipt", **extra):
        body = {"file": upload_file(name, data, extra.pop("content_type", "application/pdf")), "kind": kind, **extra}
        return self.as_user(user).post(f"/api/v1/cases/{case.pk}/documents/", body, format="multipart")

    def list(self, user, case):
        return self.as_user(user).get(f"/api/v1/cases/{case.pk}/documents/")

    def download(self, user, document_id):
        return self.as_user(user).get(f"/api/v1/documents/{document_id}/download/")


def content_of(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


@pytest.fixture
def people(db):
    return make_people()


@pytest.fixture
def case(people):
    return make_active_case(people.caseworker, people.approver)


@pytest.fixture
def api():
    return Api()


@pytest.fixture
def paid(people, case):
    deposit(people.finance)
    return drive(request_payment(case, people.caseworker), people, "paid")
