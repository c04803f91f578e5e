"""Every websocket route × every role: connect is accepted or refused as the table below says.

Routes are discovered from eventsite.routing.websocket_urlpatterns (each app's routing.py), so a route added by
a later app (agenda, booths…) is tested the day it appears — and fails until its expected roles are written in
EXPECTED. Connections go through the real ASGI application (origin check, session auth middleware) with the
session cookie of a signed-in user, as a browser would.
"""

from __future__ import annotations

import pytest
from asgiref.sync import async_to_sync
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.test import Client

from eventsite.models import EventRole
from eventsite.routing import websocket_urlpatterns
from tests.factories import EventFactory, user_with_role

Role = EventRole.Role
ROLES = ["anonymous", Role.BUYER, Role.EXHIBITOR, Role.SPEAKER, Role.DESK_STAFF, Role.ORGANIZER, "other_organizer"]
PUBLIC = "public"

# Route → who may connect at their own event ("public": anyone, signed in or not).
EXPECTED: dict[str, str | frozenset[str]] = {
    "ws/e/<slug:event_slug>/checkin/": frozenset({Role.ORGANIZER}),  # live check-in counts: organizers
    "ws/e/<slug:event_slug>/agreements/": PUBLIC,  # big-screen tally: public counts only, never values
    "ws/e/<slug:event_slug>/matchmaking/board/": frozenset({Role.ORGANIZER, Role.DESK_STAFF}),  # staff board
    "ws/e/<slug:event_slug>/agenda/": PUBLIC,  # published agenda: every visitor and venue screen
    "ws/e/<slug:event_slug>/floorplan/": PUBLIC,  # booth statuses, as shown on the public plan
}

ROUTES = sorted(str(pattern.pattern) for pattern in websocket_urlpatterns)


def test_every_websocket_route_has_expected_roles():
    unknown = [route for route in ROUTES if route not in EXPECTED]
    assert not unknown, f"websocket routes without an entry in EXPECTED (who may connect?): {unknown}"
    assert all(route.startswith("ws/e/<slug:event_slug>/") for route in ROUTES), ROUTES


def may_connect(route: str, who: str) -> bool:
    allowed = EXPECTED[route]
    if allowed == PUBLIC:
        return True
    return who in allowed  # "anonymous" and "other_organizer" are never in a role set


async def connect(path: str, cookie: str | None) -> bool:
    from eventsite.asgi import application

    host = settings.ALLOWED_HOSTS[0]
    headers = [(b"origin", f"http://{host}".encode()), (b"host", host.encode())]
    if cookie:
        headers.append((b"cookie", cookie.encode()))
    communicator = WebsocketCommunicator(application, path, headers=headers)
    connected, _code = await communicator.connect(timeout=5)
    if connected:
        await communicator.disconnect()
    return connected


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("who", ROLES)
@pytest.mark.parametrize("route", ROUTES)
def test_websocket_permission_matrix(route, who):
    if route not in EXPECTED:
        pytest.fail(f"add {route!r} to EXPECTED in {__name__}")
    event = EventFactory()
    cookie = None
    if who != "anonymous":
        user = user_with_role(EventFactory() if who == "other_organizer" else event,
                              Role.ORGANIZER if who == "other_organizer" else who)
        client = Client()
        client.force_login(user)
        cookie = f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"
    path = "/" + route.replace("<slug:event_slug>", event.slug)
    assert async_to_sync(connect)(path, cookie) is may_connect(route, who), (route, who)


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("route", ROUTES)
def test_unknown_event_is_refused(route):
    """Nobody follows an event that does not exist (no group for a guessed slug)."""
    if route not in EXPECTED:
        pytest.fail(f"add {route!r} to EXPECTED in {__name__}")
    assert async_to_sync(connect)("/" + route.replace("<slug:event_slug>", "khong-ton-tai"), None) is False
