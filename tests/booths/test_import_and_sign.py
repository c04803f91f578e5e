"""CSV import (preview then apply) and the printable booth sign (parsed back: text and QR)."""

from __future__ import annotations

import re
import subprocess
import tempfile
from pathlib import Path

import pytest
from django.urls import reverse

from booths.models import Booth, Hall, Zone
from booths.services import booking as svc
from booths.services.floorplan import import_booths, parse_booths_csv
from eventsite.models import EventRole
from tests.factories import EventFactory, user_with_role

from .factories import BoothFactory, HallFactory, exhibitor

pytestmark = pytest.mark.django_db

GOOD = """hall,zone,zone_theme,code,type,x,y,w,h,price
Nhà A,Khu thực phẩm,food,A-01,corner,0,0,3,3,7500000
Nhà A,Khu thực phẩm,food,A-02,standard,3,0,3,3,6000000
Nhà B,,,N-01,outdoor,0,0,3,3,4000000
"""


def test_preview_then_import_creates_halls_zones_booths_and_updates_by_code():
    event = EventFactory()
    preview = parse_booths_csv(GOOD)
    assert preview.ok
    assert import_booths(event=event, preview=preview) == (3, 0)
    assert sorted(Hall.objects.values_list("name", flat=True)) == ["Nhà A", "Nhà B"]
    assert Zone.objects.get().theme_group == "food"
    changed = GOOD.replace("A-02,standard,3,0,3,3,6000000", "A-02,double,3,0,6,3,12000000")
    assert import_booths(event=event, preview=parse_booths_csv(changed)) == (0, 3)
    booth = Booth.objects.get(code="A-02")
    assert (booth.kind, booth.w, booth.price) == ("double", 6.0, 12_000_000)


@pytest.mark.parametrize("bad, code_hint", [
    ("Nhà A,,,A-01,standard,0,0,3,3,1\nNhà A,,,A-01,standard,9,0,3,3,1", "A-01"),  # duplicate code
    ("Nhà A,,,A-01,standard,0,0,3,3,1\nNhà A,,,A-02,standard,1,1,3,3,1", "overlap"),
    ("Nhà A,,,A-01,tent,0,0,3,3,1", "tent"),
    ("Nhà A,,,A-01,standard,x,0,3,3,1", "x"),
    ("Nhà A,,,manage,standard,0,0,3,3,1", "manage"),
    ("Nhà A,,drinks,A-01,standard,0,0,3,3,1", "drinks"),
])
def test_preview_reports_bad_rows_and_imports_nothing(bad, code_hint):
    preview = parse_booths_csv("hall,zone,zone_theme,code,type,x,y,w,h,price\n" + bad)
    assert not preview.ok
    assert preview.errors
    with pytest.raises(ValueError):
        import_booths(event=EventFactory(), preview=preview)


def test_missing_columns_is_a_clear_error():
    preview = parse_booths_csv("code,x\nA,1")
    assert not preview.ok and "hall" in preview.errors[0]


def test_import_page_preview_shows_svg_then_applies(client):
    event = EventFactory()
    client.force_login(user_with_role(event, EventRole.Role.ORGANIZER))
    url = reverse("booths:import", kwargs={"event_slug": event.slug})
    page = client.post(url, {"text": GOOD}).content.decode()
    assert page.count("<rect") == 3 and "A-01" in page
    assert not Booth.objects.exists()
    r = client.post(url, {"text": GOOD, "apply": "1"})
    assert r.status_code == 302
    assert Booth.objects.count() == 3
    bad = client.post(url, {"text": "nonsense"}).content.decode()
    assert 'role="alert"' in bad


@pytest.mark.skipif(subprocess.run(["which", "pdftoppm"], capture_output=True).returncode != 0,
                    reason="needs poppler-utils")
def test_booth_sign_pdf_has_the_name_and_a_qr_to_the_booth_page(client):
    import zxingcpp
    from PIL import Image

    event = EventFactory(slug="ca-mau-2026")
    booth = BoothFactory(hall=HallFactory(event=event), code="B-12")
    app = exhibitor(event, organization__name="Hợp tác xã Nông nghiệp Đầm Dơi")
    svc.assign_booth(booth_id=booth.pk, application_id=app.pk, event_id=event.pk)
    pdf = client.get(reverse("booths:booth_sign", kwargs={"event_slug": event.slug, "code": "B-12"})).content
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "sign.pdf"
        path.write_bytes(pdf)
        text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
        subprocess.run(["pdftoppm", "-r", "100", "-png", str(path), str(Path(tmp) / "page")], check=True)
        image = Image.open(next(Path(tmp).glob("page*.png")))
        codes = zxingcpp.read_barcodes(image)
    assert "B-12" in text
    assert "Hợp tác xã Nông nghiệp Đầm Dơi" in " ".join(text.split())
    assert [c.text for c in codes] == ["http://testserver/e/ca-mau-2026/booths/B-12/"]


@pytest.mark.skipif(subprocess.run(["which", "pdfinfo"], capture_output=True).returncode != 0,
                    reason="needs poppler-utils")
def test_all_signs_one_page_per_occupied_booth(client):
    event = EventFactory()
    hall = HallFactory(event=event)
    booths = [BoothFactory(hall=hall, code=f"S-{i}") for i in range(3)]
    for booth in booths[:2]:
        svc.assign_booth(booth_id=booth.pk, application_id=exhibitor(event).pk, event_id=event.pk)
    client.force_login(user_with_role(event, EventRole.Role.ORGANIZER))
    pdf = client.get(reverse("booths:all_signs", kwargs={"event_slug": event.slug})).content
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "signs.pdf"
        path.write_bytes(pdf)
        info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
        text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
    assert re.search(r"^Pages:\s+2$", info, re.M)
    assert "S-0" in text and "S-1" in text and "S-2" not in text
