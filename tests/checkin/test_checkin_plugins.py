import uuid

import pytest
from django.urls import reverse

from checkin.models import Device
from checkin.services import checkin
from eventsite.apps import collect_nav, collect_stats
from eventsite.models import EventRole
from registration.models import Badge, RevokedToken
from registration.services import badges, tokens
from tests.factories import UserFactory, user_with_role
from tests.registration.factories_checkin import CheckinRegistrationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_key_cache():
    tokens.forget_cached_keys()
    yield
    tokens.forget_cached_keys()


def test_nav_items_by_role():
    staff = {i.url_name for i in collect_nav(frozenset({"desk_staff"}))}
    assert "checkin:desk" in staff and "checkin:dashboard" not in staff
    organizer = {i.url_name for i in collect_nav(frozenset({"organizer"}))}
    assert {"checkin:desk", "checkin:dashboard", "registration:badge_print"} <= organizer
    assert "registration:my_badge" in {i.url_name for i in collect_nav(frozenset({"buyer"}))}


def test_organizer_home_stat_counts_checkins(client):
    reg = CheckinRegistrationFactory()
    CheckinRegistrationFactory(event=reg.event)
    desk = user_with_role(reg.event, EventRole.Role.DESK_STAFF)
    checkin.redeem_badge(code=badges.token_for(badges.ensure_badge(reg)), gate="A", nonce=uuid.uuid4().hex,
                         device_or_user=desk, event=reg.event)
    stat = next(s for s in collect_stats(reg.event) if s.url.endswith("/checkin/"))
    assert stat.value == "1 / 2"
    client.force_login(user_with_role(reg.event, EventRole.Role.ORGANIZER))
    html = client.get(reverse("organizer_home", kwargs={"event_slug": reg.event.slug})).content.decode()
    assert "1 / 2" in html and "đã check-in" in html


def test_admin_creates_device_and_shows_token_once(client):
    reg = CheckinRegistrationFactory()
    admin = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(admin)
    response = client.post(reverse("admin:checkin_device_add"),
                           {"event": reg.event.pk, "name": "Máy quét cổng 2", "is_active": "on"}, follow=True)
    assert response.status_code == 200
    device = Device.objects.get()
    shown = [str(m) for m in response.context["messages"]]
    token = next(m.split(": ")[-1] for m in shown if "kn_" in m)
    assert token.startswith(device.token_prefix) and device.token_hash != token
    assert device.created_by == admin


def test_admin_reissue_action_revokes_old_token(client):
    reg = CheckinRegistrationFactory()
    badge = badges.ensure_badge(reg)
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    client.post(reverse("admin:registration_badge_changelist"),
                {"action": "reissue", "_selected_action": [badge.pk]}, follow=True)
    assert Badge.objects.get(pk=badge.pk).counter == 2
    assert RevokedToken.objects.filter(badge=badge, counter=1).exists()
    # The private key never shows in the admin.
    key_page = client.get(reverse("admin:registration_eventsigningkey_change", args=[reg.event.signing_key.pk]))
    assert bytes(reg.event.signing_key.private_key_encrypted).decode() not in key_page.content.decode()
