"""Matchmaking test data: a small fair with buyers, producers and their OCOP products."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from catalog.ocop import ProductGroup, SubGroup
from eventsite.models import Event, EventRole, Organization, User
from matchmaking.models import MeetingRequest, Side
from matchmaking.services import requests, scheduling
from matchmaking.services.participants import settings_for
from tests.factories import DAY2, EventFactory, OrganizationFactory, ProductFactory, UserFactory

VN = ZoneInfo("Asia/Ho_Chi_Minh")
Kind = Organization.Kind


@dataclass
class Party:
    org: Organization
    user: User


@dataclass
class Fair:
    event: Event
    organizer: User
    desk: User
    buyers: list[Party] = field(default_factory=list)
    producers: list[Party] = field(default_factory=list)


def party(event: Event, role: str, kind: str = Kind.RETAIL_CHAIN, name: str | None = None) -> Party:
    org = OrganizationFactory(kind=kind, **({"name": name} if name else {}))
    user = UserFactory()
    EventRole.objects.create(event=event, user=user, role=role, organization=org)
    return Party(org, user)


def fair(buyers: int = 2, producers: int = 2, **event_kwargs) -> Fair:
    event = EventFactory(**event_kwargs)
    organizer, desk = UserFactory(), UserFactory()
    EventRole.objects.create(event=event, user=organizer, role=EventRole.Role.ORGANIZER, organization=event.organizer)
    EventRole.objects.create(event=event, user=desk, role=EventRole.Role.DESK_STAFF, organization=event.organizer)
    f = Fair(event, organizer, desk)
    kinds = [Kind.RETAIL_CHAIN, Kind.ECOMMERCE, Kind.EXPORTER, Kind.DISTRIBUTOR]
    for i in range(buyers):
        f.buyers.append(party(event, EventRole.Role.BUYER, kinds[i % len(kinds)]))
    for _ in range(producers):
        p = party(event, EventRole.Role.EXHIBITOR, Kind.COOPERATIVE)
        ProductFactory(producer=p.org, name="Nước mắm cá cơm", group=ProductGroup.FOOD,
                       subgroup=SubGroup.CONDIMENT, stars=4, monthly_capacity="10.000 lít",
                       description="Nước mắm truyền thống Cà Mau")
        f.producers.append(p)
    return f


def accepted_request(f: Fair, buyer: Party, producer: Party, **kwargs) -> MeetingRequest:
    r = requests.create_request(event=f.event, sender=buyer.org, side=Side.BUYER, counterpart=producer.org,
                                user=buyer.user, message="Xin gặp để trao đổi", **kwargs)
    return requests.respond_to_request(event=f.event, request_id=r.pk, user=producer.user, action="accept")


def grid(f: Fair, *, slots: int = 3, tables: int = 2, start: datetime | None = None, seats: int = 4):
    start = start or DAY2
    session = scheduling.create_session(event=f.event, name="Phiên sáng", starts_at=start,
                                        ends_at=start + timedelta(minutes=20 * slots), slot_minutes=20)
    made = scheduling.add_tables(event=f.event, count=tables, seats=seats)
    return list(session.slots.order_by("starts_at")), made


def generous_quotas(event: Event, open_requests: int = 500, meetings: int = 100) -> None:
    config = settings_for(event)
    config.max_open_requests, config.max_meetings = open_requests, meetings
    config.save()


TODAY = date.today()
