"""The HTTP answer that carries a document: an attachment the browser saves,
never renders (so a hostile file cannot run as a page of this site)."""

from __future__ import annotations

from django.http import StreamingHttpResponse

from documents.selectors import download_name, names_visible
from documents.services import Download


class DocumentResponse(StreamingHttpResponse):
    """Streams the document. A client that asks for the whole `content`
    (test clients, small tools) gets it joined; servers stream it."""

    @property
    def content(self) -> bytes:
        data = b"".join(self.streaming_content)
        self.streaming_content = [data]
        return data


def attachment_response(user, download: Download) -> StreamingHttpResponse:
    document = download.document
    response = DocumentResponse(download.chunks, content_type=document.content_type)
    name = download_name(document, visible=names_visible(user, document.case))
    response.headers["Content-Disposition"] = _disposition(name)
    response.headers["Content-Length"] = str(document.size)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "sandbox; default-src 'none'"
    response.headers["Cache-Control"] = "no-store, private"
    return response


def _disposition(name: str) -> str:
    from urllib.parse import quote

    ascii_name = "".join(c if 32 <= ord(c) < 127 and c not in '"\\;' else "_" for c in name) or "document"
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name, safe='')}"
