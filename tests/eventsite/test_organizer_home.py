"""The organizer home shows exactly the event's figures: a small event with known numbers, plus noise that must
not be counted (another event, expired or cancelled bookings, blocked booths, products of non-exhibitors)."""

from __future__ import annotations

import html
import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext

from booths.models import ApplicationStatus, Booking, BookingStatus
from eventsite.models import EventRole
from tests.booths.factories import ApplicationFactory, BoothFactory, HallFactory
from tests.factories import EventFactory, EventRoleFactory, OrganizationFactory, ProductFactory, user_with_role

Role = EventRole.Role
pytestmark = pytest.mark.django_db
FIGURE = re.compile(r'<span class="value">([^<]*)</span>\s*([^<]+?)\s*</')


def build_event(event, *, noise: bool):
    """At ``event``: 6 booths (1 blocked), 2 taken, 4 exhibitors approved, 1 application to review,
    3 exhibitor roles for 2 producers with 5 products between them, 3 buyers, 1 speaker."""
    hall = HallFactory(event=event)
    booths = [BoothFactory(hall=hall) for _ in range(6)]
    booths[5].blocked = True
    booths[5].save()
    approved = [ApplicationFactory(event=event, status=ApplicationStatus.APPROVED) for _ in range(4)]
    ApplicationFactory(event=event, status=ApplicationStatus.SUBMITTED)
    ApplicationFactory(event=event, status=ApplicationStatus.REJECTED)
    ApplicationFactory(event=event, status=ApplicationStatus.WITHDRAWN)
    now = timezone.now()
    Booking.objects.create(event=event, booth=booths[0], application=approved[0], status=BookingStatus.CONFIRMED)
    Booking.objects.create(event=event, booth=booths[1], application=approved[1], status=BookingStatus.HELD,
                           hold_expires_at=now + timedelta(minutes=10))
    # Not taking a booth: an expired hold, a cancelled and a vacated booking.
    Booking.objects.create(event=event, booth=booths[2], application=approved[2], status=BookingStatus.HELD,
                           hold_expires_at=now - timedelta(minutes=1))
    Booking.objects.create(event=event, booth=booths[3], application=approved[2], status=BookingStatus.CANCELLED)
    Booking.objects.create(event=event, booth=booths[3], application=approved[1], status=BookingStatus.VACATED)

    coop, household = OrganizationFactory(), OrganizationFactory()
    for _ in range(3):
        ProductFactory(producer=coop)
    for _ in range(2):
        ProductFactory(producer=household)
    # Two people exhibit for the cooperative: its products count once.
    EventRoleFactory(event=event, role=Role.EXHIBITOR, organization=coop)
    EventRoleFactory(event=event, role=Role.EXHIBITOR, organization=coop)
    EventRoleFactory(event=event, role=Role.EXHIBITOR, organization=household)
    buyer = EventRoleFactory(event=event, role=Role.BUYER).organization
    ProductFactory(producer=buyer)  # a buyer's own products are not on show
    EventRoleFactory(event=event, role=Role.BUYER)
    EventRoleFactory(event=event, role=Role.BUYER)
    EventRoleFactory(event=event, role=Role.SPEAKER)
    if noise:
        ProductFactory(producer=OrganizationFactory())  # a producer that does not exhibit


EXPECTED = {
    "exhibitors": 3, "OCOP products": 5, "buyers": 3, "booths free": 3, "booths taken": 2,
    "exhibitors approved": 4, "applications to review": 1, "speakers": 1,
}


@pytest.fixture
def event():
    event = EventFactory(slug="ca-mau")
    build_event(event, noise=True)
    build_event(EventFactory(slug="soc-trang"), noise=False)  # another event's figures stay there
    return event


def test_organizer_home_counts_match_the_event(client, event):
    client.force_login(user_with_role(event, Role.ORGANIZER))
    response = client.get(reverse("organizer_home", kwargs={"event_slug": event.slug}))
    with translation.override("en"):  # after the request: its middleware activates the page's language
        stats = {str(s.label): s.value for s in response.context["stats"]}
    for label, value in EXPECTED.items():
        assert stats[label] == value, label


def test_organizer_home_page_shows_the_counts_in_vietnamese(client, event):
    client.force_login(user_with_role(event, Role.ORGANIZER))
    response = client.get(reverse("organizer_home", kwargs={"event_slug": event.slug}))
    shown = {html.unescape(label): html.unescape(value) for value, label in FIGURE.findall(response.content.decode())}
    with translation.override("vi"):
        for label, value in EXPECTED.items():
            assert shown[gettext(label)] == str(value), label
