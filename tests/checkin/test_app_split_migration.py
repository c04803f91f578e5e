"""Check-in moved out of registration into its own app (registration 0015, checkin 0001): a database filled by
``seed_demo`` goes back to the old layout and forward again, and keeps every row, link and history entry."""

from __future__ import annotations

import uuid

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

BEFORE = [("registration", "0014_scans_into_activity_log")]
OLD_TABLES = {"registration_checkin", "registration_device", "registration_checkinconflict",
              "registration_deskreport"}
NEW_TABLES = {"checkin_checkin", "checkin_device", "checkin_checkinconflict", "checkin_deskreport"}


def _tables() -> set[str]:
    with connection.cursor() as cursor:
        return set(connection.introspection.table_names(cursor))


def _migrate(targets) -> None:
    executor = MigrationExecutor(connection)
    executor.migrate(targets or executor.loader.graph.leaf_nodes())
    ContentType.objects.clear_cache()


@pytest.mark.django_db(transaction=True)
def test_a_seeded_database_moves_to_the_checkin_app_and_back_without_losing_a_row():
    from checkin.models import CheckIn, Device
    from checkin.services import checkin, devices
    from eventsite.models import ActivityEntry, Event, EventRole
    from registration.models import Badge
    from registration.services import badges, tokens

    call_command("seed_demo", verbosity=0)
    event = Event.objects.get(slug="ca-mau-2026")
    desk = EventRole.objects.filter(event=event, role=EventRole.Role.DESK_STAFF).first().user
    device, _token = devices.create_device(event=event, name="Máy quét cổng 2", created_by=None)
    admitted = list(CheckIn.objects.filter(event=event).order_by("pk").values_list("pk", "badge_id", "gate", "at"))
    assert admitted, "seed_demo admits people at the demo event"
    live = CheckIn.objects.filter(event=event, annulled_at__isnull=True).count()
    scans = ActivityEntry.objects.filter(event=event, action="checkin.scan").count()
    assert scans >= len(admitted)

    _migrate(BEFORE)
    assert _tables() >= OLD_TABLES and not NEW_TABLES & _tables()
    # The old layout, as it was: the models under registration, the badge pointing at its live check-in.
    assert ContentType.objects.filter(app_label="registration", model="device").exists()
    assert not ContentType.objects.filter(app_label="checkin").exists()
    assert ActivityEntry.objects.filter(event=event, action="registration.scan").count() == scans
    assert ActivityEntry.objects.filter(action="registration.device_created", object_id=device.pk).count() == 1
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM registration_badge WHERE checked_in_at IS NOT NULL"
                       " AND current_checkin_id IS NULL")
        assert cursor.fetchone() == (0,)
    # A row written in the old layout (an admission the old code made) travels forward too.
    old = MigrationExecutor(connection).loader.project_state(BEFORE).apps
    OldBadge, OldCheckIn = old.get_model("registration", "Badge"), old.get_model("registration", "CheckIn")
    waiting = OldBadge.objects.filter(event_id=event.pk, checked_in_at__isnull=True).order_by("pk").first()
    now = timezone.now()
    late = OldCheckIn.objects.create(event_id=event.pk, badge_id=waiting.pk, gate="Cổng cũ", at=now, role="buyer",
                                     by_device_id=device.pk)
    OldBadge.objects.filter(pk=waiting.pk).update(checked_in_at=now, checked_in_gate="Cổng cũ",
                                                  current_checkin_id=late.pk)

    _migrate(None)
    assert _tables() >= NEW_TABLES and not OLD_TABLES & _tables()
    assert list(CheckIn.objects.filter(event=event).exclude(pk=late.pk).order_by("pk")
                .values_list("pk", "badge_id", "gate", "at")) == admitted
    moved = CheckIn.objects.select_related("badge", "by_device").get(pk=late.pk)
    assert (moved.badge_id, moved.gate, moved.by_device) == (waiting.pk, "Cổng cũ", device)
    assert not ContentType.objects.filter(app_label="registration", model__in=["checkin", "device"]).exists()
    # The device's history still finds it (its content type moved, not re-created).
    created = ActivityEntry.objects.get(action="checkin.device_created", object_id=device.pk)
    assert created.subject == Device.objects.get(pk=device.pk)
    assert ActivityEntry.objects.filter(event=event, action="checkin.scan").count() == scans
    assert not ActivityEntry.objects.filter(action__startswith="registration.scan").exists()

    # The moved data works: a scan of an admitted badge is "already checked in", undo frees a badge, a new
    # admission counts.
    tokens.forget_cached_keys()
    inside = Badge.objects.get(pk=waiting.pk)
    again = checkin.redeem_badge(code=badges.token_for(inside), gate="Cổng A", nonce=uuid.uuid4().hex,
                                 device_or_user=desk, event=event)
    assert again.status == "already_checked_in" and again.gate == "Cổng cũ"
    fresh = Badge.objects.filter(event=event, checked_in_at__isnull=True,
                                 registration__status="approved").order_by("pk").first()
    if fresh is not None:
        ok = checkin.redeem_badge(code=badges.token_for(fresh), gate="Cổng A", nonce=uuid.uuid4().hex,
                                  device_or_user=desk, event=event)
        assert ok.status == "ok"
        assert CheckIn.objects.filter(event=event, annulled_at__isnull=True).count() == live + 2
        undone = checkin.annul_last_checkin(gate="Cổng A", device_or_user=desk, event=event)
        assert undone.badge_id == fresh.pk and Badge.objects.get(pk=fresh.pk).checked_in_at is None
