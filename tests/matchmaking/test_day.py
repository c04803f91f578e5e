from datetime import timedelta

import pytest
from django.utils import timezone

from matchmaking.models import Meeting, MeetingOutcome, Side
from matchmaking.services import day, scheduling
from matchmaking.services.errors import InvalidRequest, MeetingStateError, NotAParticipant
from tests.factories import ProductFactory
from tests.matchmaking.factories import accepted_request, grid

pytestmark = pytest.mark.django_db


@pytest.fixture
def meeting(fair):
    """A meeting in a slot that started five minutes ago."""
    slots, tables = grid(fair, slots=2, start=timezone.now() - timedelta(minutes=5))
    product = fair.producers[0].org.products.get()
    r = accepted_request(fair, fair.buyers[0], fair.producers[0], product_ids=[product.pk])
    return scheduling.place_meeting(event=fair.event, request_id=r.pk, slot_id=slots[0].pk, table_id=tables[0].pk)


def test_either_side_or_staff_checks_in_and_repeat_is_harmless(fair, meeting):
    m = day.check_in_meeting(event=fair.event, meeting_id=meeting.pk, user=fair.producers[0].user)
    assert (m.status, m.checked_in_by) == (Meeting.Status.HELD, fair.producers[0].user)
    again = day.check_in_meeting(event=fair.event, meeting_id=meeting.pk, user=fair.desk)
    assert again.checked_in_by == fair.producers[0].user


def test_strangers_cannot_check_in(fair, meeting):
    with pytest.raises(NotAParticipant):
        day.check_in_meeting(event=fair.event, meeting_id=meeting.pk, user=fair.buyers[1].user)


def test_check_in_window(fair, meeting):
    early = meeting.slot.starts_at - timedelta(minutes=31)
    with pytest.raises(MeetingStateError) as e:
        day.check_in_meeting(event=fair.event, meeting_id=meeting.pk, user=fair.desk, now=early)
    assert e.value.code == "too_early"
    late = meeting.slot.ends_at + timedelta(hours=2, minutes=1)
    with pytest.raises(MeetingStateError) as e:
        day.check_in_meeting(event=fair.event, meeting_id=meeting.pk, user=fair.desk, now=late)
    assert e.value.code == "too_late"


def test_no_show_names_the_absent_side(fair, meeting):
    m = day.report_no_show(event=fair.event, meeting_id=meeting.pk, user=fair.buyers[0].user)
    assert (m.status, m.absent_side) == (Meeting.Status.NO_SHOW, Side.PRODUCER)
    with pytest.raises(MeetingStateError) as e:
        day.report_no_show(event=fair.event, meeting_id=meeting.pk, user=fair.producers[0].user)
    assert e.value.code == "already_reported"


def test_no_show_failures(fair, meeting):
    with pytest.raises(MeetingStateError) as e:
        day.report_no_show(event=fair.event, meeting_id=meeting.pk, user=fair.buyers[0].user,
                           now=meeting.slot.starts_at - timedelta(minutes=1))
    assert e.value.code == "too_early"
    with pytest.raises(NotAParticipant):
        day.report_no_show(event=fair.event, meeting_id=meeting.pk, user=fair.desk)
    day.check_in_meeting(event=fair.event, meeting_id=meeting.pk, user=fair.desk)
    with pytest.raises(MeetingStateError) as e:
        day.report_no_show(event=fair.event, meeting_id=meeting.pk, user=fair.buyers[0].user)
    assert e.value.code == "already_held"


def test_outcome_needs_a_held_meeting_and_one_per_side(fair, meeting):
    with pytest.raises(MeetingStateError) as e:
        day.record_outcome(event=fair.event, meeting_id=meeting.pk, user=fair.buyers[0].user, result="mou")
    assert e.value.code == "not_held"
    day.check_in_meeting(event=fair.event, meeting_id=meeting.pk, user=fair.buyers[0].user)
    day.record_outcome(event=fair.event, meeting_id=meeting.pk, user=fair.buyers[0].user, result="interested")
    day.record_outcome(event=fair.event, meeting_id=meeting.pk, user=fair.buyers[0].user, result="mou")
    day.record_outcome(event=fair.event, meeting_id=meeting.pk, user=fair.producers[0].user, result="sample")
    assert sorted(MeetingOutcome.objects.values_list("side", "result")) == [("buyer", "mou"),
                                                                           ("producer", "sample")]
    with pytest.raises(InvalidRequest):
        day.record_outcome(event=fair.event, meeting_id=meeting.pk, user=fair.buyers[0].user, result="married")
    with pytest.raises(NotAParticipant):
        day.record_outcome(event=fair.event, meeting_id=meeting.pk, user=fair.buyers[1].user, result="mou")


def test_agreement_params_carry_parties_and_products(fair, meeting):
    product = fair.producers[0].org.products.get()
    ProductFactory(producer=fair.producers[0].org)  # not discussed: stays out
    assert day.agreement_entry_params(meeting) == {
        "buyer": str(fair.buyers[0].org.pk), "seller": str(fair.producers[0].org.pk), "products": str(product.pk),
        "meeting": str(meeting.pk)}


def test_agreement_url_opens_the_prefilled_agreement_form(fair, meeting):
    product = fair.producers[0].org.products.get()
    route = "new"
    assert day.agreement_entry_url(meeting, fair.event.slug) == (
        f"/e/{fair.event.slug}/agreements/{route}/?buyer={fair.buyers[0].org.pk}"
        f"&seller={fair.producers[0].org.pk}&products={product.pk}&meeting={meeting.pk}")
