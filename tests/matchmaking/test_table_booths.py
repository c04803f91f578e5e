"""Meeting tables at booths: linked to booths.Booth of the same event, the code shown as before."""

from __future__ import annotations

import importlib
from datetime import timedelta

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.urls import reverse

from matchmaking.models import MeetingTable
from matchmaking.services import scheduling
from matchmaking.services.errors import InvalidRequest
from tests.booths.factories import BoothFactory
from tests.factories import DAY2
from tests.matchmaking.factories import accepted_request
from tests.matchmaking.factories import fair as make_fair
from tests.matchmaking.test_views import pdf_text

pytestmark = pytest.mark.django_db


@pytest.fixture
def booths(fair):
    return [BoothFactory(hall__event=fair.event, code=code) for code in ("B07", "B08", "C01")]


def test_tables_from_booths_one_per_booth(fair, booths):
    scheduling.add_tables(event=fair.event, count=1)
    made = scheduling.add_tables(event=fair.event, count=10, seats=6, booths=[booths[2], booths[0].pk])
    assert [(t.number, t.booth_id, t.booth_code, t.seats) for t in made] == [
        (2, booths[2].pk, "C01", 6), (3, booths[0].pk, "B07", 6)]
    assert str(MeetingTable.objects.get(number=3)) in ("Table 3 (B07)", "Bàn 3 (B07)")


def test_booths_of_another_event_or_twice_are_refused(fair, booths):
    foreign = BoothFactory(hall__event=make_fair(buyers=0, producers=0).event, code="Z01")
    for chosen in ([foreign], [booths[0], booths[0]], [999999]):
        with pytest.raises(InvalidRequest) as e:
            scheduling.add_tables(event=fair.event, booths=chosen)
        assert e.value.code == "bad_booth"
    assert not MeetingTable.objects.filter(event=fair.event).exists()


def test_typed_codes_link_the_booths_they_name(fair, booths):
    made = scheduling.add_tables(event=fair.event, count=3, booth_codes=["b08", "Sảnh"])
    assert [(t.booth_id, t.booth_code) for t in made] == [(booths[1].pk, "B08"), (None, "Sảnh"), (None, "")]


def test_a_linked_table_follows_its_booth_and_refuses_a_foreign_booth(fair, booths):
    table = scheduling.add_tables(event=fair.event, booths=[booths[0]])[0]
    booths[0].code = "B07A"
    booths[0].save()
    table.refresh_from_db()
    assert table.booth_code == "B07A"
    table.booth = BoothFactory(hall__event=make_fair(buyers=0, producers=0).event, code="Z02")
    with pytest.raises(ValidationError):
        table.save()


def test_migration_links_existing_codes_of_the_same_event(fair, booths):
    other = make_fair(buyers=0, producers=0).event
    BoothFactory(hall__event=other, code="Z09")
    here, foreign, free = MeetingTable.objects.bulk_create([
        MeetingTable(event=fair.event, number=1, booth_code=" c01 "),
        MeetingTable(event=fair.event, number=2, booth_code="Z09"),  # a booth of another event
        MeetingTable(event=fair.event, number=3, booth_code="Sảnh A"),
    ])
    migration = importlib.import_module("matchmaking.migrations.0002_meetingtable_booth_link")
    migration.link_existing_codes(apps, None)
    rows = dict(MeetingTable.objects.values_list("number", "booth_id"))
    assert rows == {1: booths[2].pk, 2: None, 3: None}
    assert MeetingTable.objects.get(number=1).booth_code == "C01"


def test_organizer_creates_tables_from_chosen_booths(client, fair, booths):
    client.force_login(fair.organizer)
    page = client.get(reverse("matchmaking:organize", args=[fair.event.slug])).content.decode()
    assert f'value="{booths[0].pk}"' in page and "B07" in page
    client.post(reverse("matchmaking:tables_add", args=[fair.event.slug]),
                {"count": "", "seats": "4", "booths": [booths[0].pk, booths[1].pk]})
    assert list(MeetingTable.objects.values_list("number", "booth__code", "booth_code")) == [
        (1, "B07", "B07"), (2, "B08", "B08")]
    foreign = BoothFactory(hall__event=make_fair(buyers=0, producers=0).event, code="Z03")
    response = client.post(reverse("matchmaking:tables_add", args=[fair.event.slug]),
                           {"count": "", "seats": "4", "booths": [foreign.pk]}, follow=True)
    assert MeetingTable.objects.count() == 2
    assert MeetingTable.objects.count() == 2 and response.status_code == 200
    client.post(reverse("matchmaking:tables_add", args=[fair.event.slug]), {"count": "", "seats": "4"})
    assert MeetingTable.objects.count() == 2


def test_booth_code_shows_on_schedule_and_table_sheet(client, fair, booths, tmp_path):
    start = DAY2
    session = scheduling.create_session(event=fair.event, name="Sáng", starts_at=start,
                                        ends_at=start + timedelta(minutes=20), slot_minutes=20)
    table = scheduling.add_tables(event=fair.event, booths=[booths[1]])[0]
    r = accepted_request(fair, fair.buyers[0], fair.producers[0])
    scheduling.place_meeting(event=fair.event, request_id=r.pk, slot_id=session.slots.get().pk, table_id=table.pk)
    scheduling.publish_schedule(event=fair.event)
    client.force_login(fair.buyers[0].user)
    assert "(B08)" in client.get(reverse("matchmaking:schedule", args=[fair.event.slug])).content.decode()
    client.force_login(fair.organizer)
    sheet = client.get(reverse("matchmaking:table_sheets", args=[fair.event.slug])).content
    assert "(B08)" in pdf_text(sheet, tmp_path)
