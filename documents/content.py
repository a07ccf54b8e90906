"""Which files are accepted, judged by their bytes (DESIGN.md §13).

PDF, PNG and JPEG only, recognised by `filetype` from the first bytes, never
from the file name or the content type the browser claims. A name whose
extension says another type is a file lying about itself and is refused.
A PDF must end with its `%%EOF` marker (a cut-off upload is refused); images
are decoded in full (a truncated image does not decode) and re-encoded with
Pillow, which drops every metadata block (EXIF with its GPS position,
comments, XMP) and anything hidden after the image data.
"""

from __future__ import annotations

import io
import re

import filetype
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

from config.errors import ValidationFailed

PDF = "application/pdf"
PNG = "image/png"
JPEG = "image/jpeg"
EXTENSIONS = {PDF: ("pdf",), PNG: ("png",), JPEG: ("jpg", "jpeg", "jpe", "jfif")}
DOWNLOAD_EXTENSION = {PDF: "pdf", PNG: "png", JPEG: "jpg"}
HEAD_BYTES = 8192  # what the sniffer needs, and more
TAIL_BYTES = 1024  # a PDF's %%EOF sits in its last bytes
MAX_IMAGE_PIXELS = 40_000_000  # a 10 MiB file may not unpack into gigabytes
_EXTENSION = re.compile(r"\.([A-Za-z0-9]{1,5})$")


def refuse(message: str) -> ValidationFailed:
    return ValidationFailed(message, errors={"file": [message]})


def sniff(*, head: bytes, tail: bytes, size: int, name: str) -> str:
    """The accepted content type of a file from its first and last bytes, or
    a ValidationFailed on `file`."""
    if size == 0:
        raise refuse(_("The file is empty."))
    kind = filetype.guess(head)
    content_type = kind.mime if kind is not None else None
    if content_type not in EXTENSIONS:
        raise refuse(_("Only PDF, PNG and JPEG files are accepted; this file's content is none of them."))
    if content_type == PDF and (not head.startswith(b"%PDF-") or b"%%EOF" not in tail):
        raise refuse(_("The PDF file is incomplete: it does not end like a PDF file."))
    match = _EXTENSION.search(name or "")
    if match and match.group(1).lower() not in EXTENSIONS[content_type]:
        raise refuse(_("The file's name says it is another type of file than its content is."))
    return content_type


def clean_image(data: bytes, content_type: str) -> bytes:
    """The image decoded and encoded again, without any metadata."""
    expected = {PNG: "PNG", JPEG: "JPEG"}[content_type]
    try:
        with Image.open(io.BytesIO(data), formats=[expected]) as image:
            width, height = image.size
            if width * height > MAX_IMAGE_PIXELS:
                raise refuse(_("The image is too large (more than 40 million pixels)."))
            image.load()
            upright = ImageOps.exif_transpose(image)  # keep the orientation EXIF said, then drop EXIF
            out = io.BytesIO()
            if expected == "PNG":
                upright.save(out, format="PNG", optimize=False)
            else:
                if upright.mode not in ("RGB", "L", "CMYK"):
                    upright = upright.convert("RGB")
                upright.save(out, format="JPEG", quality=95)
    except ValidationFailed:
        raise
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError, Image.DecompressionBombError):
        raise refuse(_("The image is damaged or incomplete and cannot be read.")) from None
    return out.getvalue()
