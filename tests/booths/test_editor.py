"""Plan editor: rows, duplicated rows and moves stay inside the hall and never overlap."""

from __future__ import annotations

import pytest
from django.urls import reverse

from booths.models import Booth
from booths.services.floorplan import PlanEditError, add_booth_row, duplicate_row, move_booth
from eventsite.models import EventRole
from tests.factories import EventFactory, user_with_role

from .factories import HallFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def hall():
    return HallFactory(width_m=40, depth_m=20)


def test_add_row_then_duplicate_it(hall):
    row = add_booth_row(hall=hall, zone=None, prefix="C", first_number=1, count=5, x=2, y=2, w=3, h=3,
                        kind="standard", price=6_000_000)
    assert [b.code for b in row] == ["C-01", "C-02", "C-03", "C-04", "C-05"]
    assert [b.x for b in row] == [2, 5, 8, 11, 14]
    copy = duplicate_row(hall=hall, source_y=2, dy=3, prefix="D", first_number=1)
    assert [(b.code, b.x, b.y) for b in copy][:2] == [("D-01", 2, 5), ("D-02", 5, 5)]
    assert Booth.objects.count() == 10


@pytest.mark.parametrize("kwargs", [
    dict(x=2, y=2),  # overlaps the existing row
    dict(x=35, y=10),  # runs past the hall's right wall
])
def test_row_refused_when_overlapping_or_outside(hall, kwargs):
    add_booth_row(hall=hall, zone=None, prefix="C", first_number=1, count=3, x=2, y=2, w=3, h=3, kind="standard",
                  price=1)
    with pytest.raises(PlanEditError):
        add_booth_row(hall=hall, zone=None, prefix="E", first_number=1, count=3, w=3, h=3, kind="standard", price=1,
                      **kwargs)
    assert Booth.objects.count() == 3


def test_duplicate_codes_and_move_overlap_refused(hall):
    a, b = add_booth_row(hall=hall, zone=None, prefix="C", first_number=1, count=2, x=0, y=0, w=3, h=3,
                         kind="standard", price=1)
    with pytest.raises(PlanEditError):
        add_booth_row(hall=hall, zone=None, prefix="C", first_number=2, count=1, x=10, y=10, w=3, h=3,
                      kind="standard", price=1)
    with pytest.raises(PlanEditError):
        move_booth(booth=a, x=1, y=0, w=3, h=3)
    moved = move_booth(booth=a, x=20, y=10, w=6, h=3)
    assert (moved.x, moved.y, moved.w) == (20, 10, 6)


def test_editor_pages(client):
    event = EventFactory()
    hall = HallFactory(event=event, width_m=40, depth_m=20)
    client.force_login(user_with_role(event, EventRole.Role.ORGANIZER))
    url = reverse("booths:editor", kwargs={"event_slug": event.slug})
    assert client.get(url).status_code == 200
    r = client.post(url, {"form": "row", "row-hall": hall.pk, "row-prefix": "A", "row-first_number": 1,
                          "row-count": 4, "row-x": 1, "row-y": 1, "row-w": 3, "row-h": 3, "row-gap": 0,
                          "row-kind": "corner", "row-price": 7_500_000})
    assert r.status_code == 302
    assert Booth.objects.filter(kind="corner").count() == 4
    r = client.post(url, {"form": "row", "row-hall": hall.pk, "row-prefix": "B", "row-first_number": 1,
                          "row-count": 4, "row-x": 1, "row-y": 1, "row-w": 3, "row-h": 3, "row-gap": 0,
                          "row-kind": "corner", "row-price": 1}, follow=True)
    assert Booth.objects.count() == 4
    assert 'role="alert"' in r.content.decode()
    move_url = reverse("booths:move_booth", kwargs={"event_slug": event.slug, "code": "A-01"})
    assert client.post(move_url, {"x": 30, "y": 10, "w": 3, "h": 3}).status_code == 302
    assert Booth.objects.get(code="A-01").x == 30
