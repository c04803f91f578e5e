"""Check-in moves into its own app (checkin/): registration forgets the models' state here, the tables stay
until checkin 0001 renames them. The badge no longer points at its current check-in (the check-in app finds it by
its one live row); going back fills the pointer in again."""

from django.db import migrations
from django.db.models import OuterRef, Subquery


def refill_current_checkin(apps, schema_editor):
    Badge, CheckIn = apps.get_model("registration", "Badge"), apps.get_model("registration", "CheckIn")
    live = CheckIn.objects.filter(badge_id=OuterRef("pk"), annulled_at__isnull=True).values("pk")[:1]
    Badge.objects.filter(checked_in_at__isnull=False).update(current_checkin_id=Subquery(live))


class Migration(migrations.Migration):

    dependencies = [
        ("registration", "0014_scans_into_activity_log"),
    ]

    operations = [
        migrations.RunPython(migrations.RunPython.noop, refill_current_checkin),
        migrations.RemoveField(
            model_name='badge',
            name='current_checkin',
        ),
        migrations.SeparateDatabaseAndState(state_operations=[
                migrations.RemoveField(
                    model_name='checkinconflict',
                    name='kept',
                ),
                migrations.RemoveField(
                    model_name='checkinconflict',
                    name='superseded',
                ),
                migrations.RemoveField(
                    model_name='checkinconflict',
                    name='badge',
                ),
                migrations.RemoveField(
                    model_name='checkinconflict',
                    name='event',
                ),
                migrations.RemoveField(
                    model_name='checkinconflict',
                    name='other_by',
                ),
                migrations.RemoveField(
                    model_name='deskreport',
                    name='event',
                ),
                migrations.RemoveField(
                    model_name='deskreport',
                    name='user',
                ),
                migrations.RemoveField(
                    model_name='device',
                    name='created_by',
                ),
                migrations.RemoveField(
                    model_name='device',
                    name='event',
                ),
                migrations.DeleteModel(
                    name='CheckIn',
                ),
                migrations.DeleteModel(
                    name='CheckinConflict',
                ),
                migrations.DeleteModel(
                    name='DeskReport',
                ),
                migrations.DeleteModel(
                    name='Device',
                ),
        ]),
    ]
