"""Agreements entered from a meeting's "MoU signed" link remember the meeting; the report counts them."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from agreements.models import Agreement
from agreements.services import cancel_agreement
from catalog.ocop import ProductGroup
from eventsite.activity import history_of
from eventsite.models import Organization
from matchmaking.services import day, scheduling
from matchmaking.services.reports import tally_meetings
from tests.agreements.factories import party, party_rows
from tests.factories import DAY2, DAY3
from tests.matchmaking.factories import accepted_request, grid
from tests.matchmaking.factories import fair as make_fair

pytestmark = pytest.mark.django_db


def held_meeting(fair, buyer, producer, slot, table):
    product = producer.org.products.first()
    r = accepted_request(fair, buyer, producer, product_ids=[product.pk])
    m = scheduling.place_meeting(event=fair.event, request_id=r.pk, slot_id=slot.pk, table_id=table.pk)
    day.check_in_meeting(event=fair.event, meeting_id=m.pk, user=fair.desk)
    day.record_outcome(event=fair.event, meeting_id=m.pk, user=buyer.user, result="mou")
    return m


@pytest.fixture
def meeting(fair):
    slots, tables = grid(fair, slots=2, tables=2, start=timezone.now() - timedelta(minutes=5))
    return held_meeting(fair, fair.buyers[0], fair.producers[0], slots[0], tables[0])


def entry(client, fair, meeting_id, *, seller, buyer, product_ids=(), signed_at=f"{DAY2:%Y-%m-%d}T10:00"):
    """Open the entry form the way the meeting page's link does, then save what it shows."""
    new = reverse("agreements:new", args=[fair.event.slug])
    form = client.get(new, {"buyer": buyer.pk, "seller": seller.pk, "meeting": meeting_id,
                            "products": ",".join(map(str, product_ids))})
    assert form.status_code == 200
    post = {"kind": "biz_distributor", "title": "Cung ứng nước mắm", "signed_at": signed_at,
            **party_rows([party(seller, "seller"), party(buyer, "buyer"), party(""), party("")]),
            "products": list(product_ids),
            "product_groups": [ProductGroup.FOOD], "meeting": meeting_id}
    response = client.post(new, post)
    assert response.status_code == 302, response.content.decode()[:2000]
    return Agreement.objects.filter(event=fair.event).latest("pk"), form.content.decode()


def test_link_from_a_meeting_side_records_the_meeting(client, fair, meeting):
    client.force_login(fair.buyers[0].user)
    product = fair.producers[0].org.products.get()
    agreement, form = entry(client, fair, meeting.pk, seller=fair.producers[0].org, buyer=fair.buyers[0].org,
                            product_ids=[product.pk])
    assert f'name="meeting" value="{meeting.pk}"' in form
    assert agreement.meeting == meeting
    assert set(agreement.parties.values_list("organization_id", flat=True)) == {fair.buyers[0].org.pk,
                                                                              fair.producers[0].org.pk}
    page = client.get(reverse("matchmaking:meeting", args=[fair.event.slug, meeting.pk])).content.decode()
    assert 'id="agreements-title"' in page
    assert reverse("agreements:detail", args=[fair.event.slug, agreement.pk]) in page
    detail = client.get(agreement.get_absolute_url()).content.decode()
    assert reverse("matchmaking:meeting", args=[fair.event.slug, meeting.pk]) in detail


def test_organizer_entry_records_the_meeting(client, fair, meeting):
    client.force_login(fair.organizer)
    agreement, _form = entry(client, fair, meeting.pk, seller=fair.producers[0].org, buyer=fair.buyers[0].org)
    assert agreement.meeting == meeting
    # the link is part of the record from its first audit entry (saved in the same transaction)
    (created,) = history_of(agreement)
    assert created.after["meeting_id"] == meeting.pk


