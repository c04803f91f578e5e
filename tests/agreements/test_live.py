"""The counter's websocket: public counts on connect and after every committed change."""

from __future__ import annotations

import pytest
from asgiref.sync import async_to_sync
from channels.testing import WebsocketCommunicator

from agreements.services import cancel_agreement
from eventsite.asgi import application
from tests.factories import EventFactory

from .factories import agreement


async def _connect(slug):
    communicator = WebsocketCommunicator(application, f"/ws/e/{slug}/agreements/",
                                         headers=[(b"origin", b"http://localhost"), (b"host", b"localhost")])
    connected, _ = await communicator.connect()
    return communicator, connected


@pytest.mark.django_db(transaction=True)
def test_counter_receives_counts_without_values():
    event = EventFactory()
    agreement(event, value=999_000_000)

    async def scenario():
        communicator, connected = await _connect(event.slug)
        assert connected
        first = await communicator.receive_json_from(timeout=5)
        assert first["type"] == "counts" and first["total"] == 1 and "999000000" not in str(first)
        state = await communicator.receive_json_from(timeout=5)  # the base consumer's greeting
        assert state == {"type": "state", "version": first["version"]}
        from channels.db import database_sync_to_async

        created = await database_sync_to_async(agreement)(event, kind="biz_biz",
                                                          buyer=await database_sync_to_async(_producer)())
        second = await communicator.receive_json_from(timeout=5)
        assert second["total"] == 2 and second["by_kind"]["biz_biz"] == 1
        await database_sync_to_async(cancel_agreement)(agreement=created, actor=None, reason="thử")
        third = await communicator.receive_json_from(timeout=5)
        assert third["total"] == 1
        await communicator.disconnect()

    async_to_sync(scenario)()


def _producer():
    from .factories import producer
    return producer()


@pytest.mark.django_db(transaction=True)
def test_unknown_or_draft_event_is_refused():
    draft = EventFactory(status="draft")

    async def scenario():
        for slug in ("khong-co", draft.slug):
            communicator, connected = await _connect(slug)
            assert not connected

    async_to_sync(scenario)()
