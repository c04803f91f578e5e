"""Real file contents for upload tests."""

from __future__ import annotations

import io

from PIL import Image


def pdf_bytes(text: str = "Biên bản ghi nhớ") -> bytes:
    from reportlab.pdfgen import canvas

    buf = io.BytesIO()
    c = canvas.Canvas(buf)
    c.drawString(72, 720, text.encode("ascii", "replace").decode())
    c.save()
    return buf.getvalue()


def png_bytes(color=(11, 92, 138)) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (40, 30), color).save(buf, format="PNG")
    return buf.getvalue()


def jpeg_bytes() -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 10, 10)).save(buf, format="JPEG")
    return buf.getvalue()


# The start of a Windows executable: "MZ" header and the DOS stub message.
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 44 + \
    b"This program cannot be run in DOS mode.\r\r\n$" + b"\x00" * 200
