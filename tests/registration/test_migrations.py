"""The migration that moves the scan log into the one activity log keeps every scan and its answer."""

from __future__ import annotations

import uuid

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

BEFORE = [("registration", "0013_contact_consent"), ("eventsite", "0007_activity_key_null")]
AFTER = [("registration", "0014_scans_into_activity_log")]


@pytest.mark.django_db(transaction=True)
def test_scans_move_into_the_activity_log_and_a_retry_still_gets_its_first_answer():
    from checkin.services import checkin
    from registration.services import badges, tokens
    from tests.factories import user_with_role
    from tests.registration.factories_checkin import CheckinRegistrationFactory

    reg = CheckinRegistrationFactory()
    desk = user_with_role(reg.event, "desk_staff")
    code = badges.token_for(badges.ensure_badge(reg))
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps
    ScanLog, CheckIn = old.get_model("registration", "ScanLog"), old.get_model("registration", "CheckIn")
    Device = old.get_model("registration", "Device")
    device = Device.objects.create(event_id=reg.event_id, name="Máy quét cổng 2", token_prefix="abcd1234",
                                   token_hash="x" * 64)
    now = timezone.now()
    admitted = CheckIn.objects.create(event_id=reg.event_id, badge_id=reg.badge.pk, gate="Cổng A", at=now,
                                      role=reg.role, by_user_id=desk.pk)
    answer = {"status": "ok", "badge_id": reg.badge.pk, "attendee": {"name": reg.full_name}, "gate": "Cổng A",
              "checked_in_at": now.isoformat(), "timing": ""}
    ok_nonce, bad_nonce = uuid.uuid4().hex, uuid.uuid4().hex
    ScanLog.objects.create(event_id=reg.event_id, nonce=ok_nonce, gate="Cổng A", status="ok", badge_id=reg.badge.pk,
                           checkin=admitted, by_user_id=desk.pk, at=now, result=answer)
    ScanLog.objects.create(event_id=reg.event_id, nonce=bad_nonce, gate="Cổng 2", status="malformed",
                           by_device=device, at=now, scanned_at=now, result={"status": "malformed"})

    executor = MigrationExecutor(connection)
    executor.migrate(AFTER)
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
    from eventsite.models import ActivityEntry
    from registration.models import Registration

    ok = ActivityEntry.objects.get(action=checkin.SCAN, key=ok_nonce)
    assert (ok.event_id, ok.actor_id, ok.at, ok.subject) == (reg.event_id, desk.pk, now, Registration.objects.get(
        pk=reg.pk))
    assert ok.after == {**answer, "scan_gate": "Cổng A", "checkin_id": admitted.pk, "scanned_at": None}
    bad = ActivityEntry.objects.get(action=checkin.SCAN, key=bad_nonce)
    assert bad.actor_id is None and bad.actor_label == "Máy quét cổng 2 (abcd1234…)" and bad.object_id is None
    assert bad.after["status"] == "malformed" and bad.after["scanned_at"] == now.isoformat()
    # The desk's retry of the moved scan gets its first answer back, not "already checked in".
    tokens.forget_cached_keys()
    again = checkin.redeem_badge(code=code, gate="Cổng A", nonce=ok_nonce, device_or_user=desk, event=reg.event)
    assert again.replayed and again.status == "ok" and again.checked_in_at == now.isoformat()

    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    back = executor.loader.project_state(BEFORE).apps.get_model("registration", "ScanLog")
    rows = {r.nonce: r for r in back.objects.all()}
    assert rows[ok_nonce].status == "ok" and rows[ok_nonce].result == answer
    assert rows[ok_nonce].checkin_id == admitted.pk and rows[ok_nonce].gate == "Cổng A"
    assert rows[bad_nonce].by_device_id == device.pk and rows[bad_nonce].scanned_at == now
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
