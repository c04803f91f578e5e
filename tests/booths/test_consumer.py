"""Live floor plan: two viewers in the same group both hear a booth change, only after commit."""

from __future__ import annotations

from contextlib import asynccontextmanager

import pytest
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator

from booths.services import booking as svc
from eventsite.asgi import application
from eventsite.models import Event
from tests.factories import EventFactory

from .factories import BoothFactory, HallFactory, exhibitor

pytestmark = pytest.mark.django_db(transaction=True)


@asynccontextmanager
async def viewer(slug: str):
    communicator = WebsocketCommunicator(application, f"/ws/e/{slug}/floorplan/",
                                         headers=[(b"origin", b"http://127.0.0.1"), (b"host", b"127.0.0.1")])
    connected, _code = await communicator.connect()
    if connected:  # the base consumer's greeting: the current version
        assert (await communicator.receive_json_from(timeout=5))["type"] == "state"
    try:
        yield communicator, connected
    finally:
        await communicator.disconnect()


def test_two_viewers_see_a_hold_live():
    import asyncio

    event = EventFactory()
    booth = BoothFactory(hall=HallFactory(event=event), code="A-07")
    app = exhibitor(event, organization__name="Hộ kinh doanh Tạ Thị Út Em")

    async def scenario():
        async with viewer(event.slug) as (one, ok1), viewer(event.slug) as (two, ok2):
            assert ok1 and ok2
            await sync_to_async(svc.hold_booth)(booth_id=booth.pk, application=app)
            for communicator in (one, two):
                message = await communicator.receive_json_from(timeout=5)
                assert message["type"] == "booths"
                assert message["booths"][0]["code"] == "A-07"
                assert message["booths"][0]["status"] == "held"
                assert message["booths"][0]["exhibitor"] == "Hộ kinh doanh Tạ Thị Út Em"
            # sending anything is ignored, never written
            await one.send_json_to({"type": "hold", "booth": booth.pk})
            assert await one.receive_nothing(timeout=0.3)

    asyncio.run(scenario())


def test_draft_event_plan_socket_is_refused():
    import asyncio

    event = EventFactory(status=Event.Status.DRAFT)

    async def scenario():
        async with viewer(event.slug) as (_c, connected):
            assert not connected

    asyncio.run(scenario())
