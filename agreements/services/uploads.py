"""The scan of a signed agreement: PDF, JPEG or PNG judged by content (never by name), size-capped, hashed."""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass

from django.core.files.base import ContentFile
from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError

from eventsite.errors import DomainError

MAX_SCAN_BYTES = 10 * 1024 * 1024
TYPES = {"application/pdf": "pdf", "image/jpeg": "jpg", "image/png": "png"}


class InvalidScan(DomainError):
    code = "invalid_scan"


@dataclass(frozen=True)
class CheckedScan:
    content: bytes
    content_type: str
    extension: str
    sha256: str
    original_name: str

    @property
    def size(self) -> int:
        return len(self.content)

    @property
    def storage_name(self) -> str:
        """Content-addressed: the same file uploaded twice is stored once."""
        return f"{self.sha256[:2]}/{self.sha256}.{self.extension}"

    def as_file(self) -> ContentFile:
        return ContentFile(self.content, name=self.storage_name)


def sniff(content: bytes) -> str | None:
    """The content type the bytes really are (of the three we accept), or None."""
    if content.startswith(b"%PDF-"):
        return "application/pdf"
    if content.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if content.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    return None


def _check_pdf(content: bytes) -> None:
    # A complete PDF ends with %%EOF (possibly followed by a newline or a little padding).
    if b"%%EOF" not in content[-1024:]:
        raise InvalidScan(_("The PDF file is incomplete or damaged (no end-of-file marker)."))


def _check_image(content: bytes, expected: str) -> None:
    try:
        with Image.open(io.BytesIO(content)) as image:
            fmt = image.format
            image.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise InvalidScan(_("The image file is damaged or not a real JPEG/PNG image."))
    if {"JPEG": "image/jpeg", "PNG": "image/png"}.get(fmt or "") != expected:
        raise InvalidScan(_("The image format does not match its content."))


def safe_filename(name: str, extension: str) -> str:
    """A download name with no path, quotes or control characters, ending in the REAL extension."""
    base = (name or "").replace("\\", "/").rsplit("/", 1)[-1]
    base = base.rsplit(".", 1)[0] if "." in base else base
    cleaned = "".join(c if (c.isalnum() or c in " -_()") else "_" for c in base).strip(" ._") or "scan"
    return f"{cleaned[:80]}.{extension}"


def check_scan(upload) -> CheckedScan:
    """Read an uploaded file and accept it only if it is a real PDF, JPEG or PNG within the size cap."""
    size = getattr(upload, "size", None)
    if size is not None and size > MAX_SCAN_BYTES:
        raise InvalidScan(_("The file is too large: at most %(mb)d MB.") % {"mb": MAX_SCAN_BYTES // (1024 * 1024)},
                          code="scan_too_large")
    chunks, total = [], 0
    for chunk in upload.chunks() if hasattr(upload, "chunks") else [upload.read()]:
        total += len(chunk)
        if total > MAX_SCAN_BYTES:
            raise InvalidScan(
                _("The file is too large: at most %(mb)d MB.") % {"mb": MAX_SCAN_BYTES // (1024 * 1024)},
                code="scan_too_large",
            )
        chunks.append(chunk)
    content = b"".join(chunks)
    if not content:
        raise InvalidScan(_("The file is empty."), code="scan_empty")
    content_type = sniff(content)
    if content_type is None:
        raise InvalidScan(_("Only PDF, JPEG or PNG files are accepted (checked by their content, not their name)."),
                          code="scan_type")
    if content_type == "application/pdf":
        _check_pdf(content)
    else:
        _check_image(content, content_type)
    extension = TYPES[content_type]
    return CheckedScan(
        content=content,
        content_type=content_type,
        extension=extension,
        sha256=hashlib.sha256(content).hexdigest(),
        original_name=safe_filename(getattr(upload, "name", "") or "", extension),
    )
