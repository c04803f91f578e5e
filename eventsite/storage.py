"""Private file storage: generated reports and import files waiting to be checked.

Files here have no public URL; they are served only by views that check the caller's role
(``eventsite.views.reports.report_download``) with download-only headers (``private_download``).
"""

from __future__ import annotations

import re

from django.core.files.storage import storages
from django.http import FileResponse


def private_storage():
    return storages["private"]


def safe_filename(name: str, fallback: str = "download") -> str:
    """An ASCII file name with no path, quote or control characters (the header must not be bent)."""
    cleaned = re.sub(r"[^A-Za-z0-9._-]+", "-", name).strip(".-")
    return cleaned[:120] or fallback


def private_download(fieldfile, filename: str, content_type: str) -> FileResponse:
    """Stream a private file as an attachment that browsers will neither sniff, render nor cache."""
    response = FileResponse(fieldfile.open("rb"), as_attachment=True, filename=safe_filename(filename),
                            content_type=content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
