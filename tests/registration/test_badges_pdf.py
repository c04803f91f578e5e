import contextlib
import io
import subprocess
from pathlib import Path

import pytest
import zxingcpp
from PIL import Image

from registration.models import Badge, BadgeLayout, Registration
from registration.services import badges, pdf, tokens
from tests.factories import DAY1, DAY3

from .factories_checkin import CheckinRegistrationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_key_cache():
    tokens.forget_cached_keys()
    yield
    tokens.forget_cached_keys()


def pdf_text(data: bytes, tmp_path: Path) -> str:
    path = tmp_path / "badge.pdf"
    path.write_bytes(data)
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, check=True,
                          text=True).stdout


def page_count(data: bytes, tmp_path: Path) -> int:
    path = tmp_path / "pages.pdf"
    path.write_bytes(data)
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, check=True, text=True).stdout
    return int(next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")))


def decode_qrs(data: bytes, tmp_path: Path, page: int = 1, dpi: int = 150) -> list[str]:
    path = tmp_path / "render.pdf"
    path.write_bytes(data)
    png = subprocess.run(["pdftoppm", "-r", str(dpi), "-f", str(page), "-l", str(page), "-png", str(path)],
                         capture_output=True, check=True).stdout
    return [r.text for r in zxingcpp.read_barcodes(Image.open(io.BytesIO(png)))
            if r.format == zxingcpp.BarcodeFormat.QRCode]


def test_single_badge_text_and_qr_round_trip(tmp_path):
    reg = CheckinRegistrationFactory(full_name="Nguyễn Thị Ngọc Huyền", company="Hợp tác xã Tôm lúa Thới Bình",
                                     role="speaker")
    data = badges.render_badge_pdf(reg)
    assert data.startswith(b"%PDF")
    assert page_count(data, tmp_path) == 1
    text = pdf_text(data, tmp_path)
    assert "Nguyễn Thị Ngọc Huyền" in text
    assert "Hợp tác xã Tôm lúa Thới Bình" in text
    assert "DIỄN GIẢ" in text or "SPEAKER" in text  # the role word, not only its colour
    assert f"{DAY1:%d/%m/%Y} – {DAY3:%d/%m/%Y}" in text
    assert reg.event.name in " ".join(text.split())
    codes = decode_qrs(data, tmp_path)
    assert len(codes) == 1
    assert tokens.verify(codes[0], event_id=reg.event_id).badge_id == Badge.objects.get(registration=reg).pk


def test_qr_version_is_4_at_level_l():
    reg = CheckinRegistrationFactory()
    code = badges.token_for(badges.ensure_badge(reg))
    assert pdf.qr_version(code) == 4


def test_long_names_shrink_to_fit():
    pdf.register_fonts()
    long_name = "Tôn Nữ Thị Phương Thảo Nguyên Hạnh Phúc Ngọc Trâm Quỳnh Như"
    lines, size = pdf.fit_text(long_name, pdf.BOLD, 60 * 2.83, 20, 10)
    assert size < 20
    assert all(pdf.pdfmetrics.stringWidth(line, pdf.BOLD, size) <= 60 * 2.83 for line in lines)
    short_lines, short_size = pdf.fit_text("Lê Hà", pdf.BOLD, 60 * 2.83, 20, 10)
    assert short_lines == ["Lê Hà"] and short_size == 20


@pytest.mark.parametrize(("layout", "per_page"), [(BadgeLayout.A4_8XA7, 8), (BadgeLayout.A4_4XA6, 4)])
def test_sheet_layouts_page_count_and_every_qr_decodes(tmp_path, layout, per_page):
    first = CheckinRegistrationFactory()
    for _ in range(per_page):
        CheckinRegistrationFactory(event=first.event)
    regs = Registration.objects.filter(event=first.event).order_by("pk")
    out = io.BytesIO()
    count = pdf.write_badges(layout, pdf.iter_badge_data(regs), out)
    data = out.getvalue()
    assert count == per_page + 1
    assert page_count(data, tmp_path) == 2
    codes = decode_qrs(data, tmp_path, page=1, dpi=200)
    assert len(codes) == per_page
    badge_ids = {tokens.verify(c, event_id=first.event_id).badge_id for c in codes}
    assert badge_ids == set(Badge.objects.filter(registration__in=list(regs)[:per_page]).values_list("pk", flat=True))
    text = pdf_text(data, tmp_path)
    assert "Trần Thị Ánh Nguyệt" in text


def test_fast_reed_solomon_matches_qrcode():
    import random

    import qrcode
    from qrcode import util

    from registration.services import qr

    rng = random.Random(7)
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
    for length in [1, 20, 57, 100, 113, 114]:
        token = "".join(rng.choice(alphabet) for _ in range(length))
        reference = qrcode.QRCode(version=4, error_correction=qrcode.constants.ERROR_CORRECT_L)
        reference.add_data(token)
        assert qr.create_data(4, reference.error_correction, reference.data_list) == util.create_data(
            4, reference.error_correction, reference.data_list)
        ours, theirs = qr.build(token), qrcode.QRCode(version=4, error_correction=qrcode.constants.ERROR_CORRECT_L,
                                                       border=0, mask_pattern=0)
        theirs.add_data(token)
        theirs.make(fit=False)
        assert ours.modules == theirs.modules


def test_sheets_merge_chunks_into_one_pdf_with_every_page(tmp_path, monkeypatch):
    """Bulk sheets are drawn a chunk at a time by plain reportlab canvases and merged (pypdf): the result is one
    valid PDF whose pages keep their badges across chunk boundaries, fonts and QR codes included."""
    monkeypatch.setattr(pdf, "CHUNK_BADGES", 8)  # 17 badges → chunks of 8, 8 and 1
    first = CheckinRegistrationFactory()
    for _ in range(16):
        CheckinRegistrationFactory(event=first.event, full_name="Đặng Thị Hồng Nhung")
    regs = Registration.objects.filter(event=first.event).order_by("pk")
    out = io.BytesIO()
    seen = []
    count = pdf.write_badges(BadgeLayout.A4_8XA7, pdf.iter_badge_data(regs), out, title="Hội nghị OCOP",
                             progress=seen.append, every=5)
    data = out.getvalue()
    assert count == 17 and seen == [5, 10, 15, 17]
    assert data.startswith(b"%PDF-") and data.rstrip().endswith(b"%%EOF")
    assert page_count(data, tmp_path) == 3
    check = subprocess.run(["pdftotext", str(tmp_path / "pages.pdf"), "-"], capture_output=True, text=True)
    assert check.returncode == 0 and "Error" not in check.stderr, check.stderr
    assert "Đặng Thị Hồng Nhung" in check.stdout  # Be Vietnam Pro kept through the merge
    info = subprocess.run(["pdffonts", str(tmp_path / "pages.pdf")], capture_output=True, text=True).stdout
    assert "BeVietnamPro" in info
    badge_ids = set()
    for page, expected in ((1, 8), (2, 8), (3, 1)):
        codes = decode_qrs(data, tmp_path, page=page, dpi=200)
        assert len(codes) == expected
        badge_ids |= {tokens.verify(c, event_id=first.event_id).badge_id for c in codes}
        assert all(len(tokens.decode(c)) - len(tokens.payload(tokens.parse(c)[0])) == 64 for c in codes)
    assert badge_ids == set(Badge.objects.filter(event=first.event).values_list("pk", flat=True))


def test_volumes_hold_at_most_max_pages(tmp_path, monkeypatch):
    monkeypatch.setattr(pdf, "CHUNK_BADGES", 4)
    first = CheckinRegistrationFactory()
    for _ in range(8):
        CheckinRegistrationFactory(event=first.event)
    regs = Registration.objects.filter(event=first.event).order_by("pk")
    files: dict[int, io.BytesIO] = {}

    def open_volume(n):
        files[n] = io.BytesIO()
        return contextlib.nullcontext(files[n])

    count, volumes = pdf.write_badge_volumes(BadgeLayout.A6_SINGLE, pdf.iter_badge_data(regs), open_volume,
                                             max_pages=4)
    assert (count, volumes) == (9, 3)
    assert [page_count(files[n].getvalue(), tmp_path) for n in (1, 2, 3)] == [4, 4, 1]
    assert len(decode_qrs(files[3].getvalue(), tmp_path)) == 1


def test_no_badges_is_one_blank_page(tmp_path):
    out = io.BytesIO()
    assert pdf.write_badges(BadgeLayout.A4_8XA7, [], out) == 0
    assert page_count(out.getvalue(), tmp_path) == 1
