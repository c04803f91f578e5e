"""Halls and zones in the plan editor: create, rename, resize; a resize never leaves a booth outside its hall."""

from __future__ import annotations

import pytest
from django.urls import reverse

from booths.models import Hall, Zone
from booths.services.floorplan import PlanEditError, save_hall, save_zone
from eventsite.models import ActivityEntry, EventRole
from tests.factories import EventFactory, user_with_role

from .factories import BoothFactory, HallFactory, ZoneFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def event():
    return EventFactory()


@pytest.fixture
def organizer(client, event):
    user = user_with_role(event, EventRole.Role.ORGANIZER)
    client.force_login(user)
    return user


def editor_url(event):
    return reverse("booths:editor", kwargs={"event_slug": event.slug})


def test_resize_refused_with_the_booths_name(event):
    hall = HallFactory(event=event, name="Nhà A", width_m=40, depth_m=20)
    BoothFactory(hall=hall, code="A-07", x=30, y=2, w=3, h=3)
    BoothFactory(hall=hall, code="A-01", x=0, y=0, w=3, h=3)
    with pytest.raises(PlanEditError) as error:
        save_hall(event=event, hall=hall, values={"name": "Nhà A", "width_m": 32.5, "depth_m": 20})
    assert "A-07" in error.value.message and "A-01" not in error.value.message
    with pytest.raises(PlanEditError) as error:
        save_hall(event=event, hall=hall, values={"name": "Nhà A", "width_m": 40, "depth_m": 4.9})
    assert "A-07" in error.value.message
    hall.refresh_from_db()
    assert (hall.width_m, hall.depth_m) == (40, 20)
    assert not ActivityEntry.objects.exists()
    # Exactly to the booth's far edge is fine.
    saved = save_hall(event=event, hall=hall, values={"name": "Nhà A lớn", "width_m": 33, "depth_m": 5})
    assert (saved.name, saved.width_m, saved.depth_m) == ("Nhà A lớn", 33, 5)
    entry = ActivityEntry.objects.get(action="booths.hall_updated")
    assert (entry.before["width_m"], entry.after["width_m"], entry.after["name"]) == (40, 33, "Nhà A lớn")


def test_hall_and_zone_names_are_unique(event):
    save_hall(event=event, values={"name": "Nhà A", "width_m": 20, "depth_m": 20})
    with pytest.raises(PlanEditError):
        save_hall(event=event, values={"name": "Nhà A", "width_m": 30, "depth_m": 20})
    hall = Hall.objects.get(event=event)
    save_zone(hall=hall, values={"name": "Thực phẩm", "theme_group": "food"})
    with pytest.raises(PlanEditError):
        save_zone(hall=hall, values={"name": "Thực phẩm", "theme_group": ""})
    with pytest.raises(PlanEditError):
        save_zone(hall=hall, values={"name": "Khác", "theme_group": "weapons"})
    assert Zone.objects.count() == 1


def test_organizer_adds_hall_and_zone_in_the_editor(client, event, organizer):
    r = client.post(editor_url(event), {"form": "hall", "hall-name": "Nhà triển lãm B", "hall-width_m": "48,5",
                                        "hall-depth_m": "30"})
    assert r.status_code == 302
    hall = Hall.objects.get(event=event)
    assert (hall.name, hall.width_m, hall.depth_m) == ("Nhà triển lãm B", 48.5, 30)
    r = client.post(editor_url(event), {"form": "zone", "zone-hall": hall.pk, "zone-name": "Đồ uống",
                                        "zone-theme_group": "beverage"})
    assert r.status_code == 302, r.content.decode()[:2000]
    zone = Zone.objects.get(hall=hall)
    assert [e.action for e in ActivityEntry.objects.order_by("id")] == ["booths.hall_created", "booths.zone_created"]
    page = client.get(editor_url(event)).content.decode()
    assert reverse("booths:hall_edit", args=[event.slug, hall.pk]) in page
    assert reverse("booths:zone_edit", args=[event.slug, zone.pk]) in page


def test_hall_page_renames_resizes_and_refuses(client, event, organizer):
    hall = HallFactory(event=event, name="Nhà A", width_m=40, depth_m=20)
    BoothFactory(hall=hall, code="A-09", x=35, y=0, w=3, h=3)
    url = reverse("booths:hall_edit", args=[event.slug, hall.pk])
    assert client.get(url).status_code == 200
    r = client.post(url, {"name": "Nhà A", "width_m": "30", "depth_m": "20"})
    assert r.status_code == 400 and "A-09" in r.content.decode()
    r = client.post(url, {"name": "Nhà chính", "width_m": "38", "depth_m": "25"})
    assert r.status_code == 302
    hall.refresh_from_db()
    assert (hall.name, hall.width_m, hall.depth_m) == ("Nhà chính", 38, 25)
    assert "Nhà chính" in client.get(url).content.decode()  # and its history


def test_zone_page_renames(client, event, organizer):
    zone = ZoneFactory(hall=HallFactory(event=event), name="Khu 1")
    url = reverse("booths:zone_edit", args=[event.slug, zone.pk])
    r = client.post(url, {"name": "Khu thủ công mỹ nghệ", "theme_group": "handicraft"})
    assert r.status_code == 302
    zone.refresh_from_db()
    assert (zone.name, zone.theme_group) == ("Khu thủ công mỹ nghệ", "handicraft")


@pytest.mark.parametrize("field,value", [
    ("hall-width_m", "nan"), ("hall-width_m", "inf"), ("hall-width_m", "1e400"), ("hall-depth_m", "9" * 40),
    ("hall-width_m", "0"), ("hall-depth_m", "-3"),
])
def test_bad_hall_sizes_are_a_400(client, event, organizer, field, value):
    data = {"form": "hall", "hall-name": "Nhà C", "hall-width_m": "20", "hall-depth_m": "20", field: value}
    assert client.post(editor_url(event), data).status_code == 400
    assert not Hall.objects.exists()


@pytest.mark.parametrize("value", ["9" * 30, "-1", "abc"])
def test_forged_hall_ids_are_a_400_or_404(client, event, organizer, value):
    other_hall = HallFactory()  # another event's hall
    for hall in (value, str(other_hall.pk)):
        r = client.post(editor_url(event), {"form": "zone", "zone-hall": hall, "zone-name": "Khu X"})
        assert r.status_code == 400
    assert not Zone.objects.exists()
    assert client.get(reverse("booths:hall_edit", args=[event.slug, other_hall.pk])).status_code == 404
    r = client.post(editor_url(event), {"form": "row", "row-hall": value, "row-prefix": "A", "row-first_number": 1,
                                        "row-count": 1, "row-x": 1, "row-y": 1, "row-w": 3, "row-h": 3,
                                        "row-gap": 0, "row-kind": "standard", "row-price": "9" * 30})
    assert r.status_code == 400


def test_hall_pages_are_for_organizers_only(client, event):
    hall = HallFactory(event=event)
    client.force_login(user_with_role(event, EventRole.Role.EXHIBITOR))
    assert client.post(reverse("booths:hall_edit", args=[event.slug, hall.pk]),
                       {"name": "X", "width_m": "5", "depth_m": "5"}).status_code == 403
    assert client.post(editor_url(event), {"form": "hall", "hall-name": "Y", "hall-width_m": "5",
                                           "hall-depth_m": "5"}).status_code == 403
    hall.refresh_from_db()
    assert hall.name != "X" and Hall.objects.count() == 1
