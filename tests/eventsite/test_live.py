"""Broadcasts leave only after the transaction commits, to the group named by one rule."""

from __future__ import annotations

import pytest
from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction

from eventsite.live import broadcast_on_commit, group_name


def test_group_name_is_per_event_and_topic():
    assert group_name(7, "agenda") == "event-7.agenda"
    assert group_name(7, "bad topic/!") == "event-7.bad-topic--"


def _listen(topic: str):
    layer = get_channel_layer()
    channel = async_to_sync(layer.new_channel)()
    async_to_sync(layer.group_add)(group_name(1, topic), channel)
    return layer, channel


def _pending(layer, channel) -> int:
    return len(layer.channels.get(channel, ()))


@pytest.mark.django_db(transaction=True)
def test_broadcast_sent_after_commit():
    layer, channel = _listen("agenda")
    with transaction.atomic():
        broadcast_on_commit(1, "agenda", {"type": "agenda.changed", "version": 3})
        assert _pending(layer, channel) == 0
    message = async_to_sync(layer.receive)(channel)
    assert message == {"type": "agenda.changed", "version": 3}


@pytest.mark.django_db(transaction=True)
def test_broadcast_dropped_on_rollback():
    layer, channel = _listen("checkin")
    with pytest.raises(RuntimeError), transaction.atomic():
        broadcast_on_commit(1, "checkin", {"type": "checkin.counts"})
        raise RuntimeError("rolled back")
    assert _pending(layer, channel) == 0


@pytest.mark.django_db(transaction=True)
def test_broadcast_failure_never_breaks_the_request(settings):
    settings.CHANNEL_LAYERS = {"default": {"BACKEND": "channels_redis.core.RedisChannelLayer",
                                           "CONFIG": {"hosts": ["redis://127.0.0.1:1"]}}}
    from channels.layers import channel_layers

    channel_layers.backends.clear()
    try:
        broadcast_on_commit(1, "agenda", {"type": "agenda.changed"})  # nobody listens at port 1
    finally:
        channel_layers.backends.clear()


@pytest.mark.django_db(transaction=True)
def test_inside_a_server_broadcasts_go_through_the_relay_in_order():
    """As in Daphne/uvicorn: sync code in a worker thread, the layer on the server's loop. The sync code does not
    wait for the layer; the messages still arrive, in the order they were committed."""
    import asyncio

    from asgiref.sync import sync_to_async

    from eventsite import live

    layer, channel = _listen("floorplan")

    def view_code():
        assert live._server_loop() is not None  # asgiref recorded the server's loop for this thread
        for n in range(5):
            with transaction.atomic():
                broadcast_on_commit(1, "floorplan", {"type": "booth.changed", "n": n})

    async def server():
        await sync_to_async(view_code, thread_sensitive=False)()
        return [(await asyncio.wait_for(layer.receive(channel), 2))["n"] for _ in range(5)]

    assert asyncio.run(server()) == [0, 1, 2, 3, 4]
    assert live._server_loop() is None  # outside a server: sent at once, as the tests above show
