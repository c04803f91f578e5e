"""Live sockets that heal themselves and close when their user may no longer follow (eventsite/consumers.py).

- A Redis restart under a running Daphne server: the open socket stays open, its heartbeat carries the new version
  of a change made while the groups were lost, and once the heartbeat has joined the groups again a change arrives
  live. The test starts its own redis-server on a free port (as ``bench faults`` does), never the shared one.
- Logout (``user_logged_out``), a session ended without a signal, a role removed (signal) and a role changed
  behind the ORM's back (``update()``, no signal: found by the heartbeat) each close an organizer's open socket.
"""

from __future__ import annotations

import asyncio
import json
import time
import uuid

import pytest
from asgiref.sync import async_to_sync, sync_to_async
from channels.layers import channel_layers
from channels.testing import WebsocketCommunicator
from django.conf import settings as django_settings
from django.contrib.sessions.models import Session
from django.test import Client

from eventsite.consumers import CLOSE_FORBIDDEN, CLOSE_SESSION_ENDED, reset_version_cache
from eventsite.models import EventRole
from tests.factories import EventFactory, user_with_role

Role = EventRole.Role


def _cookie(user) -> str:
    client = Client()
    client.force_login(user)
    return f"{django_settings.SESSION_COOKIE_NAME}={client.cookies[django_settings.SESSION_COOKIE_NAME].value}"


def _communicator(path: str, cookie: str | None) -> WebsocketCommunicator:
    from eventsite.asgi import application

    host = django_settings.ALLOWED_HOSTS[0]
    headers = [(b"origin", f"http://{host}".encode()), (b"host", host.encode())]
    if cookie:
        headers.append((b"cookie", cookie.encode()))
    return WebsocketCommunicator(application, path, headers=headers)


async def _connected(path: str, cookie: str | None) -> WebsocketCommunicator:
    communicator = _communicator(path, cookie)
    ok, code = await communicator.connect(timeout=5)
    assert ok, code
    assert (await communicator.receive_json_from(timeout=5))["type"] == "state"
    return communicator


