"""Scale mode: two real Daphne processes on Redis; a change POSTed to A reaches a websocket client of B."""

from __future__ import annotations

import asyncio
import json
import secrets
import string
import urllib.parse
import urllib.request

import pytest
import websockets
from django.test import Client

from agenda import services
from eventsite.models import EventRole
from tests.agenda.factories import programme
from tests.asgi_server import asgi_server
from tests.factories import EventFactory, user_with_role

pytestmark = [pytest.mark.redis, pytest.mark.django_db(transaction=True)]


def session_cookie(user) -> str:
    client = Client()
    client.force_login(user)
    return client.cookies["sessionid"].value


def post(base: str, path: str, data: dict, sessionid: str) -> tuple[int, str]:
    """A browser-like form POST: session cookie, CSRF cookie + header, same Origin."""
    csrf = "".join(secrets.choice(string.ascii_letters + string.digits) for _ in range(32))
    request = urllib.request.Request(
        base + path, data=urllib.parse.urlencode(data).encode(), method="POST",
        headers={"Cookie": f"sessionid={sessionid}; csrftoken={csrf}", "X-CSRFToken": csrf,
                 "Origin": base, "HX-Request": "true", "Content-Type": "application/x-www-form-urlencoded"},
    )
    with urllib.request.urlopen(request, timeout=20) as response:
        return response.status, response.read().decode()


def test_change_through_process_a_reaches_a_client_of_process_b(redis_url):
    event = EventFactory()
    organizer = user_with_role(event, EventRole.Role.ORGANIZER)
    first = programme(event, sessions=4, rooms=2)[0]
    services.set_live_control(event=event, enabled=True)
    cookie = session_cookie(organizer)
    env = {"REDIS_URL": redis_url, "KETNOI_CHANNEL_PREFIX": f"agenda-test-{secrets.token_hex(4)}"}

    with asgi_server(extra_env=env) as a, asgi_server(extra_env=env) as b:
        ws_url = f"ws://127.0.0.1:{b.port}/ws/e/{event.slug}/agenda/"

        async def scenario():
            async with websockets.connect(ws_url, origin=b.url, open_timeout=20) as ws:
                assert json.loads(await asyncio.wait_for(ws.recv(), 10)) == {"type": "state", "version": 1}
                # Stay idle past redis-py's default 5 s socket timeout: the settings' longer timeout must keep
                # process B's consumer subscribed (channels_redis#422 dropped idle sockets with code 1011).
                await asyncio.sleep(6.5)
                status, body = await asyncio.to_thread(
                    post, a.url, f"/e/{event.slug}/agenda/control/sessions/{first.pk}/shift/",
                    {"minutes": "15"}, cookie)
                assert status == 200 and "08:15" in body
                message = json.loads(await asyncio.wait_for(ws.recv(), 10))
                while message["type"] == "heartbeat":  # every 5 s (eventsite/consumers.py); the idle wait saw one
                    assert message["version"] in (1, 2)
                    message = json.loads(await asyncio.wait_for(ws.recv(), 10))
                assert message.pop("published_at")
                assert message == {"type": "published", "version": 2,
                                   "changes": [{"kind": "moved", "session": first.pk}]}
            # A foreign Origin is refused by process B.
            with pytest.raises(websockets.exceptions.InvalidStatus):
                async with websockets.connect(ws_url, origin="http://evil.example", open_timeout=20):
                    pass

        asyncio.run(scenario())
    assert services.current_release(event)[0] == 2
