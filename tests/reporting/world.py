"""An event with something in every part of the official report: exhibitors on booths with OCOP products, buyers
of several types, check-ins, sessions held and cancelled, and agreements of two types."""

from __future__ import annotations

import uuid
from datetime import timedelta

from agenda.models import Session
from booths.models import Booking, BookingStatus
from checkin.services import checkin
from eventsite.models import EventRole
from registration.models import BuyerType, RegistrationStatus
from tests.agenda.factories import SessionFactory
from tests.agreements.factories import agreement, dept, member, organizer, retailer
from tests.booths.factories import BoothFactory, HallFactory, exhibitor
from tests.factories import DAY1, EventFactory, OrganizationFactory, ProductFactory
from tests.registration.factories import RegistrationFactory

BUYER_NAME, BUYER_EMAIL, BUYER_PHONE = "Lê Thị Bích Ngọc", "ngoc.private@example.vn", "0912 345 678"


def build_world(**event_kw):
    """Returns (event, organizer user). Figures: 3 exhibitors on 3 booths; products 1×5★, 2×4★, 1×3★; 4 approved
    buyers (2 supermarket chains, 1 distributor, 1 not stated) and 1 pending; 2 check-ins (both buyers); sessions: 2
    ended (one a signing ceremony), 1 to come, 1 cancelled; agreements: 3 business ↔ distributor with 2 distinct
    distributors, 1 department ↔ department."""
    event = EventFactory(**event_kw)
    boss = organizer(event)
    hall = HallFactory(event=event)
    stars = [[5, 4], [4], [3]]
    for i, ratings in enumerate(stars):
        application = exhibitor(event)
        for rating in ratings:
            ProductFactory(producer=application.organization, stars=rating)
        Booking.objects.create(event=event, booth=BoothFactory(hall=hall), application=application,
                               status=BookingStatus.CONFIRMED if i else BookingStatus.RESERVED)
    BoothFactory(hall=hall)  # a free booth
    approved = [RegistrationFactory(event=event, status=RegistrationStatus.APPROVED, buyer_type=kind)
                for kind in (BuyerType.SUPERMARKET, BuyerType.SUPERMARKET, BuyerType.DISTRIBUTOR, "")]
    approved[0].full_name, approved[0].email, approved[0].phone = BUYER_NAME, BUYER_EMAIL, BUYER_PHONE
    approved[0].save()
    RegistrationFactory(event=event, status=RegistrationStatus.PENDING, buyer_type=BuyerType.EXPORTER)
    desk = member(event, EventRole.Role.DESK_STAFF)
    for registration in approved[:2]:
        assert checkin.checkin_registration(registration_id=registration.pk, gate="Cổng A", nonce=uuid.uuid4().hex,
                                            device_or_user=desk, event=event).ok
    past = DAY1 - timedelta(days=1)
    SessionFactory(event=event, starts_at=past, status=Session.Status.ENDED)
    SessionFactory(event=event, starts_at=past, type=Session.Type.SIGNING)  # ended by the clock
    SessionFactory(event=event, starts_at=DAY1 + timedelta(days=1))
    SessionFactory(event=event, starts_at=past, status=Session.Status.CANCELLED)
    chain_a, chain_b = retailer(name="Co.opmart Cà Mau"), retailer(name="Bách Hóa Xanh")
    for buyer in (chain_a, chain_b, chain_a):
        agreement(event, buyer=buyer, value=500_000_000)
    agreement(event, kind="dept_dept", parties=None, seller=dept(96), buyer=dept(79), value=None)
    OrganizationFactory()  # unrelated
    return event, boss
