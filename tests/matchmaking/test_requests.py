from datetime import timedelta

import pytest
from django.utils import timezone

from eventsite.models import EventRole
from matchmaking.models import Meeting, MeetingRequest, Side
from matchmaking.services import requests, scheduling
from matchmaking.services.errors import (
    DuplicateRequest,
    InvalidRequest,
    NotAParticipant,
    NotYourTurn,
    QuotaExceeded,
    RequestExpired,
    RequestNotOpen,
)
from matchmaking.services.participants import settings_for
from tests.matchmaking.factories import accepted_request, grid, party
from tests.matchmaking.factories import fair as make_fair

pytestmark = pytest.mark.django_db
Status = MeetingRequest.Status


def send(f, buyer=None, producer=None, **kwargs):
    buyer, producer = buyer or f.buyers[0], producer or f.producers[0]
    kwargs.setdefault("message", "Chúng tôi muốn gặp")
    return requests.create_request(event=f.event, sender=buyer.org, side=Side.BUYER, counterpart=producer.org,
                                   user=buyer.user, **kwargs)


def test_create_request_sets_group_priority_and_expiry(fair):
    product = fair.producers[0].org.products.get()
    before = timezone.now()
    r = send(fair, product_ids=[product.pk])
    assert (r.status, r.from_side, r.product_group) == (Status.PENDING, Side.BUYER, "food")
    assert list(r.products.all()) == [product]
    assert before + timedelta(hours=72) <= r.expires_at <= timezone.now() + timedelta(hours=72)
    assert r.priority == 1 and r.score == 0  # the buyer has no profile yet


def test_producer_can_send_to_buyer(fair):
    p, b = fair.producers[0], fair.buyers[0]
    r = requests.create_request(event=fair.event, sender=p.org, side=Side.PRODUCER, counterpart=b.org,
                                user=p.user, message="Xin giới thiệu sản phẩm")
    assert (r.buyer, r.producer, r.recipient_side()) == (b.org, p.org, Side.BUYER)


@pytest.mark.parametrize("case,code", [
    ("no_message", "no_message"), ("bad_party", "bad_party"), ("foreign_product", "bad_products"),
    ("same_side", "bad_counterpart"),
])
def test_create_request_rejects_bad_input(fair, case, code):
    kwargs = {"no_message": {"message": "  "}, "bad_party": {"party_size": 9},
              "foreign_product": {"product_ids": [fair.producers[1].org.products.get().pk]},
              "same_side": {"producer": fair.buyers[1]}}[case]
    with pytest.raises(InvalidRequest) as e:
        send(fair, **kwargs)
    assert e.value.code == code
    assert MeetingRequest.objects.count() == 0


def test_only_a_member_of_the_sender_can_send(fair):
    with pytest.raises(NotAParticipant):
        requests.create_request(event=fair.event, sender=fair.buyers[0].org, side=Side.BUYER,
                                counterpart=fair.producers[0].org, user=fair.buyers[1].user, message="x")


def test_second_live_request_for_a_pair_is_a_duplicate(fair):
    send(fair)
    with pytest.raises(DuplicateRequest):
        requests.create_request(event=fair.event, sender=fair.producers[0].org, side=Side.PRODUCER,
                                counterpart=fair.buyers[0].org, user=fair.producers[0].user, message="x")


def test_open_request_quota(fair):
    extra = [party(fair.event, EventRole.Role.EXHIBITOR) for _ in range(2)]
    config = settings_for(fair.event)
    config.max_open_requests = 2
    config.save()
    send(fair, producer=fair.producers[0])
    send(fair, producer=fair.producers[1])
    with pytest.raises(QuotaExceeded) as e:
        send(fair, producer=extra[0])
    assert e.value.code == "open_quota"
    # An answered request frees a place in the quota.
    r = MeetingRequest.objects.filter(producer=fair.producers[0].org).get()
    requests.respond_to_request(event=fair.event, request_id=r.pk, user=fair.producers[0].user, action="decline")
    assert send(fair, producer=extra[0]).status == Status.PENDING


def test_meeting_quota_blocks_accepting(fair):
    config = settings_for(fair.event)
    config.max_meetings = 1
    config.save()
    r = send(fair, producer=fair.producers[1])
    accepted_request(fair, fair.buyers[0], fair.producers[0])
    with pytest.raises(QuotaExceeded) as e:
        requests.respond_to_request(event=fair.event, request_id=r.pk, user=fair.producers[1].user,
                                    action="accept")
    assert e.value.code == "meeting_quota"
    assert MeetingRequest.objects.get(pk=r.pk).status == Status.PENDING
    # A buyer whose meetings are full cannot send more requests either.
    with pytest.raises(QuotaExceeded):
        send(fair, producer=party(fair.event, EventRole.Role.EXHIBITOR))


