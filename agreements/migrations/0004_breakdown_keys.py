"""Each agreement's row in the "by buyer" and "by product group" breakdowns, stored like the partner province
so those tallies are one GROUP BY; existing agreements get theirs from their parties and product groups."""

from django.db import migrations, models


def fill(apps, schema_editor):
    Agreement = apps.get_model("agreements", "Agreement")
    AgreementParty = apps.get_model("agreements", "AgreementParty")
    AgreementProductGroup = apps.get_model("agreements", "AgreementProductGroup")

    def key(values: set) -> str:
        if not values:
            return "none"
        return str(next(iter(values))) if len(values) == 1 else "several"

    buyers: dict[int, set] = {}
    for agreement_id, org_id in AgreementParty.objects.filter(role="buyer").values_list("agreement_id",
                                                                                         "organization_id"):
        buyers.setdefault(agreement_id, set()).add(org_id)
    groups: dict[int, set] = {}
    for agreement_id, group in AgreementProductGroup.objects.values_list("agreement_id", "group"):
        groups.setdefault(agreement_id, set()).add(group)
    for pk in Agreement.objects.values_list("pk", flat=True).iterator():
        Agreement.objects.filter(pk=pk).update(buyer_key=key(buyers.get(pk, set())),
                                               group_key=key(groups.get(pk, set())))


class Migration(migrations.Migration):

    dependencies = [
        ("agreements", "0003_ceremony_session_foreign_key"),
    ]

    operations = [
        migrations.AddField(
            model_name="agreement", name="buyer_key",
            field=models.CharField(default="none", editable=False, max_length=20),
        ),
        migrations.AddField(
            model_name="agreement", name="group_key",
            field=models.CharField(default="none", editable=False, max_length=20),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
