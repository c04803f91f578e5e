"""One activity log: every scan moves from ``ScanLog`` into ``eventsite.ActivityEntry`` (action
``registration.scan``, the client's nonce as its key, the badge's registration as its object, the answer given as
``after`` with the scanned gate, the check-in it made and the offline scan time), then the table is dropped.
Going back rebuilds the ``ScanLog`` rows from those entries."""

from django.conf import settings
from django.db import migrations

SCAN = "registration.scan"
BATCH = 2000


def _type(apps, model):
    ContentType = apps.get_model("contenttypes", "ContentType")
    return ContentType.objects.get_or_create(app_label="registration", model=model)[0]


def _device_label(name: str, prefix: str) -> str:
    return f"{name} ({prefix}…)"[:200]  # as the activity log names a device (Device.__str__)


def forwards(apps, schema_editor):
    ScanLog = apps.get_model("registration", "ScanLog")
    ActivityEntry = apps.get_model("eventsite", "ActivityEntry")
    registration_type = _type(apps, "registration")
    rows = ScanLog.objects.order_by("id").values_list(
        "event_id", "nonce", "gate", "at", "scanned_at", "result", "checkin_id", "by_user_id", "by_device__name",
        "by_device__token_prefix",
        "badge__registration_id", "badge__registration__full_name", "badge__registration__company")
    batch = []
    for (event_id, nonce, gate, at, scanned_at, result, checkin_id, user_id, device, prefix, registration_id, name,
         company) in rows.iterator(chunk_size=BATCH):
        batch.append(ActivityEntry(
            event_id=event_id, at=at, actor_id=user_id, actor_label=_device_label(device, prefix) if device else "",
            action=SCAN, key=nonce, content_type=registration_type if registration_id else None,
            object_id=registration_id, object_repr=f"{name} ({company})"[:200] if registration_id else "",
            after={**(result or {}), "scan_gate": gate, "checkin_id": checkin_id,
                   "scanned_at": scanned_at.isoformat() if scanned_at else None}))
        if len(batch) >= BATCH:
            ActivityEntry.objects.bulk_create(batch)
            batch = []
    ActivityEntry.objects.bulk_create(batch)


def backwards(apps, schema_editor):
    from datetime import datetime

    ScanLog = apps.get_model("registration", "ScanLog")
    ActivityEntry = apps.get_model("eventsite", "ActivityEntry")
    Badge = apps.get_model("registration", "Badge")
    Device = apps.get_model("registration", "Device")
    entries = ActivityEntry.objects.filter(action=SCAN).order_by("id")
    badges = set(Badge.objects.values_list("pk", flat=True))
    devices = {(event_id, _device_label(name, prefix)): pk
               for pk, event_id, name, prefix in Device.objects.values_list("pk", "event_id", "name", "token_prefix")}
    rows = []
    for e in entries.iterator(chunk_size=BATCH):
        answer = dict(e.after or {})
        gate, checkin_id, scanned_at = answer.pop("scan_gate", ""), answer.pop("checkin_id", None), answer.pop(
            "scanned_at", None)
        badge_id = answer.get("badge_id")
        rows.append(ScanLog(
            event_id=e.event_id, nonce=e.key, gate=gate or "", status=answer.get("status", ""),
            badge_id=badge_id if badge_id in badges else None, checkin_id=checkin_id, by_user_id=e.actor_id,
            by_device_id=devices.get((e.event_id, e.actor_label)) if e.actor_label else None, at=e.at,
            scanned_at=datetime.fromisoformat(scanned_at) if scanned_at else None, result=answer))
    ScanLog.objects.bulk_create(rows, batch_size=BATCH)
    entries.delete()


class Migration(migrations.Migration):

    dependencies = [
        ("registration", "0013_contact_consent"),
        ("eventsite", "0007_activity_key_null"),
        ("contenttypes", "0002_remove_content_type_name"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RunPython(forwards, backwards),
        migrations.DeleteModel(name="ScanLog"),
    ]
