"""Bulk badge files move from public MEDIA_ROOT to private storage (issue #16, defect 5).

Every file of a finished job is copied into private storage under the same name and deleted from MEDIA_ROOT, so
no attendee's signed QR code stays downloadable by file name; a job whose file is already gone keeps no file.
"""

from pathlib import Path

from django.conf import settings
from django.core.files import File
from django.db import migrations, models

import eventsite.storage


def move_to_private(apps, schema_editor):
    BadgeJob = apps.get_model("registration", "BadgeJob")
    storage = eventsite.storage.private_storage()
    for job in BadgeJob.objects.exclude(file="").only("pk", "file"):
        public = Path(settings.MEDIA_ROOT) / job.file.name
        if not public.is_file():
            BadgeJob.objects.filter(pk=job.pk).update(file="")
            continue
        with open(public, "rb") as content:
            stored = storage.save(job.file.name, File(content))
        BadgeJob.objects.filter(pk=job.pk).update(file=stored)
        public.unlink()


class Migration(migrations.Migration):

    dependencies = [
        ("registration", "0007_desk_tombstones_refused_scans"),
    ]

    operations = [
        migrations.AlterField(
            model_name="badgejob",
            name="file",
            field=models.FileField(blank=True, storage=eventsite.storage.private_storage, upload_to="badges/"),
        ),
        migrations.RunPython(move_to_private, migrations.RunPython.noop, elidable=True),
    ]
