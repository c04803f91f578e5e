"""Roles follow the facts, for the data that existed before they did: every approved buyer registration with an
account (or whose address an account has verified, which is then linked) gives that account the buyer role at
its event, on behalf of the buyer's company as an organization (matched by tax code, else by its name without
tone marks in the same province, else created). Each change is written to the activity log.

The rule itself lives in registration/services/roles.py; a migration must use the models as they were here."""

from django.db import migrations

from eventsite.provinces import current_name, fold

KIND_OF_BUYER_TYPE = {"supermarket": "retail_chain", "distributor": "distributor", "wholesaler": "distributor",
                      "ecommerce": "ecommerce", "exporter": "exporter"}
LABEL = "data migration 0010"


def _key(name):
    return " ".join(fold(name or "").split())


def forwards(apps, schema_editor):
    Registration = apps.get_model("registration", "Registration")
    Organization = apps.get_model("eventsite", "Organization")
    EventRole = apps.get_model("eventsite", "EventRole")
    EmailAddress = apps.get_model("account", "EmailAddress")
    ActivityEntry = apps.get_model("eventsite", "ActivityEntry")
    ContentType = apps.get_model("contenttypes", "ContentType")
    registration_type, _created = ContentType.objects.get_or_create(app_label="registration", model="registration")

    def log(registration, action, after):
        ActivityEntry.objects.create(
            event_id=registration.event_id, actor_label=LABEL, action=action, content_type=registration_type,
            object_id=registration.pk, object_repr=f"{registration.full_name} ({registration.company})"[:200],
            after=after)

    approved = Registration.objects.filter(role="buyer", status="approved").order_by("created_at", "pk")
    owners = {e.lower(): u for e, u in EmailAddress.objects.filter(verified=True).values_list("email", "user_id")}
    for registration in approved.filter(user__isnull=True):
        user_id = owners.get(registration.email.lower())
        if user_id is not None:
            registration.user_id = user_id
            registration.save(update_fields=["user"])
            log(registration, "registration.account_linked", {"user": user_id})

    for registration in approved.filter(user__isnull=False):
        if registration.organization_id is None:
            organization = None
            if registration.tax_code:
                organization = Organization.objects.filter(tax_code=registration.tax_code).first()
            if organization is None:
                key = _key(registration.company)
                organization = next((o for o in Organization.objects.filter(
                    province_code=registration.province_code).order_by("pk") if _key(o.name) == key), None)
            action = "registration.organization_matched"
            if organization is None:
                name = registration.company.strip()[:255]
                organization = Organization.objects.create(
                    name=name, tax_code=registration.tax_code, province_code=registration.province_code,
                    kind=KIND_OF_BUYER_TYPE.get(registration.buyer_type, "other"),
                    search_text=fold(" ".join(p for p in (name, registration.tax_code,
                                                          current_name(registration.province_code)) if p)))
                action = "registration.organization_created"
            registration.organization_id = organization.pk
            registration.save(update_fields=["organization"])
            log(registration, action, {"organization": organization.pk})
        role = EventRole.objects.filter(event_id=registration.event_id, user_id=registration.user_id,
                                        role="buyer").first()
        if role is None:
            EventRole.objects.create(event_id=registration.event_id, user_id=registration.user_id, role="buyer",
                                     organization_id=registration.organization_id)
        elif role.organization_id is None:
            role.organization_id = registration.organization_id
            role.save(update_fields=["organization"])
        else:
            continue
        log(registration, "registration.buyer_role_granted",
            {"user": registration.user_id, "role": "buyer", "organization": registration.organization_id})


class Migration(migrations.Migration):
    dependencies = [
        ("registration", "0009_registration_claimed_email"),
        ("eventsite", "0003_activity_log"),
        ("account", "0009_emailaddress_unique_primary_email"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
