"""Every event page × every role: the page's declared roles are enforced, and nothing leaks across events.

Pages are discovered from the URL configuration, so a new page is covered the day it is added. Each
event-scoped view must go through ``eventsite.access.event_view`` (which records ``required_roles``);
views that need more than ``event_slug`` are exercised with their own objects in their app's tests.
"""

from __future__ import annotations

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from eventsite.models import EventRole
from tests.factories import EventFactory, user_with_role

Role = EventRole.Role
ROLES = ["anonymous", Role.BUYER, Role.EXHIBITOR, Role.SPEAKER, Role.DESK_STAFF, Role.ORGANIZER, "other_organizer"]


def walk(patterns, prefix=""):
    for p in patterns:
        if isinstance(p, URLResolver):
            yield from walk(p.url_patterns, prefix + str(p.pattern))
        elif isinstance(p, URLPattern):
            yield prefix + str(p.pattern), p


def event_pages() -> list[tuple[str, URLPattern]]:
    pages = []
    for route, pattern in walk(get_resolver().url_patterns):
        if route.startswith("e/<slug:event_slug>/") and route.count("<") == 1:
            pages.append((route, pattern))
    return sorted(pages, key=lambda p: p[0])


PAGES = event_pages()


def test_every_event_page_declares_its_roles():
    undeclared = [route for route, pattern in PAGES if not hasattr(pattern.callback, "required_roles")]
    assert not undeclared, f"event pages not behind eventsite.access.event_view: {undeclared}"


# Routes whose role may call them, but whose business rule then refuses this caller with 403 (the matrix
# users hold the role and nothing else). Each entry says why.
BUSINESS_RULE_403 = {
    "e/<slug:event_slug>/booths/hold/": "an exhibitor needs an approved application to book",
    "e/<slug:event_slug>/booths/reserve/": "an exhibitor needs an approved application to book",
    "e/<slug:event_slug>/booths/cancel/": "an exhibitor needs an approved application to book",
    "e/<slug:event_slug>/booths/waitlist/join/": "an exhibitor needs an approved application to wait for a booth",
    "e/<slug:event_slug>/booths/waitlist/leave/": "an exhibitor needs an approved application to wait for a booth",
    "e/<slug:event_slug>/matchmaking/table-check-in/": "an exhibitor runs only the meeting tables at its booth",
    "e/<slug:event_slug>/leads/": "an exhibitor sees the leads of the booths it holds (none here)",
    "e/<slug:event_slug>/leads/scan/": "an exhibitor scans at the booths it holds (none here)",
    "e/<slug:event_slug>/leads/scan/submit/": "an exhibitor scans at the booths it holds (none here)",
    "e/<slug:event_slug>/leads/scan/upload/": "an exhibitor scans at the booths it holds (none here)",
    "e/<slug:event_slug>/leads/staff/": "an exhibitor invites staff to the booths it holds (none here)",
}


def expected(required, who) -> str:
    if required is None:
        return "public"
    if who == "anonymous":
        return "login"
    return "allowed" if who in required else "forbidden"


@pytest.mark.django_db
@pytest.mark.parametrize("who", ROLES)
@pytest.mark.parametrize("route,pattern", PAGES, ids=[r for r, _ in PAGES])
def test_permission_matrix(client, route, pattern, who):
    event = EventFactory(slug="matrix")
    if who == "other_organizer":
        client.force_login(user_with_role(EventFactory(slug="other"), Role.ORGANIZER))
    elif who != "anonymous":
        client.force_login(user_with_role(event, who))
    url = "/" + route.replace("<slug:event_slug>", event.slug)
    response = client.get(url)
    if response.status_code == 405:  # a POST-only action: ask it the way a form would (empty body)
        response = client.post(url)
    outcome = expected(pattern.callback.required_roles, who)
    if outcome == "public":
        # Open to everyone; a page for any signed-in person may send the anonymous to log in.
        assert response.status_code not in (401, 403) and response.status_code < 500, (url, who, response.status_code)
        if response.status_code == 302 and who != "anonymous":
            assert "/accounts/login/" not in response.url, (url, who)
    elif outcome == "allowed" and response.status_code == 403:
        assert route in BUSINESS_RULE_403, (url, who, "refused although the page lets this role in")
    elif outcome == "allowed":
        # Allowed callers may still get a validation error or "nothing here" (404), never a refusal.
        assert response.status_code not in (401, 403) and response.status_code < 500, (url, who, response.status_code)
        if response.status_code == 302:
            assert "/accounts/login/" not in response.url, (url, who)
    elif outcome == "login":
        assert response.status_code == 302 and response.url.startswith("/accounts/login/"), (url, response)
    else:
        assert response.status_code == 403, (url, who, response.status_code)