async def _closed_with(communicator: WebsocketCommunicator, timeout: float) -> int | None:
    """The close code the server sent within ``timeout`` (heartbeats before it are skipped), or None."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            output = await communicator.receive_output(timeout=max(0.01, deadline - time.monotonic()))
        except TimeoutError:
            return None
        if output["type"] == "websocket.close":
            return output.get("code")
    return None


# Membership re-checked ---------------------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_logout_closes_the_organizers_open_socket(settings):
    settings.LIVE_HEARTBEAT_SECONDS = 60  # the logout signal closes it, not the heartbeat
    event = EventFactory()
    organizer = user_with_role(event, Role.ORGANIZER)
    client = Client()
    client.force_login(organizer)
    cookie = f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"
    other_cookie = _cookie(organizer)  # the same organizer signed in on another device

    async def scenario():
        socket = await _connected(f"/ws/e/{event.slug}/checkin/", cookie)
        elsewhere = await _connected(f"/ws/e/{event.slug}/checkin/", other_cookie)
        await sync_to_async(client.logout)()  # Django's logout: user_logged_out, session flushed
        assert await _closed_with(socket, 3) == CLOSE_SESSION_ENDED
        assert await elsewhere.receive_nothing(timeout=0.3)  # the other session stays signed in and open
        await elsewhere.disconnect()
        # The ended session cannot open a new one either.
        refused = _communicator(f"/ws/e/{event.slug}/checkin/", cookie)
        assert (await refused.connect(timeout=5))[0] is False

    async_to_sync(scenario)()


@pytest.mark.django_db(transaction=True)
def test_heartbeat_closes_a_socket_whose_session_ended_without_a_signal(settings):
    settings.LIVE_HEARTBEAT_SECONDS = 0.2
    event = EventFactory()
    cookie = _cookie(user_with_role(event, Role.ORGANIZER))

    async def scenario():
        socket = await _connected(f"/ws/e/{event.slug}/checkin/", cookie)
        beat = await socket.receive_json_from(timeout=3)
        assert beat == {"type": "heartbeat", "version": "0-0-0", "every": 0.2}
        await sync_to_async(Session.objects.all().delete)()  # expired and cleared, or an admin ended it
        assert await _closed_with(socket, 3) == CLOSE_SESSION_ENDED

    async_to_sync(scenario)()


@pytest.mark.django_db(transaction=True)
def test_removing_the_role_closes_the_socket(settings):
    settings.LIVE_HEARTBEAT_SECONDS = 60  # the role signal closes it, not the heartbeat
    event = EventFactory()
    organizer = user_with_role(event, Role.ORGANIZER)
    colleague = user_with_role(event, Role.ORGANIZER)
    cookie, colleague_cookie = _cookie(organizer), _cookie(colleague)

    async def scenario():
        socket = await _connected(f"/ws/e/{event.slug}/checkin/", cookie)
        stays = await _connected(f"/ws/e/{event.slug}/checkin/", colleague_cookie)
        await sync_to_async(EventRole.objects.filter(event=event, user=organizer).delete)()
        assert await _closed_with(socket, 3) == CLOSE_FORBIDDEN
        assert await stays.receive_nothing(timeout=0.3)
        await stays.disconnect()

    async_to_sync(scenario)()


@pytest.mark.django_db(transaction=True)
def test_heartbeat_finds_a_role_changed_without_a_signal(settings):
    settings.LIVE_HEARTBEAT_SECONDS = 0.2
    event = EventFactory()
    organizer = user_with_role(event, Role.ORGANIZER)
    cookie = _cookie(organizer)

    async def scenario():
        socket = await _connected(f"/ws/e/{event.slug}/matchmaking/board/", cookie)
        assert (await socket.receive_json_from(timeout=3))["type"] == "heartbeat"
        await sync_to_async(EventRole.objects.filter(event=event, user=organizer).update)(role=Role.BUYER)
        assert await _closed_with(socket, 3) == CLOSE_FORBIDDEN

    async_to_sync(scenario)()


@pytest.mark.django_db(transaction=True)
def test_an_organizer_who_loses_the_role_leaves_the_agenda_draft_group(settings):
    """The public agenda stays open to everyone, but an ex-organizer's socket must not keep the draft feed: it is
    closed so that the page reconnects with the groups it may have now."""
    settings.LIVE_HEARTBEAT_SECONDS = 60
    event = EventFactory()
    organizer = user_with_role(event, Role.ORGANIZER)
    cookie = _cookie(organizer)

    async def scenario():
        socket = await _connected(f"/ws/e/{event.slug}/agenda/", cookie)
        await sync_to_async(EventRole.objects.filter(event=event, user=organizer).delete)()
        assert await _closed_with(socket, 3) == CLOSE_SESSION_ENDED
        again = await _connected(f"/ws/e/{event.slug}/agenda/", cookie)  # as a visitor now
        await again.disconnect()

    async_to_sync(scenario)()


# Healing after a Redis restart -------------------------------------------------------------------------------------


@pytest.fixture
def own_redis(settings):
    """A private redis-server on a free port, and this process's channel layer on it (the server's too)."""
    from bench.scale_stack import OwnRedis, free_port

    redis = OwnRedis(free_port())
    redis.start()
    prefix = f"ketnoi-heal-{uuid.uuid4().hex[:8]}"
    settings.CHANNEL_LAYERS = {"default": {"BACKEND": "eventsite.channel_layer.HealingRedisChannelLayer",
                                           "CONFIG": {"hosts": [{"address": redis.url, "socket_connect_timeout": 1}],
                                                      "prefix": prefix}}}
    channel_layers.backends = {}
    reset_version_cache()
    try:
        yield redis, {"REDIS_URL": redis.url, "KETNOI_CHANNEL_PREFIX": prefix,
                      "KETNOI_LIVE_HEARTBEAT_SECONDS": "0.5"}
    finally:
        channel_layers.backends = {}
        redis.close()


@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_open_socket_heals_after_redis_restarts(own_redis):
    from websockets.sync.client import connect

    from tests.agreements.factories import agreement
    from tests.asgi_server import asgi_server

    redis, env = own_redis
    event = EventFactory()
    with asgi_server(extra_env=env) as server:
        url = f"ws://127.0.0.1:{server.port}/ws/e/{event.slug}/agreements/"
        with connect(url, origin=server.url, open_timeout=10) as socket:
            counts = json.loads(socket.recv(timeout=10))
            assert counts["type"] == "counts" and counts["total"] == 0
            assert json.loads(socket.recv(timeout=10))["type"] == "state"

            redis.stop()  # every group membership is gone with it (no persistence)
            redis.start()
            agreement(event, value=1_000_000)  # made while the server's socket is in no group
            # Within 10 s the open socket (never closed: recv would raise) tells the page it is behind: either the
            # live counts arrive or a heartbeat carries a version other than the one it holds.
            deadline = time.monotonic() + 10
            healed = None
            while time.monotonic() < deadline and healed is None:
                message = json.loads(socket.recv(timeout=max(0.1, deadline - time.monotonic())))
                if message["type"] == "counts" and message["total"] == 1:
                    healed = "live"
                elif message["type"] == "heartbeat" and message["version"] != counts["version"]:
                    healed = "heartbeat"
            assert healed, "the open socket never learned of the change made after Redis restarted"

            # The next heartbeat has joined the groups again: from then on a change arrives live, on the same socket.
            while json.loads(socket.recv(timeout=10))["type"] != "heartbeat":
                pass
            deadline = time.monotonic() + 10
            second = agreement(event, value=2_000_000)
            assert second is not None
            while time.monotonic() < deadline:
                message = json.loads(socket.recv(timeout=max(0.1, deadline - time.monotonic())))
                if message["type"] == "counts" and message["total"] == 2:
                    break
            else:
                pytest.fail("no live update reached the open socket within 10 s of Redis coming back")


def test_heartbeat_rejoins_groups_every_beat():
    """The healing path in isolation: a beat adds the socket to its groups again (in-memory layer)."""
    from channels.layers import InMemoryChannelLayer

    from eventsite.consumers import EventGroupConsumer

    class Probe(EventGroupConsumer):
        async def send_json(self, content, close=False):
            self.sent.append(content)

        def _recheck(self) -> int:
            return 0

        def live_version(self, event):
            return 7

    async def scenario():
        layer = InMemoryChannelLayer()
        probe = Probe()
        probe.channel_layer, probe.channel_name, probe.sent = layer, "probe!1", []
        probe.event_id, probe.event, probe.groups_joined = 1, None, ("event-1.floorplan",)
        assert await probe.beat()
        assert "probe!1" in layer.groups["event-1.floorplan"]
        layer.groups.clear()  # what a Redis restart does to channels-redis's groups
        assert await probe.beat()
        assert "probe!1" in layer.groups["event-1.floorplan"]
        assert probe.sent[-1]["type"] == "heartbeat" and probe.sent[-1]["version"] == 7

    asyncio.run(scenario())


def test_anonymous_heartbeats_share_one_read_per_event():
    """300 anonymous sockets of one event cost one version read per second, not 300 (Django's one sync thread
    serves every HTTP request too)."""
    from channels.layers import InMemoryChannelLayer

    from eventsite.consumers import EventGroupConsumer

    reads = []

    class Probe(EventGroupConsumer):
        async def send_json(self, content, close=False):
            self.sent.append(content)

        def _recheck(self) -> int:
            return 0

        def live_version(self, event):
            reads.append(event)
            return 3

    async def scenario():
        reset_version_cache()
        layer = InMemoryChannelLayer()
        probes = []
        for i in range(20):
            probe = Probe()
            probe.channel_layer, probe.channel_name, probe.sent = layer, f"probe!{i}", []
            probe.event_id, probe.event, probe.groups_joined = 42, None, ()
            probes.append(probe)
        assert all(await asyncio.gather(*(p.beat() for p in probes)))
        assert len(reads) == 1
        assert all(p.sent == [{"type": "heartbeat", "version": 3, "every": 5.0}] for p in probes)
        reset_version_cache()

    asyncio.run(scenario())
