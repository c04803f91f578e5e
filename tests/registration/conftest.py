"""Fixtures for registration tests (the browser journey lives in tests/browser/test_registration_browser.py,
beside the browser fixtures, so one Playwright session serves the whole run)."""

from __future__ import annotations

import pytest

from eventsite.models import EventRole
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
