"""Every websocket route × every role: connect is accepted or refused as the table below says.

Routes are discovered from eventsite.routing.websocket_urlpatterns (each app's routing.py), so a route added by
a later app (agenda, booths…) is tested the day it appears — and fails until its expected roles are written in
EXPECTED. Connections go through the real ASGI application (origin check, session auth middleware) with the
session cookie of a signed-in user, as a browser would.
"""

from __future__ import annotations

import asyncio

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



STAYS_OPEN = "stays open"
# Route → close code when an organizer's open socket loses the role (the session going always closes: 4401).
ON_ROLE_REMOVED: dict[str, int | str] = {
    "ws/e/<slug:event_slug>/checkin/": 4403,  # organizers only
    "ws/e/<slug:event_slug>/matchmaking/board/": 4403,  # staff only
    "ws/e/<slug:event_slug>/agenda/": 4401,  # still public, but the draft feed is organizers': reconnect without it
    "ws/e/<slug:event_slug>/agreements/": STAYS_OPEN,  # public counts, the same for everyone
    "ws/e/<slug:event_slug>/floorplan/": STAYS_OPEN,  # public booth statuses, the same for everyone
}


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("ending", ["logout", "role removed"])
@pytest.mark.parametrize("route", ROUTES)
def test_open_socket_closes_when_the_organizer_logs_out_or_loses_the_role(route, ending, settings):
    """Every route (so every consumer is built on eventsite.consumers.EventGroupConsumer): an organizer's open socket
    is closed when the session ends or when the role it was let in by goes, at once (signals), not at the next
    heartbeat."""
    if route not in ON_ROLE_REMOVED:
        pytest.fail(f"add {route!r} to ON_ROLE_REMOVED in {__name__}")
    settings.LIVE_HEARTBEAT_SECONDS = 60
    event = EventFactory()
    user = user_with_role(event, Role.ORGANIZER)
    client = Client()
    client.force_login(user)
    cookie = f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"
    path = "/" + route.replace("<slug:event_slug>", event.slug)
    expected = 4401 if ending == "logout" else ON_ROLE_REMOVED[route]

    async def scenario():
        from asgiref.sync import sync_to_async

        from eventsite.asgi import application

        host = settings.ALLOWED_HOSTS[0]
        communicator = WebsocketCommunicator(application, path, headers=[
            (b"origin", f"http://{host}".encode()), (b"host", host.encode()), (b"cookie", cookie.encode())])
        assert (await communicator.connect(timeout=5))[0]
        if ending == "logout":
            await sync_to_async(client.logout)()
        else:
            await sync_to_async(EventRole.objects.filter(event=event, user=user).delete)()
        loop = asyncio.get_running_loop()
        deadline = loop.time() + 3
        while loop.time() < deadline:
            if await communicator.receive_nothing(timeout=0.1):  # (receive_output's timeout would cancel the app)
                continue
            output = await communicator.receive_output(timeout=1)
            if output["type"] == "websocket.close":
                return output.get("code")
        await communicator.disconnect()
        return STAYS_OPEN

    assert async_to_sync(scenario)() == expected, (route, ending)
