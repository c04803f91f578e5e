"""Across processes: an agreement saved here reaches a Daphne server's counter socket through Redis."""

from __future__ import annotations

import json
import uuid

import pytest
from channels.layers import channel_layers

from tests.asgi_server import asgi_server
from tests.factories import EventFactory

from .factories import agreement

pytestmark = [pytest.mark.redis, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def redis_layer(settings, redis_url):
    prefix = f"ketnoi-agr-test-{uuid.uuid4().hex[:8]}"
    settings.CHANNEL_LAYERS = {"default": {"BACKEND": "channels_redis.core.RedisChannelLayer",
                                           "CONFIG": {"hosts": [redis_url], "prefix": prefix}}}
    channel_layers.backends = {}
    yield {"REDIS_URL": redis_url, "KETNOI_CHANNEL_PREFIX": prefix}
    channel_layers.backends = {}


def test_saved_agreement_reaches_the_server_counter(redis_layer):
    from websockets.sync.client import connect

    event = EventFactory()
    with asgi_server(extra_env=redis_layer) as server:
        url = f"ws://127.0.0.1:{server.port}/ws/e/{event.slug}/agreements/"
        with connect(url, origin=server.url, open_timeout=10) as socket:
            first = json.loads(socket.recv(timeout=10))
            assert first["type"] == "counts" and first["total"] == 0
            assert json.loads(socket.recv(timeout=10)) == {"type": "state", "version": first["version"]}
            agreement(event, value=123_000_000)  # this process → Redis → the server's consumer
            second = json.loads(socket.recv(timeout=10))
            assert second["total"] == 1 and second["by_kind"]["biz_distributor"] == 1
            assert "123000000" not in json.dumps(second)
