"""The header's event switcher: the caller's own events first, then other published events; drafts only to their
organizers; archived events only to people who had a role there."""

from __future__ import annotations

import re
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.test import RequestFactory

from eventsite.context_processors import SWITCHER_LIMIT, _switcher_events
from eventsite.models import Event, EventRole
from tests.factories import EventFactory, EventRoleFactory, UserFactory

Role = EventRole.Role
Status = Event.Status
VN = ZoneInfo("Asia/Ho_Chi_Minh")
pytestmark = pytest.mark.django_db
SWITCHER = re.compile(r'<details class="dropdown event-switcher">.*?</details>', re.S)
LINK = re.compile(r'href="/e/([^/"]+)/"')


def on(year, month):
    return datetime(year, month, 10, 8, 0, tzinfo=VN)


@pytest.fixture
def events():
    return {
        "old": EventFactory(slug="bac-lieu-2025", starts_at=on(2025, 5)),
        "new": EventFactory(slug="ca-mau-2026", starts_at=on(2026, 12)),
        "newest": EventFactory(slug="can-tho-2027", starts_at=on(2027, 3)),
        "archived": EventFactory(slug="soc-trang-2020", starts_at=on(2020, 11), status=Status.ARCHIVED),
        "draft": EventFactory(slug="ca-mau-2028", starts_at=on(2028, 1), status=Status.DRAFT),
    }


def switcher_slugs(client, event) -> list[str]:
    """The slugs the switcher lists, in order, as rendered on ``event``'s page."""
    response = client.get(event.get_absolute_url())
    assert response.status_code == 200
    listed = [e.slug for e in response.context["switcher_events"]]
    rendered = LINK.findall(SWITCHER.search(response.content.decode()).group(0))
    assert rendered == listed
    return listed


def test_switcher_anonymous_sees_published_events_newest_first(client, events):
    assert switcher_slugs(client, events["new"]) == ["can-tho-2027", "ca-mau-2026", "bac-lieu-2025"]


def test_switcher_lists_the_users_events_first(client, events):
    user = UserFactory()
    EventRoleFactory(event=events["old"], user=user, role=Role.BUYER)
    EventRoleFactory(event=events["archived"], user=user, role=Role.EXHIBITOR)
    EventRoleFactory(event=events["draft"], user=user, role=Role.BUYER)  # not the draft's organizer
    client.force_login(user)
    assert switcher_slugs(client, events["new"]) == [
        "bac-lieu-2025", "soc-trang-2020",  # mine (the archived one too), newest first
        "can-tho-2027", "ca-mau-2026",  # then the other published ones
    ]


def test_switcher_shows_a_draft_to_its_organizers_only(client, events):
    organizer = UserFactory()
    EventRoleFactory(event=events["draft"], user=organizer, role=Role.ORGANIZER)
    client.force_login(organizer)
    assert switcher_slugs(client, events["draft"]) == ["ca-mau-2028", "can-tho-2027", "ca-mau-2026",
                                                        "bac-lieu-2025"]
    other_organizer = UserFactory()
    EventRoleFactory(event=events["new"], user=other_organizer, role=Role.ORGANIZER)
    client.force_login(other_organizer)
    assert switcher_slugs(client, events["new"]) == ["ca-mau-2026", "can-tho-2027", "bac-lieu-2025"]


def test_switcher_keeps_the_users_events_when_the_list_is_full(client, events, django_assert_num_queries):
    for i in range(SWITCHER_LIMIT + 2):
        EventFactory(starts_at=on(2029, 1 + i % 12))
    user = UserFactory()
    EventRoleFactory(event=events["old"], user=user, role=Role.SPEAKER)
    request = RequestFactory().get("/")
    request.user = user
    with django_assert_num_queries(1):
        listed = _switcher_events(request)
    assert len(listed) == SWITCHER_LIMIT
    assert listed[0] == events["old"]
    assert events["draft"] not in listed and events["archived"] not in listed
