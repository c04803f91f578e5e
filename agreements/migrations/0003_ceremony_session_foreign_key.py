"""The signing-ceremony session becomes a real foreign key to agenda.Session.

The old plain-integer column is renamed out of the way first (the new field's column has the same
name), then every old id that names an existing session of the agreement's own event is carried
over; ids of missing sessions or of another event's sessions become NULL.
"""

import django.db.models.deletion
from django.db import migrations, models


def carry_over(apps, schema_editor):
    Agreement = apps.get_model("agreements", "Agreement")
    Session = apps.get_model("agenda", "Session")
    for pk, event_id, old in (Agreement.objects.filter(legacy_ceremony_session_id__isnull=False)
                              .values_list("pk", "event_id", "legacy_ceremony_session_id").iterator()):
        if Session.objects.filter(pk=old, event_id=event_id).exists():
            Agreement.objects.filter(pk=pk).update(ceremony_session_id=old)


def carry_back(apps, schema_editor):
    Agreement = apps.get_model("agreements", "Agreement")
    for pk, session_id in (Agreement.objects.filter(ceremony_session__isnull=False)
                           .values_list("pk", "ceremony_session_id").iterator()):
        Agreement.objects.filter(pk=pk).update(legacy_ceremony_session_id=session_id)


class Migration(migrations.Migration):

    dependencies = [
        ("agenda", "0001_initial"),
        ("agreements", "0002_tally_covering_indexes"),
    ]

    operations = [
        migrations.RenameField(
            model_name="agreement", old_name="ceremony_session_id", new_name="legacy_ceremony_session_id",
        ),
        migrations.AddField(
            model_name="agreement",
            name="ceremony_session",
            field=models.ForeignKey(
                blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name="agreements",
                to="agenda.session", verbose_name="signing-ceremony session",
            ),
        ),
        migrations.RunPython(carry_over, carry_back),
        migrations.RemoveField(model_name="agreement", name="legacy_ceremony_session_id"),
    ]
