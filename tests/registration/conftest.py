"""Fixtures for registration tests. The browser fixtures come from tests/browser/conftest.py."""

from __future__ import annotations

import pytest

from eventsite.models import EventRole
from tests.browser.conftest import *  # noqa: F403 (browser, context, page, live_app fixtures)
from tests.factories import EventFactory, user_with_role

from .factories import RegistrationSettingsFactory

Role = EventRole.Role


@pytest.fixture
def event(db):
    return EventFactory()


@pytest.fixture
def reg_settings(event):
    return RegistrationSettingsFactory(event=event)


@pytest.fixture
def organizer(event):
    return user_with_role(event, Role.ORGANIZER)


@pytest.fixture
def organizer_client(client, organizer):
    client.force_login(organizer)
    return client
