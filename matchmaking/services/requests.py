"""Meeting requests: ask with a message, then accept, decline or propose another time; quotas and expiry."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from catalog.models import Product
from eventsite.live import broadcast_on_commit
from eventsite.models import Event, Organization

from ..models import Meeting, MeetingRequest, MeetingSlot, Side
from .errors import (
    DuplicateRequest,
    InvalidRequest,
    NotAParticipant,
    NotYourTurn,
    QuotaExceeded,
    RequestExpired,
    RequestNotOpen,
)
from .participants import is_participant, organization_ids_of, settings_for
from .recommendations import pair_score

Status = MeetingRequest.Status
LIVE = (Status.PENDING, Status.PROPOSED, Status.ACCEPTED)
WAITING = (Status.PENDING, Status.PROPOSED)
MAX_PARTY = 8


def priority_for(score: int) -> int:
    """A strong match is scheduled first when tables run short."""
    return 3 if score >= 60 else 2 if score >= 30 else 1


def expire_stale_requests(*, event: Event | None = None, now: datetime | None = None) -> int:
    """Unanswered requests past ``expires_at`` become EXPIRED; returns how many."""
    stale = MeetingRequest.objects.filter(status__in=WAITING, expires_at__lte=now or timezone.now())
    if event is not None:
        stale = stale.filter(event=event)
    return stale.update(status=Status.EXPIRED)


def _accepted_count(event: Event, organization_id: int) -> int:
    return MeetingRequest.objects.filter(event=event, status=Status.ACCEPTED).filter(
        Q(buyer_id=organization_id) | Q(producer_id=organization_id)).count()


def _check_meeting_quota(event: Event, *organization_ids: int) -> None:
    limit = settings_for(event).max_meetings
    for org_id in organization_ids:
        if _accepted_count(event, org_id) >= limit:
            raise QuotaExceeded(
                _("%(org)s already has the maximum of %(n)s accepted meetings.")
                % {"org": Organization.objects.get(pk=org_id).name, "n": limit}, code="meeting_quota")


@transaction.atomic
def create_request(
    *, event: Event, sender: Organization, side: str, counterpart: Organization, user, message: str,
    product_ids: Iterable[int] = (), party_size: int = 2, now: datetime | None = None,
) -> MeetingRequest:
    """Ask for a meeting. Rules: both sides take part on opposite sides, a message is given, products are the
    producer's certified ones, one live request per pair, and the sender stays within its open-request quota."""
    now = now or timezone.now()
    other = Side.PRODUCER if side == Side.BUYER else Side.BUYER
    if sender.pk not in organization_ids_of(user, event) or not is_participant(event, sender.pk, side):
        raise NotAParticipant(_("You do not take part in matchmaking for this organization."))
    if not is_participant(event, counterpart.pk, other):
        raise InvalidRequest(_("That organization is not a participant on the other side."), code="bad_counterpart")
    message = (message or "").strip()
    if not message:
        raise InvalidRequest(_("Please write a short message to introduce your request."), code="no_message")
    if not 2 <= party_size <= MAX_PARTY:
        raise InvalidRequest(_("A meeting has between 2 and %(n)s people.") % {"n": MAX_PARTY}, code="bad_party")
    buyer, producer = (sender, counterpart) if side == Side.BUYER else (counterpart, sender)
    wanted = set(product_ids)
    products = list(Product.objects.certified().filter(producer=producer, pk__in=wanted))
    if len(products) != len(wanted):
        raise InvalidRequest(_("Choose products of this producer that hold a valid OCOP certificate."),
                             code="bad_products")
    # Serialize a sender's requests so two tabs cannot both slip under the quota.
    Organization.objects.select_for_update().filter(pk=sender.pk).first()
    expire_stale_requests(event=event, now=now)
    config = settings_for(event)
    open_sent = MeetingRequest.objects.filter(
        event=event, status__in=WAITING, from_side=side, **{side: sender}).count()
    if open_sent >= config.max_open_requests:
        raise QuotaExceeded(_("You already have %(n)s requests waiting for an answer; wait for answers or cancel "
                              "one first.") % {"n": config.max_open_requests}, code="open_quota")
    if MeetingRequest.objects.filter(event=event, buyer=buyer, producer=producer, status__in=LIVE).exists():
        raise DuplicateRequest(_("There is already an open request between you and this organization."))
    _check_meeting_quota(event, buyer.pk, producer.pk)
    if products:
        group = Counter(p.group for p in products).most_common(1)[0][0]
    else:
        group = (Product.objects.filter(producer=producer).order_by("-stars", "name")
                 .values_list("group", flat=True).first() or "")
    score = pair_score(event=event, buyer=buyer, producer=producer)
    try:
        with transaction.atomic():
            request = MeetingRequest.objects.create(
                event=event, buyer=buyer, producer=producer, from_side=side, requested_by=user, message=message,
                product_group=group, score=score, priority=priority_for(score), party_size=party_size,
                created_at=now, expires_at=now + timedelta(hours=config.request_ttl_hours),
            )
    except IntegrityError:
        raise DuplicateRequest(_("There is already an open request between you and this organization."))
    request.products.set(products)
    return request


