"""The agenda websocket: who may connect, what each message type carries, and resync after a gap."""

from __future__ import annotations

import json
from functools import wraps

import pytest
from asgiref.sync import async_to_sync
from channels.db import database_sync_to_async
from channels.layers import get_channel_layer
from channels.routing import URLRouter
from channels.testing import WebsocketCommunicator
from django.contrib.auth.models import AnonymousUser
from django.test import Client

from agenda import services
from agenda.relay import Feed, Relay, client_message
from agenda.routing import websocket_urlpatterns
from eventsite.asgi import application as full_application
from eventsite.live import group_name
from eventsite.models import Event, EventRole
from tests.agenda.factories import programme
from tests.factories import EventFactory, UserFactory, user_with_role

pytestmark = pytest.mark.django_db(transaction=True)  # consumers use their own connections
app = URLRouter(websocket_urlpatterns)


def run_async(fn):
    @wraps(fn)
    def wrapper(*args, **kwargs):
        return async_to_sync(fn)(*args, **kwargs)
    return wrapper


def communicator(event, user=None) -> WebsocketCommunicator:
    c = WebsocketCommunicator(app, f"/ws/e/{event.slug}/agenda/")
    c.scope["user"] = user or AnonymousUser()
    return c


class connected:
    """``async with connected(event, user) as ws``: connect, read the greeting, always disconnect."""

    def __init__(self, event, user=None):
        self.ws = communicator(event, user)

    async def __aenter__(self):
        ok, code = await self.ws.connect()
        assert ok, code
        self.greeting = await self.ws.receive_json_from()
        return self.ws

    async def __aexit__(self, *exc):
        await self.ws.disconnect()


@database_sync_to_async
def act(fn, **kwargs):
    """Run a service in its own committed transaction, as a request would; its broadcast leaves on commit."""
    return fn(**kwargs)


@pytest.fixture
def setup():
    event = EventFactory()
    organizer = user_with_role(event, EventRole.Role.ORGANIZER)
    sessions = programme(event, sessions=4, rooms=2)
    services.set_live_control(event=event, enabled=True)
    return event, organizer, sessions


@run_async
async def test_greeting_carries_the_published_version(setup):
    event, _organizer, _sessions = setup
    ws = communicator(event)
    async with connected(event) as ws_:
        assert ws_ is not None
    ok, _code = await ws.connect()
    assert ok
    assert await ws.receive_json_from() == {"type": "state", "version": 1}
    await ws.disconnect()


@run_async
async def test_published_change_reaches_every_client_in_the_group(setup):
    event, organizer, sessions = setup
    async with connected(event) as anonymous, connected(event, organizer) as staff:
        await act(services.shift_session, event=event, session_id=sessions[0].pk, minutes=15, actor=organizer)
        release = await database_sync_to_async(lambda: services.current_release(event)[1])()
        expected = {"type": "published", "version": 2, "published_at": release.published_at.isoformat(),
                    "changes": [{"kind": "moved", "session": sessions[0].pk}]}
        assert await anonymous.receive_json_from() == expected
        assert await staff.receive_json_from() == expected
        await act(services.post_announcement, event=event, text="Mời đại biểu về Hội trường A")
        assert (await anonymous.receive_json_from())["version"] == 3
        assert (await staff.receive_json_from())["changes"] == [{"kind": "announcement", "session": None}]


@run_async
async def test_draft_changes_reach_organizers_only(setup):
    event, organizer, sessions = setup
    buyer = await database_sync_to_async(user_with_role)(event, EventRole.Role.BUYER)
    await act(services.set_live_control, event=event, enabled=False)
    async with connected(event) as anonymous, connected(event, buyer) as buyer_ws, \
            connected(event, organizer) as staff:
        await act(services.cancel_session, event=event, session_id=sessions[1].pk, actor=organizer)
        message = await staff.receive_json_from()
        assert message == {"type": "draft", "live_control": False}
        assert await anonymous.receive_nothing(timeout=0.2)
        assert await buyer_ws.receive_nothing(timeout=0.05)
        # Publishing is what makes the cancellation public.
        await act(services.publish, event=event, actor=organizer)
        assert (await anonymous.receive_json_from())["changes"] == [{"kind": "cancelled", "session": sessions[1].pk}]
        assert (await buyer_ws.receive_json_from())["version"] == 2


@run_async
async def test_client_messages_are_limited_to_ping_and_sync(setup):
    event, organizer, sessions = setup
    async with connected(event) as ws:
        await ws.send_json_to({"action": "ping"})
        assert await ws.receive_json_from() == {"type": "pong"}
        await ws.send_json_to({"action": "sync"})
        assert await ws.receive_json_from() == {"type": "state", "version": 1}
        # Control actions are never accepted over the socket, whoever sends them.
        await ws.send_json_to({"action": "shift", "session": sessions[0].pk, "minutes": 15})
        assert await ws.receive_json_from() == {"type": "error", "code": "unknown_action"}
        await ws.send_to(text_data="not json")
        assert await ws.receive_json_from() == {"type": "error", "code": "bad_message"}
        await ws.send_json_to(["shift"])
        assert await ws.receive_json_from() == {"type": "error", "code": "unknown_action"}
    async with connected(event, organizer) as staff:
        await staff.send_json_to({"action": "cancel", "session": sessions[0].pk})
        assert await staff.receive_json_from() == {"type": "error", "code": "unknown_action"}
    assert await database_sync_to_async(lambda: services.current_release(event)[0])() == 1


