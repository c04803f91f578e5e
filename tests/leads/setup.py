"""A fair with two exhibitors' booths, their staff and buyers holding badges (lead capture tests)."""

from __future__ import annotations

from dataclasses import dataclass

from booths.models import Booking, BookingStatus
from eventsite.models import EventRole, Organization
from leads.models import BoothStaff
from registration.models import Registration, RegistrationRole, RegistrationStatus
from registration.services.badges import ensure_badge, token_for
from registration.services.consent import set_contact_consent
from tests.booths.factories import BoothFactory, HallFactory, exhibitor
from tests.factories import EventFactory, EventRoleFactory, OrganizationFactory, ProductFactory, UserFactory


@dataclass
class Fair:
    event: object
    booth: object
    other_booth: object
    owner: object
    staff: object
    other_staff: object
    org: object
    products: list


def make_buyer(event, n: int, *, consent: bool, user=None):
    user = user or UserFactory(email=f"buyer{n}-{event.pk}@example.vn", full_name=f"Lê Thị Mua {n}")
    org = OrganizationFactory(name=f"Siêu thị Mua Sắm {n}", kind=Organization.Kind.RETAIL_CHAIN)
    reg = Registration.objects.create(
        event=event, user=user, organization=org, role=RegistrationRole.BUYER, status=RegistrationStatus.APPROVED,
        full_name=f"Lê Thị Mua {n}", company=org.name, email=user.email, phone=f"09120000{n:02d}",
        job_title="Trưởng phòng thu mua", buyer_type="supermarket", email_claimed=True)
    EventRoleFactory(event=event, user=user, role=EventRole.Role.BUYER, organization=org)
    set_contact_consent(registration=reg, shared=consent, actor=user)
    return reg, token_for(ensure_badge(reg))


def make_fair(event=None) -> Fair:
    event = event or EventFactory()
    hall = HallFactory(event=event)
    booths = []
    apps = []
    for _ in range(2):
        app = exhibitor(event)
        booth = BoothFactory(hall=hall)
        Booking.objects.create(event=event, booth=booth, application=app, status=BookingStatus.CONFIRMED)
        booths.append(booth)
        apps.append(app)
    staff, other_staff = UserFactory(), UserFactory()
    for booth, user in ((booths[0], staff), (booths[1], other_staff)):
        BoothStaff.objects.create(event=event, booth=booth, user=user)
        EventRole.objects.create(event=event, user=user, role=EventRole.Role.BOOTH_STAFF)
    products = [ProductFactory(producer=apps[0].organization, name=f"Mật ong rừng U Minh {i}") for i in range(2)]
    return Fair(event, booths[0], booths[1], apps[0].applicant, staff, other_staff, apps[0].organization, products)