def _locked_request(event: Event, request_id: int) -> MeetingRequest:
    try:
        return MeetingRequest.objects.select_for_update().get(event=event, pk=request_id)
    except MeetingRequest.DoesNotExist:
        raise InvalidRequest(_("No such meeting request."), code="no_request")


def respond_to_request(
    *, event: Event, request_id: int, user, action: str, slot_id: int | None = None, answer: str = "",
    now: datetime | None = None,
) -> MeetingRequest:
    """Answer a request: ``accept``, ``decline`` or ``propose`` another slot. Only the side whose turn it is may
    answer (the recipient; after a counter-proposal, the sender); expired requests cannot be answered."""
    now = now or timezone.now()
    expire_stale_requests(event=event, now=now)
    with transaction.atomic():
        request = _locked_request(event, request_id)
        if request.status == Status.EXPIRED:
            raise RequestExpired(_("This request expired before it was answered."))
        if request.status not in WAITING:
            raise RequestNotOpen(_("This request has already been answered."))
        answering = request.buyer_id if request.recipient_side() == Side.BUYER else request.producer_id
        if answering not in organization_ids_of(user, event):
            raise NotYourTurn(_("It is not your turn to answer this request."))
        request.answer = (answer or "").strip()[:1000]
        request.responded_at, request.responded_by = now, user
        if action == "accept":
            # Lock both organizations (in id order) so parallel accepts cannot both slip under the quota.
            list(Organization.objects.select_for_update().filter(
                pk__in=[request.buyer_id, request.producer_id]).order_by("pk").values_list("pk", flat=True))
            _check_meeting_quota(event, request.buyer_id, request.producer_id)
            if request.status == Status.PROPOSED:
                request.agreed_slot = request.proposed_slot
            request.status = Status.ACCEPTED
        elif action == "decline":
            request.status = Status.DECLINED
        elif action == "propose":
            if request.status != Status.PENDING:
                raise RequestNotOpen(_("A new time can only be proposed once."), code="already_proposed")
            slot = MeetingSlot.objects.filter(session__event=event, pk=slot_id).first()
            if slot is None:
                raise InvalidRequest(_("Choose one of the meeting slots."), code="bad_slot")
            request.status, request.proposed_slot = Status.PROPOSED, slot
            request.expires_at = now + timedelta(hours=settings_for(event).request_ttl_hours)
        else:
            raise InvalidRequest(_("Unknown answer."), code="bad_action")
        request.save()
        broadcast_on_commit(event.pk, "matchmaking", {"type": "matchmaking.changed", "request": request.pk})
        return request


@transaction.atomic
def cancel_request(*, event: Event, request_id: int, user) -> MeetingRequest:
    """The sender may withdraw a waiting request; either side may call off an accepted meeting not yet held."""
    request = _locked_request(event, request_id)
    mine = organization_ids_of(user, event)
    if not mine & {request.buyer_id, request.producer_id}:
        raise NotAParticipant(_("This request is not yours."))
    if request.status in WAITING:
        sender = request.buyer_id if request.from_side == Side.BUYER else request.producer_id
        if sender not in mine:
            raise NotYourTurn(_("Only the sender can withdraw a request; you can decline it."))
    elif request.status == Status.ACCEPTED:
        meeting = Meeting.objects.filter(request=request).first()
        if meeting and meeting.status != Meeting.Status.SCHEDULED:
            raise RequestNotOpen(_("This meeting already took place."), code="meeting_done")
        if meeting:
            meeting.delete()
    else:
        raise RequestNotOpen(_("This request is already closed."))
    request.status = Status.CANCELLED
    request.save(update_fields=["status"])
    broadcast_on_commit(event.pk, "matchmaking", {"type": "matchmaking.changed", "request": request.pk})
    return request
