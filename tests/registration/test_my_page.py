"""The attendee's own page at an event: registration state and badge, then meetings and agreements that the other
apps add through the ``my_event_parts`` hook."""

from __future__ import annotations

import pytest
from django.urls import reverse

from matchmaking.services import scheduling
from registration.services import registrations as svc
from tests.agreements.factories import agreement
from tests.factories import UserFactory
from tests.matchmaking.factories import Party, accepted_request, fair, generous_quotas, grid

from .factories import RegistrationFactory, RegistrationSettingsFactory

pytestmark = pytest.mark.django_db


MEETINGS_HEADING = ">Gặp gỡ B2B</h2>"


def my_page(client, event) -> str:
    return client.get(reverse("registration:my_event", kwargs={"event_slug": event.slug})).content.decode()


def test_approved_buyer_sees_registration_badge_meetings_and_agreements(client):
    f = fair(buyers=0, producers=1)
    RegistrationSettingsFactory(event=f.event)
    generous_quotas(f.event)
    user = UserFactory()
    registration = RegistrationFactory(event=f.event, user=user, company="Siêu thị Tứ Sơn", province_code=92)
    client.force_login(user)
    page = my_page(client, f.event)
    assert "Chờ duyệt" in page and "badge.pdf" not in page
    # No role yet, so no meetings part (its heading, not the letters "B2B": a random CSRF token can hold those).
    assert MEETINGS_HEADING not in page and "matchmaking/schedule" not in page

    svc.approve(registration=registration)
    registration.refresh_from_db()
    buyer = Party(registration.organization, user)
    producer = f.producers[0]
    request = accepted_request(f, buyer, producer)
    (slot, *_), (table, *_) = grid(f)
    scheduling.place_meeting(event=f.event, request_id=request.pk, slot_id=slot.pk, table_id=table.pk)
    agreement(f.event, buyer=buyer.org, seller=producer.org, title="Cung ứng mật ong U Minh")

    page = my_page(client, f.event)
    assert "Đã duyệt" in page and MEETINGS_HEADING in page
    assert reverse("registration:badge_pdf", kwargs={"event_slug": f.event.slug,
                                                     "registration_id": registration.pk}) in page
    assert f"với {producer.org.name}" in page and f"bàn {table.number}" in page
    assert "Cung ứng mật ong U Minh" in page

    stranger = UserFactory()
    client.force_login(stranger)
    page = my_page(client, f.event)
    assert "Cung ứng mật ong U Minh" not in page and producer.org.name not in page
    assert "Chưa có đăng ký nào" in page


def test_anonymous_visitor_is_asked_to_log_in(client):
    event = RegistrationSettingsFactory().event
    page = my_page(client, event)
    assert reverse("account_login") in page
