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
    """As in Daphne/uvicorn: Django's request_started runs on the server's loop, the view's sync code in a worker
    thread. The sync code does not wait for the layer; the messages still arrive, in the order committed."""
    import asyncio
    import threading

    from asgiref.sync import sync_to_async

    from eventsite import live

    layer, channel = _listen("floorplan")
    sent_from = []

    def view_code(request):
        assert live._server_loop() is not None  # request_started recorded the server's loop
        for n in range(5):
            with transaction.atomic():
                broadcast_on_commit(1, "floorplan", {"type": "booth.changed", "n": n})
        sent_from.append(threading.current_thread())
        return "response"

    async def server():
        from django.core.handlers.asgi import ASGIHandler
        from django.core.signals import request_started

        await request_started.asend(sender=ASGIHandler, scope={})  # what ASGIHandler does for each request
        assert await sync_to_async(view_code, thread_sensitive=False)(object()) == "response"
        return [(await asyncio.wait_for(layer.receive(channel), 2))["n"] for _ in range(5)]

    assert asyncio.run(server()) == [0, 1, 2, 3, 4]
    assert sent_from and sent_from[0] is not threading.main_thread()
    assert live._server_loop() is None  # that loop is closed: outside a server, sent at once again


@pytest.mark.django_db(transaction=True)
def test_django_served_over_asgi_records_the_server_loop():
    """A request through Django's real ASGI handler records the loop it runs on."""
    import asyncio

    from channels.testing import HttpCommunicator
    from django.core.asgi import get_asgi_application

    from eventsite import live

    async def serve():
        response = await HttpCommunicator(get_asgi_application(), "GET", "/").get_response(timeout=60)
        return response["status"], live._server_loop() is asyncio.get_running_loop()

    status, recorded = asyncio.run(serve())
    assert status < 500 and recorded
    assert live._server_loop() is None


def test_server_loop_of_another_process_is_not_used(monkeypatch):
    """After a fork the parent's loop (recorded before) must not be used by the child."""
    import asyncio

    from eventsite import live

    async def record_then_pretend_forked():
        live.remember_server_loop()
        assert live._server_loop() is asyncio.get_running_loop()
        monkeypatch.setattr(live.os, "getpid", lambda: -1)
        return live._server_loop()

    assert asyncio.run(record_then_pretend_forked()) is None


def test_merge_counts_sums_deltas_and_keeps_what_agrees():
    from eventsite.live import merge_counts

    a = {"type": "checkin.changed", "delta": 1, "role": "buyer", "gate": "A", "at": "t1"}
    b = {"type": "checkin.changed", "delta": 1, "role": "buyer", "gate": "B", "at": "t2"}
    assert merge_counts(a, b) == {"type": "checkin.changed", "delta": 2, "role": "buyer"}


@pytest.mark.django_db(transaction=True)
def test_coalesced_broadcasts_leave_once_per_period_per_group():
    """Inside a server, a busy door's admissions reach the dashboards as one message per event per
    COALESCE_SECONDS: the first at once, the rest merged (deltas summed) when the period ends."""
    import asyncio
    import time

    from asgiref.sync import sync_to_async

    from eventsite import live

    layer, channel = _listen("checkin")
    other = async_to_sync(layer.new_channel)()
    async_to_sync(layer.group_add)(group_name(2, "checkin"), other)

    def view_code():
        for n in range(10):
            with transaction.atomic():
                live.broadcast_coalesced_on_commit(1, "checkin", {"type": "checkin.changed", "delta": 1,
                                                                  "gate": "A" if n < 9 else "B"})
        with transaction.atomic():
            live.broadcast_coalesced_on_commit(2, "checkin", {"type": "checkin.changed", "delta": 1})

    async def server():
        from django.core.handlers.asgi import ASGIHandler
        from django.core.signals import request_started

        await request_started.asend(sender=ASGIHandler, scope={})
        await sync_to_async(view_code, thread_sensitive=False)()
        first = await asyncio.wait_for(layer.receive(channel), 2)
        at_first = time.monotonic()
        second = await asyncio.wait_for(layer.receive(channel), 2)
        waited = time.monotonic() - at_first
        with pytest.raises(asyncio.TimeoutError):
            await asyncio.wait_for(layer.receive(channel), live.COALESCE_SECONDS * 2)
        return first, second, waited, await asyncio.wait_for(layer.receive(other), 2)

    first, second, waited, other_event = asyncio.run(server())
    assert first == {"type": "checkin.changed", "delta": 1, "gate": "A"}
    assert second == {"type": "checkin.changed", "delta": 9}  # eight at gate A and one at B: no gate in common
    assert waited >= live.COALESCE_SECONDS * 0.5  # held back until the period ended, not sent per scan
    assert other_event == {"type": "checkin.changed", "delta": 1}  # another event has a period of its own


@pytest.mark.django_db(transaction=True)
def test_coalesced_broadcast_outside_a_server_is_sent_at_once():
    from eventsite import live

    layer, channel = _listen("checkin")
    for _ in range(2):
        with transaction.atomic():
            live.broadcast_coalesced_on_commit(1, "checkin", {"type": "checkin.changed", "delta": 1})
    assert [async_to_sync(layer.receive)(channel)["delta"] for _ in range(2)] == [1, 1]
