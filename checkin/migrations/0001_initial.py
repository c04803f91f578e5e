"""Check-in moves out of registration into its own app, keeping every row.

The models' state moves (registration 0015 forgets them, this migration knows them under their old tables), then
the tables and the check-in index take this app's names, the content types follow (so the activity log's entries
about devices, and the admin's permissions, keep pointing at them), and the activity log's check-in actions take
this app's prefix. Every step runs backwards too (tests/checkin/test_app_split_migration.py).
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

MOVED = ["checkin", "checkinconflict", "deskreport", "device"]
ACTIONS = {
    "registration.scan": "checkin.scan",
    "registration.checkin_undone": "checkin.undone",
    "registration.device_created": "checkin.device_created",
    "registration.device_renamed": "checkin.device_renamed",
    "registration.device_revoked": "checkin.device_revoked",
}


def _move(apps, source: str, target: str, actions: dict[str, str]) -> None:
    ContentType = apps.get_model("contenttypes", "ContentType")
    ActivityEntry = apps.get_model("eventsite", "ActivityEntry")
    for model in MOVED:
        old = ContentType.objects.filter(app_label=source, model=model).first()
        if old is None:
            continue  # a database migrated in one run: the content types are created after it, under the new app
        new = ContentType.objects.filter(app_label=target, model=model).first()
        if new is None:
            ContentType.objects.filter(pk=old.pk).update(app_label=target)
        else:  # both exist (a half-run migration): the entries follow the one kept
            ActivityEntry.objects.filter(content_type_id=old.pk).update(content_type_id=new.pk)
            old.delete()
    for was, becomes in actions.items():
        ActivityEntry.objects.filter(action=was).update(action=becomes)


def forwards(apps, schema_editor):
    _move(apps, "registration", "checkin", ACTIONS)


def backwards(apps, schema_editor):
    _move(apps, "checkin", "registration", {new: old for old, new in ACTIONS.items()})


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("eventsite", "0007_activity_key_null"),
        ("registration", "0015_checkin_moves_out"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(state_operations=[
                migrations.CreateModel(
                    name='CheckIn',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('gate', models.CharField(max_length=40, verbose_name='gate')),
                        ('at', models.DateTimeField(verbose_name='time')),
                        ('role', models.CharField(max_length=20)),
                        ('timing', models.CharField(blank=True, choices=[('early', 'Early'), ('late', 'Late')], default='', max_length=5, verbose_name='timing')),
                        ('annulled_at', models.DateTimeField(blank=True, null=True)),
                        ('badge', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='checkins', to='registration.badge')),
                        ('by_user', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('event', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='checkins', to='eventsite.event')),
                    ],
                    options={
                        'verbose_name': 'check-in',
                        'verbose_name_plural': 'check-ins',
                        'db_table': 'registration_checkin',
                    },
                ),
                migrations.CreateModel(
                    name='CheckinConflict',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('other_gate', models.CharField(max_length=40, verbose_name='gate')),
                        ('other_at', models.DateTimeField(verbose_name='time')),
                        ('nonce', models.CharField(max_length=64)),
                        ('created_at', models.DateTimeField(auto_now_add=True)),
                        ('badge', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='conflicts', to='registration.badge')),
                        ('event', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='checkin_conflicts', to='eventsite.event')),
                        ('kept', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='checkin.checkin')),
                        ('other_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('superseded', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='checkin.checkin')),
                    ],
                    options={
                        'verbose_name': 'check-in conflict',
                        'verbose_name_plural': 'check-in conflicts',
                        'ordering': ['-created_at', '-pk'],
                        'db_table': 'registration_checkinconflict',
                    },
                ),
                migrations.CreateModel(
                    name='Device',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('name', models.CharField(max_length=100, verbose_name='name')),
                        ('token_prefix', models.CharField(editable=False, max_length=8, verbose_name='token starts with')),
                        ('token_hash', models.CharField(editable=False, max_length=64, unique=True)),
                        ('is_active', models.BooleanField(default=True, verbose_name='active')),
                        ('created_at', models.DateTimeField(auto_now_add=True)),
                        ('last_seen_at', models.DateTimeField(blank=True, null=True, verbose_name='last seen')),
                        ('created_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('event', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='checkin_devices', to='eventsite.event')),
                    ],
                    options={
                        'verbose_name': 'check-in device',
                        'verbose_name_plural': 'check-in devices',
                        'db_table': 'registration_device',
                    },
                ),
                migrations.AddField(
                    model_name='checkin',
                    name='by_device',
                    field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='checkin.device'),
                ),
                migrations.CreateModel(
                    name='DeskReport',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('desk_id', models.CharField(max_length=40)),
                        ('gate', models.CharField(blank=True, max_length=40, verbose_name='gate')),
                        ('last_sync_at', models.DateTimeField(verbose_name='last sync')),
                        ('queue_length', models.PositiveIntegerField(default=0, verbose_name='scans waiting to upload')),
                        ('list_version', models.BigIntegerField(default=0, verbose_name='list version')),
                        ('event', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='desk_reports', to='eventsite.event')),
                        ('user', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'verbose_name': 'desk report',
                        'verbose_name_plural': 'desk reports',
                        'constraints': [models.UniqueConstraint(fields=('event', 'desk_id'), name='deskreport_one_per_desk')],
                        'db_table': 'registration_deskreport',
                    },
                ),
                migrations.AddIndex(
                    model_name='checkin',
                    index=models.Index(fields=['event', 'annulled_at', 'at'], name='registratio_event_i_2f4cd0_idx'),
                ),
                migrations.AddConstraint(
                    model_name='checkin',
                    constraint=models.UniqueConstraint(condition=models.Q(('annulled_at__isnull', True)), fields=('badge',), name='checkin_one_live_per_badge'),
                ),
        ]),
        migrations.AlterModelTable(name="checkin", table=None),
        migrations.AlterModelTable(name="checkinconflict", table=None),
        migrations.AlterModelTable(name="deskreport", table=None),
        migrations.AlterModelTable(name="device", table=None),
        migrations.RenameIndex(model_name="checkin", new_name="checkin_event_live_at",
                               old_name="registratio_event_i_2f4cd0_idx"),
        migrations.RunPython(forwards, backwards),
    ]