@run_async
async def test_draft_events_and_unknown_events_refuse_outsiders():
    @database_sync_to_async
    def make():
        event = EventFactory(status=Event.Status.DRAFT)
        return event, user_with_role(event, EventRole.Role.ORGANIZER), UserFactory()

    event, organizer, stranger = await make()
    for user in (None, stranger):
        ws = communicator(event, user)
        ok, code = await ws.connect()
        assert not ok and code == 4404
        await ws.disconnect()
    async with connected(event, organizer) as ws:
        assert ws is not None
    ws = communicator(EventFactory.build(slug="khong-co"))
    ok, code = await ws.connect()
    assert not ok and code == 4404
    await ws.disconnect()


@run_async
async def test_origin_must_be_an_allowed_host(setup):
    event, _organizer, _sessions = setup
    path = f"/ws/e/{event.slug}/agenda/"
    bad = WebsocketCommunicator(full_application, path, headers=[(b"origin", b"https://evil.example")])
    ok, _code = await bad.connect()
    assert not ok
    await bad.disconnect()
    good = WebsocketCommunicator(full_application, path, headers=[(b"origin", b"http://127.0.0.1")])
    ok, _code = await good.connect()
    assert ok
    assert await good.receive_json_from() == {"type": "state", "version": 1}
    await good.disconnect()


@run_async
async def test_reconnect_after_a_missed_message_resyncs_from_the_fragment(setup):
    """A client that was offline while version 2 was published sees the gap on reconnect and refetches."""
    event, organizer, sessions = setup
    known_version = 1
    async with connected(event) as ws:
        assert (await ws.receive_nothing(timeout=0.05))
    # Offline now: a change is published that this client never receives.
    await act(services.shift_session, event=event, session_id=sessions[0].pk, minutes=20, actor=organizer)
    reconnect = connected(event)
    await reconnect.__aenter__()
    try:
        state = reconnect.greeting
        assert state == {"type": "state", "version": 2}
        assert state["version"] > known_version  # the gap: fetch the current state over HTTP

        @database_sync_to_async
        def fetch():
            return Client().get(f"/e/{event.slug}/agenda/live/?view=agenda&v={known_version}")

        response = await fetch()
        assert response.status_code == 200
        assert response["X-Agenda-Version"] == "2"
        assert 'data-version="2"' in response.content.decode()
        assert "08:20" in response.content.decode()  # Phiên 1 moved from 08:00 to 08:20
    finally:
        await reconnect.__aexit__()


# --- the process relay: one group member per process and event, however many sockets ---------


def members(event_id: int) -> set[str]:
    return set(get_channel_layer().groups.get(group_name(event_id, services.TOPIC), {}))


@run_async
async def test_many_sockets_share_one_group_member_and_leave_nothing_behind(setup):
    event, organizer, sessions = setup
    async with connected(event) as one, connected(event) as two, connected(event, organizer) as staff:
        assert len(members(event.id)) == 1  # not one member per socket
        await act(services.shift_session, event=event, session_id=sessions[0].pk, minutes=10, actor=organizer)
        for ws in (one, two, staff):
            assert (await ws.receive_json_from())["version"] == 2
        # The organizer's own channel is only in the draft group.
        draft = get_channel_layer().groups.get(group_name(event.id, services.DRAFT_TOPIC), {})
        assert len(draft) == 1 and not set(draft) & members(event.id)
    assert members(event.id) == set()


@run_async
async def test_a_socket_that_left_gets_nothing_and_the_others_still_do(setup):
    event, organizer, sessions = setup
    async with connected(event) as stays:
        leaving = connected(event)
        await leaving.__aenter__()
        await leaving.__aexit__()
        assert len(members(event.id)) == 1
        await act(services.cancel_session, event=event, session_id=sessions[1].pk, actor=organizer)
        assert (await stays.receive_json_from())["changes"] == [{"kind": "cancelled", "session": sessions[1].pk}]
        assert await leaving.ws.receive_nothing(timeout=0.05)


class Socket:
    def __init__(self, fail: bool = False):
        self.fail = fail
        self.sent: list[str] = []

    async def send(self, text_data=None):
        if self.fail:
            raise RuntimeError("socket already closed")
        self.sent.append(text_data)


@run_async
async def test_one_broken_socket_does_not_hold_back_the_others():
    feed = Feed(Relay(layer=None, loop=None), event_id=1, topic=services.TOPIC)
    first, broken, last = Socket(), Socket(fail=True), Socket()
    for socket in (first, broken, last):
        feed.members[socket] = None
    message = {"type": "agenda.published", "version": 7, "published_at": "2026-11-30T08:00:00+00:00",
               "changes": [{"kind": "moved", "session": 3}]}
    assert await feed.deliver(message) == 2
    assert first.sent == last.sent == [client_message(message)]
    assert json.loads(first.sent[0]) == {"type": "published", "version": 7,
                                         "published_at": "2026-11-30T08:00:00+00:00",
                                         "changes": [{"kind": "moved", "session": 3}]}
    assert await feed.deliver({"type": "agenda.draft", "live_control": True}) == 0  # never through the relay
    assert first.sent == [client_message(message)]