def test_someone_else_or_another_events_meeting_is_ignored(client, fair, meeting):
    # buyer 1 is not a side of the meeting: its own agreement with producer 0 is saved, unlinked
    client.force_login(fair.buyers[1].user)
    agreement, form = entry(client, fair, meeting.pk, seller=fair.producers[0].org, buyer=fair.buyers[1].org)
    assert agreement.meeting is None and 'name="meeting" value="' not in form
    other = make_fair(buyers=1, producers=1)
    slots, tables = grid(other, slots=1, tables=1, start=timezone.now() - timedelta(minutes=5))
    foreign = held_meeting(other, other.buyers[0], other.producers[0], slots[0], tables[0])
    client.force_login(fair.organizer)
    agreement, _form = entry(client, fair, foreign.pk, seller=fair.producers[0].org, buyer=fair.buyers[0].org,
                             signed_at=f"{DAY3:%Y-%m-%d}T10:00")
    assert agreement.meeting is None


def test_agreement_of_a_meeting_is_hidden_from_who_may_not_see_it(client, fair, meeting):
    client.force_login(fair.organizer)
    agreement, _form = entry(client, fair, meeting.pk, seller=fair.producers[0].org, buyer=fair.buyers[0].org)
    client.force_login(fair.desk)  # desk staff see the meeting, not the agreements
    page = client.get(reverse("matchmaking:meeting", args=[fair.event.slug, meeting.pk])).content.decode()
    assert 'id="agreements-title"' not in page
    assert reverse("agreements:detail", args=[fair.event.slug, agreement.pk]) not in page


def test_report_shows_mous_reported_and_agreements_entered(client, fair):
    slots, tables = grid(fair, slots=3, tables=2, start=timezone.now() - timedelta(minutes=5))
    b0, b1 = fair.buyers
    p0, p1 = fair.producers
    m1 = held_meeting(fair, b0, p0, slots[0], tables[0])  # retail chain buyer
    m2 = held_meeting(fair, b1, p1, slots[0], tables[1])  # e-commerce buyer
    m3 = held_meeting(fair, b0, p1, slots[1], tables[0])
    client.force_login(fair.organizer)
    counted, _ = entry(client, fair, m1.pk, seller=p0.org, buyer=b0.org)
    second, _ = entry(client, fair, m1.pk, seller=p0.org, buyer=b0.org, signed_at=f"{DAY3:%Y-%m-%d}T10:00")
    cancelled, _ = entry(client, fair, m3.pk, seller=p1.org, buyer=b0.org)
    cancel_agreement(agreement=cancelled, actor=fair.organizer, reason="Không thực hiện")
    client.force_login(b1.user)
    submitted, _ = entry(client, fair, m2.pk, seller=p1.org, buyer=b1.org)  # awaits verification: not counted
    assert {a.meeting_id for a in (counted, second, cancelled, submitted)} == {m1.pk, m2.pk, m3.pk}
    rows, total = tally_meetings(event=fair.event, by="kind")
    by_kind = {r.key: (r.converted, r.agreements) for r in rows}
    assert by_kind == {Organization.Kind.RETAIL_CHAIN: (2, 2), Organization.Kind.ECOMMERCE: (1, 0)}
    assert (total.converted, total.agreements) == (3, 2)
    groups, _total = tally_meetings(event=fair.event, by="group")
    assert {r.key: r.agreements for r in groups} == {ProductGroup.FOOD: 2}
    client.force_login(fair.organizer)
    page = client.get(reverse("matchmaking:report", args=[fair.event.slug])).content.decode()
    assert "<td>3</td><td>2</td></tr></tfoot>" in page


def test_report_query_count_does_not_grow_with_meetings(fair):
    slots, tables = grid(fair, slots=3, tables=2, start=timezone.now() - timedelta(minutes=5))
    held_meeting(fair, fair.buyers[0], fair.producers[0], slots[0], tables[0])
    with CaptureQueriesContext(connection) as few:
        tally_meetings(event=fair.event, by="kind")
        tally_meetings(event=fair.event, by="group")
    held_meeting(fair, fair.buyers[1], fair.producers[1], slots[0], tables[1])
    held_meeting(fair, fair.buyers[0], fair.producers[1], slots[1], tables[0])
    with CaptureQueriesContext(connection) as many:
        tally_meetings(event=fair.event, by="kind")
        tally_meetings(event=fair.event, by="group")
    assert len(many) == len(few) == 2
