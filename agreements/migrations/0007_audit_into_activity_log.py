"""One activity log: the agreements' own audit trail (``AuditEntry``) moves into ``eventsite.ActivityEntry``, the
log every other app writes, with the agreement as its object. Every row is copied (who, when, action, before, after,
note), then the table is dropped. Going back copies the agreement actions back into a new ``AuditEntry`` table."""

from django.conf import settings
from django.db import migrations, models

PREFIX = "agreements."
BATCH = 2000


def _agreement_type(apps):
    ContentType = apps.get_model("contenttypes", "ContentType")
    return ContentType.objects.get_or_create(app_label="agreements", model="agreement")[0]


def forwards(apps, schema_editor):
    AuditEntry = apps.get_model("agreements", "AuditEntry")
    ActivityEntry = apps.get_model("eventsite", "ActivityEntry")
    content_type = _agreement_type(apps)
    rows = (AuditEntry.objects.select_related("agreement").order_by("id")
            .values_list("agreement_id", "agreement__event_id", "agreement__title", "actor_id", "at", "action",
                         "before", "after", "note"))
    batch = []
    for agreement_id, event_id, title, actor_id, at, action, before, after, note in rows.iterator(chunk_size=BATCH):
        batch.append(ActivityEntry(
            event_id=event_id, at=at, actor_id=actor_id, action=PREFIX + action, content_type=content_type,
            object_id=agreement_id, object_repr=(title or "")[:200], before=before, after=after, note=note or ""))
        if len(batch) >= BATCH:
            ActivityEntry.objects.bulk_create(batch)
            batch = []
    ActivityEntry.objects.bulk_create(batch)


ACTIONS = ["created", "submitted", "updated", "verified", "rejected", "status", "cancelled", "scan"]


def backwards(apps, schema_editor):
    AuditEntry = apps.get_model("agreements", "AuditEntry")
    ActivityEntry = apps.get_model("eventsite", "ActivityEntry")
    entries = ActivityEntry.objects.filter(content_type=_agreement_type(apps),
                                           action__in=[PREFIX + a for a in ACTIONS]).order_by("at", "id")
    AuditEntry.objects.bulk_create([
        AuditEntry(agreement_id=e.object_id, actor_id=e.actor_id, at=e.at, action=e.action[len(PREFIX):],
                   before=e.before, after=e.after, note=e.note[:300]) for e in entries.iterator()], batch_size=BATCH)
    entries.delete()


class Migration(migrations.Migration):

    dependencies = [
        ("agreements", "0006_followup"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("eventsite", "0003_activity_log"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        # ``at`` was auto_now_add: a plain field first, so that going back keeps each row's time.
        migrations.AlterField(model_name="auditentry", name="at", field=models.DateTimeField()),
        migrations.RunPython(forwards, backwards),
        migrations.DeleteModel(name="AuditEntry"),
    ]