def test_only_the_recipient_answers(fair):
    r = send(fair)
    for user in (fair.buyers[0].user, fair.producers[1].user, fair.buyers[1].user):
        with pytest.raises(NotYourTurn):
            requests.respond_to_request(event=fair.event, request_id=r.pk, user=user, action="accept")


def test_answer_twice_is_refused(fair):
    r = accepted_request(fair, fair.buyers[0], fair.producers[0])
    with pytest.raises(RequestNotOpen):
        requests.respond_to_request(event=fair.event, request_id=r.pk, user=fair.producers[0].user,
                                    action="decline")


def test_expired_request_cannot_be_answered(fair):
    r = send(fair, now=timezone.now() - timedelta(days=4))
    with pytest.raises(RequestExpired):
        requests.respond_to_request(event=fair.event, request_id=r.pk, user=fair.producers[0].user,
                                    action="accept")
    r.refresh_from_db()
    assert r.status == Status.EXPIRED and r.is_expired


def test_expire_stale_requests_counts_only_waiting_past_expiry(fair):
    send(fair, producer=fair.producers[1])
    send(fair, now=timezone.now() - timedelta(days=4))
    assert requests.expire_stale_requests(event=fair.event) == 1
    assert requests.expire_stale_requests(event=fair.event) == 0
    assert sorted(MeetingRequest.objects.values_list("status", flat=True)) == [Status.EXPIRED, Status.PENDING]


def test_propose_then_sender_accepts_the_agreed_slot(fair):
    slots, _tables = grid(fair)
    r = send(fair)
    r = requests.respond_to_request(event=fair.event, request_id=r.pk, user=fair.producers[0].user,
                                    action="propose", slot_id=slots[1].pk, answer="Giờ khác nhé")
    assert (r.status, r.proposed_slot, r.recipient_side()) == (Status.PROPOSED, slots[1], Side.BUYER)
    with pytest.raises(NotYourTurn):
        requests.respond_to_request(event=fair.event, request_id=r.pk, user=fair.producers[0].user,
                                    action="accept")
    with pytest.raises(RequestNotOpen):
        requests.respond_to_request(event=fair.event, request_id=r.pk, user=fair.buyers[0].user,
                                    action="propose", slot_id=slots[2].pk)
    r = requests.respond_to_request(event=fair.event, request_id=r.pk, user=fair.buyers[0].user, action="accept")
    assert (r.status, r.agreed_slot) == (Status.ACCEPTED, slots[1])


def test_propose_needs_a_slot_of_this_event(fair):
    other = make_fair(buyers=0, producers=0)
    foreign_slots, _ = grid(other)
    r = send(fair)
    with pytest.raises(InvalidRequest) as e:
        requests.respond_to_request(event=fair.event, request_id=r.pk, user=fair.producers[0].user,
                                    action="propose", slot_id=foreign_slots[0].pk)
    assert e.value.code == "bad_slot"


def test_unknown_action_and_unknown_request(fair):
    r = send(fair)
    with pytest.raises(InvalidRequest):
        requests.respond_to_request(event=fair.event, request_id=r.pk, user=fair.producers[0].user, action="maybe")
    with pytest.raises(InvalidRequest):
        requests.respond_to_request(event=fair.event, request_id=r.pk + 999, user=fair.producers[0].user,
                                    action="accept")


def test_cancel_rules(fair):
    r = send(fair)
    with pytest.raises(NotYourTurn):
        requests.cancel_request(event=fair.event, request_id=r.pk, user=fair.producers[0].user)
    with pytest.raises(NotAParticipant):
        requests.cancel_request(event=fair.event, request_id=r.pk, user=fair.buyers[1].user)
    assert requests.cancel_request(event=fair.event, request_id=r.pk, user=fair.buyers[0].user).status == \
        Status.CANCELLED
    with pytest.raises(RequestNotOpen):
        requests.cancel_request(event=fair.event, request_id=r.pk, user=fair.buyers[0].user)


def test_calling_off_an_accepted_meeting_frees_its_place(fair):
    slots, tables = grid(fair)
    r = accepted_request(fair, fair.buyers[0], fair.producers[0])
    scheduling.place_meeting(event=fair.event, request_id=r.pk, slot_id=slots[0].pk, table_id=tables[0].pk)
    requests.cancel_request(event=fair.event, request_id=r.pk, user=fair.producers[0].user)
    assert Meeting.objects.count() == 0
    # After cancelling, the pair may ask again.
    assert send(fair).status == Status.PENDING
