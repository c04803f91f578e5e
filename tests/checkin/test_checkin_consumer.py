import uuid

import pytest
from asgiref.sync import async_to_sync, sync_to_async
from channels.routing import URLRouter
from channels.testing import WebsocketCommunicator
from django.contrib.auth.models import AnonymousUser

from checkin.routing import websocket_urlpatterns
from checkin.services import checkin
from eventsite.models import EventRole
from registration.services import badges, tokens
from tests.factories import user_with_role
from tests.registration.factories_checkin import CheckinRegistrationFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _fresh_key_cache():
    tokens.forget_cached_keys()
    yield
    tokens.forget_cached_keys()


def communicator(event, user):
    comm = WebsocketCommunicator(URLRouter(websocket_urlpatterns), f"/ws/e/{event.slug}/checkin/")
    comm.scope["user"] = user
    return comm


def test_two_organizers_receive_live_checkins():
    reg = CheckinRegistrationFactory()
    event = reg.event
    organizer_a = user_with_role(event, EventRole.Role.ORGANIZER)
    organizer_b = user_with_role(event, EventRole.Role.ORGANIZER)
    desk = user_with_role(event, EventRole.Role.DESK_STAFF)
    code = badges.token_for(badges.ensure_badge(reg))

    async def scenario():
        a, b = communicator(event, organizer_a), communicator(event, organizer_b)
        assert (await a.connect())[0] and (await b.connect())[0]
        for comm in (a, b):  # the base consumer's greeting: the current version
            assert (await comm.receive_json_from(timeout=2)) == {"type": "state", "version": "0-0-0"}
        result = await sync_to_async(checkin.redeem_badge)(code=code, gate="Cổng A", nonce=uuid.uuid4().hex,
                                                           device_or_user=desk, event=event)
        assert result.ok
        for comm in (a, b):
            message = await comm.receive_json_from(timeout=2)
            assert message["delta"] == 1 and message["gate"] == "Cổng A" and message["role"] == "buyer"
            assert "type" not in message
        await sync_to_async(checkin.annul_last_checkin)(gate="Cổng A", device_or_user=desk, event=event)
        assert (await a.receive_json_from(timeout=2))["delta"] == -1
        # Another event's check-ins do not leak into this dashboard.
        other = await sync_to_async(CheckinRegistrationFactory)()
        other_desk = await sync_to_async(user_with_role)(other.event, EventRole.Role.DESK_STAFF)
        other_code = await sync_to_async(lambda: badges.token_for(badges.ensure_badge(other)))()
        await sync_to_async(checkin.redeem_badge)(code=other_code, gate="X", nonce=uuid.uuid4().hex,
                                                  device_or_user=other_desk, event=other.event)
        assert await a.receive_nothing(timeout=0.3)
        await a.disconnect()
        await b.disconnect()

    async_to_sync(scenario)()


@pytest.mark.parametrize("who", ["anonymous", "desk_staff", "buyer", "organizer_of_other_event"])
def test_non_organizers_are_refused(who):
    reg = CheckinRegistrationFactory()
    if who == "anonymous":
        user = AnonymousUser()
    elif who == "organizer_of_other_event":
        user = user_with_role(CheckinRegistrationFactory().event, EventRole.Role.ORGANIZER)
    else:
        user = user_with_role(reg.event, who)

    async def scenario():
        comm = communicator(reg.event, user)
        connected, code = await comm.connect()
        assert not connected and code == 4403

    async_to_sync(scenario)()
