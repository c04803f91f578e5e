"""B2B matchmaking: profiles for the demo buyers and producers, ~80 requests in every state, two meeting
sessions on 10/12/2026 with 30 tables, scheduled by the optimizer and published.

Everything goes through the matchmaking services (so quotas and invariants hold); rows are looked up by
natural key first, so a second run changes nothing.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.utils import timezone

from catalog.ocop import SubGroup
from eventsite.models import EventRole, Organization
from matchmaking.models import BuyerProfile, Channel, MeetingRequest, MeetingSession, MeetingTable, Side
from matchmaking.services import profiles, recommendations, requests, scheduling
from matchmaking.services.participants import settings_for

VN = ZoneInfo("Asia/Ho_Chi_Minh")
Kind = Organization.Kind

# What each kind of buyer looks for: sub-groups, free-text needs, channels, volume.
NEEDS = {
    Kind.RETAIL_CHAIN: ([SubGroup.PROCESSED, SubGroup.CONDIMENT, SubGroup.RAW], "nước mắm, khô cá, gạo ST25",
                        [Channel.SUPERMARKET], "2 tấn"),
    Kind.DISTRIBUTOR: ([SubGroup.CONDIMENT, SubGroup.PROCESSED, SubGroup.ALCOHOLIC], "mắm, muối tôm, rượu",
                       [Channel.WHOLESALE], "1 tấn"),
    Kind.ECOMMERCE: ([SubGroup.TEA, SubGroup.COFFEE, SubGroup.HERBAL_COSMETIC, SubGroup.PROCESSED],
                     "mật ong, trà, bánh phồng tôm", [Channel.ECOMMERCE], "500 kg"),
    Kind.EXPORTER: ([SubGroup.FRESH, SubGroup.RAW, SubGroup.PROCESSED], "cua biển, tôm khô, gạo",
                    [Channel.EXPORT], "5 tấn"),
    Kind.OTHER: ([SubGroup.TOURISM, SubGroup.FRESH, SubGroup.CONDIMENT], "du lịch sinh thái, cua, mắm",
                 [Channel.HORECA], "300 kg"),
}
PRODUCER_CHANNELS = [[Channel.SUPERMARKET, Channel.WHOLESALE], [Channel.ECOMMERCE, Channel.GIFTS],
                     [Channel.EXPORT, Channel.SUPERMARKET], [Channel.HORECA, Channel.WHOLESALE]]
CERTS = ["VietGAP", "HACCP", "ISO 22000", ""]

# The order in which seeded requests end up: (status, how many).
PLAN = [("accepted", 48), ("pending", 12), ("proposed", 6), ("declined", 7), ("expired", 4), ("cancelled", 3)]


def _users(event) -> dict[int, object]:
    return {r.organization_id: r.user for r in EventRole.objects.filter(
        event=event, role__in=[EventRole.Role.BUYER, EventRole.Role.EXHIBITOR]).select_related("user")}


def _profiles(ctx) -> None:
    event = ctx.event
    if BuyerProfile.objects.filter(event=event).exists():
        return
    for i, buyer in enumerate(ctx.buyers):
        subgroups, needs, channels, volume = NEEDS.get(buyer.kind, NEEDS[Kind.OTHER])
        profiles.save_buyer_profile(
            event=event, organization=buyer, subgroups=subgroups[: 2 + i % 2], min_stars=4 if i % 7 == 3 else 3,
            volume=volume, certifications="VietGAP" if i % 5 == 0 else "", channels=channels, needs=needs)
    for i, producer in enumerate(ctx.producers):
        own = [p for p in ctx.products if p.producer_id == producer.pk]
        if not own:
            continue
        profiles.save_producer_profile(
            event=event, organization=producer, product_ids=[p.pk for p in own if p.is_certificate_valid],
            capacity=own[0].monthly_capacity, certifications=CERTS[i % len(CERTS)],
            channels=PRODUCER_CHANNELS[i % len(PRODUCER_CHANNELS)], pitch="")


def _requests(ctx) -> None:
    event = ctx.event
    if MeetingRequest.objects.filter(event=event).exists():
        return  # seeded already: requests are not looked up one by one, the set is made once
    users = _users(event)
    pairs: list[tuple[Organization, Organization, int]] = []
    seen: set[tuple[int, int]] = set()
    ranked = {b.pk: recommendations.recommend_producers(event=event, buyer=b, limit=None) for b in ctx.buyers}
    for rank in range(4):
        for buyer in ctx.buyers:
            matches = ranked[buyer.pk][:6]
            if rank < len(matches):
                producer = matches[(rank + buyer.pk) % len(matches)].organization
                if (buyer.pk, producer.pk) not in seen:
                    seen.add((buyer.pk, producer.pk))
                    pairs.append((buyer, producer, rank))
    statuses = [s for s, n in PLAN for _ in range(n)]
    random.Random(60).shuffle(statuses)  # every demo login sees a mix of states
    now = timezone.now()
    for k, ((buyer, producer, _rank), status) in enumerate(zip(pairs, statuses, strict=False)):
        from_producer = k % 5 == 4
        sender, side, other = (producer, Side.PRODUCER, buyer) if from_producer else (buyer, Side.BUYER, producer)
        fitting = next((m.products for m in ranked[buyer.pk] if m.organization.pk == producer.pk), [])
        created = now - timedelta(days=30) if status == "expired" else now - timedelta(hours=k % 48)
        request = requests.create_request(
            event=event, sender=sender, side=side, counterpart=other, user=users[sender.pk],
            message=("Chúng tôi muốn trao đổi về khả năng đưa sản phẩm vào hệ thống phân phối." if not from_producer
                     else "Chúng tôi mong được giới thiệu sản phẩm OCOP của đơn vị."),
            product_ids=[p.pk for p in fitting[:2]], party_size=2 + k % 3, now=created)
        answerer = users[other.pk]
        if status == "accepted":
            requests.respond_to_request(event=event, request_id=request.pk, user=answerer, action="accept")
        elif status == "declined":
            requests.respond_to_request(event=event, request_id=request.pk, user=answerer, action="decline",
                                        answer="Cảm ơn, hiện chúng tôi chưa có nhu cầu.")
        elif status == "cancelled":
            requests.cancel_request(event=event, request_id=request.pk, user=users[sender.pk])
        elif status == "proposed":
            ctx.extra.setdefault("to_propose", []).append((request.pk, answerer))
    requests.expire_stale_requests(event=event)


def _grid(ctx) -> None:
    event = ctx.event
    if not MeetingSession.objects.filter(event=event).exists():
        day = datetime(2026, 12, 10, tzinfo=VN)
        scheduling.create_session(event=event, name="Phiên kết nối B2B buổi sáng",
                                  starts_at=day.replace(hour=8, minute=30), ends_at=day.replace(hour=11, minute=30),
                                  slot_minutes=20)
        scheduling.create_session(event=event, name="Phiên kết nối B2B buổi chiều",
                                  starts_at=day.replace(hour=13, minute=30), ends_at=day.replace(hour=16, minute=30),
                                  slot_minutes=20)
    if not MeetingTable.objects.filter(event=event).exists():
        scheduling.add_tables(event=event, count=30, seats=4,
                              booth_codes=[f"B{n:02d}" if n % 3 == 0 else "" for n in range(1, 31)])
    # Counter-proposals need slots, so they are answered once the sessions exist.
    first_slots = list(event.meeting_sessions.first().slots.order_by("starts_at")[:6])
    for i, (request_id, answerer) in enumerate(ctx.extra.pop("to_propose", [])):
        requests.respond_to_request(event=event, request_id=request_id, user=answerer, action="propose",
                                    slot_id=first_slots[i % len(first_slots)].pk,
                                    answer="Chúng tôi bận giờ đầu, xin đề xuất khung giờ này.")
    if settings_for(event).published_at is None:
        scheduling.schedule_all(event=event, publish=True, time_limit=3.0)


def run(ctx) -> None:
    config = settings_for(ctx.event)
    if config.request_ttl_hours == 72:
        config.request_ttl_hours = 24 * 14  # the demo should stay answerable for a while
        config.save(update_fields=["request_ttl_hours"])
    _profiles(ctx)
    _requests(ctx)
    _grid(ctx)
