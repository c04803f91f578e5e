"""An entry without a key stores NULL, not "": the unique (event, key) becomes a full index, which a query for one
key uses whatever its plan (a prepared statement's generic plan cannot prove a parameter is not "")."""


from django.db import migrations, models


def empty_to_null(apps, schema_editor):
    apps.get_model("eventsite", "ActivityEntry").objects.filter(key="").update(key=None)


def null_to_empty(apps, schema_editor):
    apps.get_model("eventsite", "ActivityEntry").objects.filter(key__isnull=True).update(key="")


class Migration(migrations.Migration):

    dependencies = [
        ('contenttypes', '0002_remove_content_type_name'),
        ('eventsite', '0006_invitation_scope_booth_staff'),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name='activityentry',
            name='activity_event_key_unique',
        ),
        migrations.AlterField(
            model_name='activityentry',
            name='key',
            field=models.CharField(blank=True, default=None, max_length=64, null=True),
        ),
        migrations.RunPython(empty_to_null, null_to_empty),
        migrations.AddConstraint(
            model_name='activityentry',
            constraint=models.UniqueConstraint(fields=('event', 'key'), name='activity_event_key_unique'),
        ),
    ]
