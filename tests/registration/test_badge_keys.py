"""Badge signing keys are encrypted with their own secret (issue #16, defect 10): rotating SECRET_KEY never stops
badges; the badge secret rotates with fallbacks and ``rekey_badge_keys``; a secret lost for good gives a clear
answer, not a 500."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from eventsite.activity import ActivityEntry
from eventsite.models import EventRole
from registration.models import BadgeJob, EventSigningKey
from registration.services import badges, jobs, tokens
from tests.factories import user_with_role

from .factories_checkin import CheckinRegistrationFactory

pytestmark = pytest.mark.django_db

OLD, NEW = "badge-secret-2026-old-" + "o" * 30, "badge-secret-2027-new-" + "n" * 30


@pytest.fixture(autouse=True)
def _fresh_key_cache(settings):
    settings.KETNOI_BADGE_KEY_SECRET = OLD
    settings.KETNOI_BADGE_KEY_FALLBACKS = []
    tokens.forget_cached_keys()
    yield
    tokens.forget_cached_keys()


def _signed_badge():
    registration = CheckinRegistrationFactory()
    badge = badges.ensure_badge(registration)
    code = badges.token_for(badge)
    tokens.forget_cached_keys()  # as a new process would: the private key is decrypted again from the row
    return registration, badge, code


def test_rotating_secret_key_keeps_badges_signing(settings):
    registration, badge, code = _signed_badge()
    settings.SECRET_KEY = "a-brand-new-django-secret-key-" + "s" * 30
    settings.SECRET_KEY_FALLBACKS = []
    assert badges.token_for(badge) == code  # Ed25519 is deterministic: the same key signs the same bytes
    assert tokens.verify(code, event_id=registration.event_id).badge_id == badge.pk


def test_badge_secret_rotation_uses_fallbacks_then_rekey_moves_every_key(settings):
    registration, badge, code = _signed_badge()
    before = bytes(EventSigningKey.objects.get(event_id=registration.event_id).private_key_encrypted)
    settings.KETNOI_BADGE_KEY_SECRET = NEW
    settings.KETNOI_BADGE_KEY_FALLBACKS = [OLD]
    assert badges.token_for(badge) == code

    call_command("rekey_badge_keys")
    row = EventSigningKey.objects.get(event_id=registration.event_id)
    assert bytes(row.private_key_encrypted) != before
    assert ActivityEntry.objects.filter(action="registration.badge_key_reencrypted", object_id=row.pk).count() == 1
    settings.KETNOI_BADGE_KEY_FALLBACKS = []  # the old secret can go now
    tokens.forget_cached_keys()
    assert badges.token_for(badge) == code


def test_keys_stored_under_secret_key_still_decrypt_and_rekey(settings):
    """Rows written before the badge key had its own setting were encrypted with SECRET_KEY's derivation."""
    registration = CheckinRegistrationFactory()
    settings.KETNOI_BADGE_KEY_SECRET = settings.SECRET_KEY
    badge = badges.ensure_badge(registration)
    code = badges.token_for(badge)
    settings.KETNOI_BADGE_KEY_SECRET = NEW
    tokens.forget_cached_keys()
    assert badges.token_for(badge) == code
    call_command("rekey_badge_keys")
    settings.SECRET_KEY = "rotated-after-the-rekey-" + "r" * 30
    tokens.forget_cached_keys()
    assert badges.token_for(badge) == code


def test_no_secret_decrypts_badge_page_is_a_clear_503_and_job_says_why(settings, client, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    registration, _badge, _code = _signed_badge()
    settings.KETNOI_BADGE_KEY_SECRET = NEW
    settings.SECRET_KEY = "lost-everything-" + "x" * 40
    with pytest.raises(tokens.BadgeKeyUnavailable) as raised:
        badges.render_badge_pdf(registration)
    assert raised.value.code == "badge_key_unavailable"

    client.force_login(user_with_role(registration.event, EventRole.Role.ORGANIZER))
    url = reverse("registration:badge_pdf", kwargs={"event_slug": registration.event.slug,
                                                   "registration_id": registration.pk})
    response = client.get(url)
    assert response.status_code == 503
    assert "KETNOI_BADGE_KEY_FALLBACKS" in response.content.decode()

    job = jobs.run_badge_job(jobs.start_badge_job(event=registration.event, requested_by=None, layout="a6",
                                                  roles=[], statuses=["approved"], background=False).pk)
    assert job.status == BadgeJob.Status.FAILED and "KETNOI_BADGE_KEY_FALLBACKS" in job.error

    with pytest.raises(CommandError, match="1 keys"):
        call_command("rekey_badge_keys")
