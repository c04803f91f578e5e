"""Who gets which core page: anonymous, buyer, exhibitor, desk staff, speaker, organizer (and of another event)."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import translation

from eventsite.models import Event, EventRole
from tests.factories import EventFactory, UserFactory, user_with_role

Role = EventRole.Role
pytestmark = pytest.mark.django_db


@pytest.fixture
def event():
    return EventFactory(slug="ca-mau")


def client_as(client, event, who: str):
    if who == "anonymous":
        return client
    if who == "other_organizer":
        user = user_with_role(EventFactory(), Role.ORGANIZER)
    else:
        user = user_with_role(event, who)
    client.force_login(user)
    return client


ALL = ["anonymous", Role.BUYER, Role.EXHIBITOR, Role.DESK_STAFF, Role.SPEAKER, Role.ORGANIZER, "other_organizer"]


@pytest.mark.parametrize("who", ALL)
def test_home_open_to_everyone(client, event, who):
    response = client_as(client, event, who).get(reverse("home"))
    assert response.status_code == 200
    assert event.name in response.content.decode()


@pytest.mark.parametrize("who", ALL)
def test_event_home_published_open_to_everyone(client, event, who):
    assert client_as(client, event, who).get(event.get_absolute_url()).status_code == 200


@pytest.mark.parametrize("who,status", [
    ("anonymous", 404), (Role.BUYER, 404), (Role.EXHIBITOR, 404), (Role.DESK_STAFF, 404),
    (Role.SPEAKER, 404), ("other_organizer", 404), (Role.ORGANIZER, 200),
])
def test_event_home_draft_only_for_its_organizers(client, event, who, status):
    event.status = Event.Status.DRAFT
    event.save()
    assert client_as(client, event, who).get(event.get_absolute_url()).status_code == status


@pytest.mark.parametrize("who,status", [
    (Role.BUYER, 403), (Role.EXHIBITOR, 403), (Role.DESK_STAFF, 403), (Role.SPEAKER, 403),
    ("other_organizer", 403), (Role.ORGANIZER, 200),
])
def test_organizer_home_only_for_organizers(client, event, who, status):
    url = reverse("organizer_home", kwargs={"event_slug": event.slug})
    assert client_as(client, event, who).get(url).status_code == status


def test_organizer_home_anonymous_goes_to_login(client, event):
    url = reverse("organizer_home", kwargs={"event_slug": event.slug})
    response = client.get(url)
    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))


def test_organizer_home_superuser_allowed(client, event):
    client.force_login(UserFactory(is_superuser=True, is_staff=True))
    assert client.get(reverse("organizer_home", kwargs={"event_slug": event.slug})).status_code == 200


def test_organizer_home_shows_role_counts(client, event):
    for _ in range(3):
        user_with_role(event, Role.BUYER)
    client.force_login(user_with_role(event, Role.ORGANIZER))
    response = client.get(reverse("organizer_home", kwargs={"event_slug": event.slug}))
    assert "người mua" in response.content.decode()
    with translation.override("en"):
        stats = {str(s.label): s.value for s in response.context["stats"]}
    assert stats["buyers"] == 3


def test_unknown_event_is_404(client):
    assert client.get("/e/khong-co/").status_code == 404


def test_navigation_shows_organizer_link_only_to_organizers(client, event):
    organizer_url = reverse("organizer_home", kwargs={"event_slug": event.slug})
    client.force_login(user_with_role(event, Role.BUYER))
    assert organizer_url not in client.get(event.get_absolute_url()).content.decode()
    client.force_login(user_with_role(event, Role.ORGANIZER))
    assert organizer_url in client.get(event.get_absolute_url()).content.decode()
