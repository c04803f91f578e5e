"""The live board socket: staff only; a committed change reaches every connected board, a rollback none."""

from __future__ import annotations

from contextlib import asynccontextmanager

import pytest
from asgiref.sync import async_to_sync, sync_to_async
from channels.routing import URLRouter
from channels.testing import WebsocketCommunicator

from matchmaking.routing import websocket_urlpatterns
from matchmaking.services import scheduling
from tests.matchmaking.factories import accepted_request, fair, grid

pytestmark = pytest.mark.django_db(transaction=True)
APP = URLRouter(websocket_urlpatterns)


@asynccontextmanager
async def board(slug: str, user):
    communicator = WebsocketCommunicator(APP, f"/ws/e/{slug}/matchmaking/board/")
    communicator.scope["user"] = user
    connected, _ = await communicator.connect()
    if connected:  # the base consumer's greeting: the current version
        assert (await communicator.receive_json_from(timeout=2))["type"] == "state"
    try:
        yield communicator, connected
    finally:
        await communicator.disconnect()


def test_two_staff_boards_hear_a_placement_and_buyers_are_refused():
    f = fair()
    slots, tables = grid(f)
    request = accepted_request(f, f.buyers[0], f.producers[0])

    async def scenario():
        async with board(f.event.slug, f.desk) as (desk, ok1), board(f.event.slug, f.organizer) as (org, ok2), \
                board(f.event.slug, f.buyers[0].user) as (_buyer, ok3):
            assert (ok1, ok2, ok3) == (True, True, False)
            await sync_to_async(scheduling.place_meeting)(event=f.event, request_id=request.pk,
                                                          slot_id=slots[0].pk, table_id=tables[0].pk)
            assert await desk.receive_json_from(timeout=2) == {"what": "schedule"}
            assert await org.receive_json_from(timeout=2) == {"what": "schedule"}
            assert await desk.receive_nothing(timeout=0.2)

    async_to_sync(scenario)()


def test_unknown_event_is_refused():
    f = fair(buyers=0, producers=0)

    async def scenario():
        async with board("no-such-event", f.organizer) as (_c, ok):
            assert not ok

    async_to_sync(scenario)()
