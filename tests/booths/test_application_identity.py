"""#16 defect 2: once an application is decided, an exhibitor's change of its organization's name, tax code or
type waits for an organizer (a pending revision); the approved identity stays public until then."""

from __future__ import annotations

import pytest
from django.urls import reverse

from booths.models import ApplicationStatus, ExhibitorApplication, OrganizationRevision, RevisionStatus
from booths.services import applications as app_svc
from booths.services import booking as booking_svc
from eventsite.models import ActivityEntry, EventRole, Organization
from tests.factories import EventFactory, EventRoleFactory, OrganizationFactory, UserFactory, user_with_role

from .factories import ApplicationFactory, BoothFactory, HallFactory

pytestmark = pytest.mark.django_db

FORM = {"org_name": "Hợp tác xã Mật ong U Minh", "org_kind": "cooperative", "tax_code": "1900123456",
        "province_code": 96, "contact_name": "Lê Thị Bé Tư", "contact_phone": "0290 3831 234",
        "contact_email": "betu@example.vn", "booths_wanted": 1}
RENAMED = {**FORM, "org_name": "Công ty Giả Danh", "org_kind": "enterprise", "tax_code": "1900777777"}


@pytest.fixture
def event():
    return EventFactory(slug="hoi-cho")


@pytest.fixture
def booth(event):
    return BoothFactory(hall=HallFactory(event=event), code="A-01")


def url(name, event, **kw):
    return reverse(f"booths:{name}", kwargs={"event_slug": event.slug, **kw})


def decide_url(event, application, decision):
    return url("decide", event, application_id=application.pk, decision=decision)


@pytest.fixture
def exhibitor(client, event):
    user = UserFactory()
    client.force_login(user)
    assert client.post(url("apply", event), FORM).status_code == 302
    return user


@pytest.fixture
def organizer(event):
    return user_with_role(event, EventRole.Role.ORGANIZER)


def approve(client, event, organizer, exhibitor):
    application = ExhibitorApplication.objects.get()
    client.force_login(organizer)
    client.post(decide_url(event, application, "approve"))
    client.force_login(exhibitor)
    return application


def test_rename_before_any_decision_applies_at_once(client, event, exhibitor):
    assert client.post(url("apply", event), RENAMED).status_code == 302
    org = ExhibitorApplication.objects.get().organization
    assert (org.name, org.kind, org.tax_code) == ("Công ty Giả Danh", "enterprise", "1900777777")
    assert not OrganizationRevision.objects.exists()
    assert ActivityEntry.objects.filter(action="booths.organization_identity_changed").count() == 1


def test_rename_after_approval_waits_and_the_public_plan_keeps_the_approved_name(client, event, booth, exhibitor,
                                                                                 organizer):
    application = approve(client, event, organizer, exhibitor)
    booking_svc.assign_booth(booth_id=booth.pk, application_id=application.pk, event_id=event.pk)
    r = client.post(url("apply", event), RENAMED)
    assert r.status_code == 302
    org = Organization.objects.get(pk=application.organization_id)
    assert (org.name, org.kind, org.tax_code) == ("Hợp tác xã Mật ong U Minh", "cooperative", "1900123456")
    revision = OrganizationRevision.objects.get()
    assert (revision.name, revision.kind, revision.tax_code, revision.status) == (
        "Công ty Giả Danh", "enterprise", "1900777777", RevisionStatus.PENDING)
    assert revision.proposed_by == exhibitor
    client.logout()
    plan = client.get(url("floor_plan", event)).content.decode()
    assert "Hợp tác xã Mật ong U Minh" in plan
    assert "Công ty Giả Danh" not in plan
    assert ActivityEntry.objects.filter(action="booths.identity_revision_proposed", object_id=revision.pk).exists()


def test_form_shows_the_pending_change_and_saving_again_keeps_one_revision(client, event, exhibitor, organizer):
    approve(client, event, organizer, exhibitor)
    client.post(url("apply", event), RENAMED)
    page = client.get(url("apply", event))
    assert page.context["form"].initial["org_name"] == "Công ty Giả Danh"
    assert page.context["pending_revision"].name == "Công ty Giả Danh"
    client.post(url("apply", event), {**RENAMED, "org_name": "Công ty Giả Danh 2"})
    assert list(OrganizationRevision.objects.values_list("name", "status")) == [("Công ty Giả Danh 2", "pending")]


def test_proposing_the_approved_identity_again_withdraws_the_pending_change(client, event, exhibitor, organizer):
    approve(client, event, organizer, exhibitor)
    client.post(url("apply", event), RENAMED)
    client.post(url("apply", event), FORM)
    assert not OrganizationRevision.objects.exists()
    assert ActivityEntry.objects.filter(action="booths.identity_revision_withdrawn").count() == 1


def test_organizer_approves_the_change_on_the_application_page(client, event, exhibitor, organizer):
    application = approve(client, event, organizer, exhibitor)
    client.post(url("apply", event), RENAMED)
    revision = OrganizationRevision.objects.get()
    client.force_login(organizer)
    page = client.get(url("applications", event)).content.decode()
    assert "Công ty Giả Danh" in page and "1900777777" in page
    r = client.post(decide_url(event, application, "identity-approve"), {"revision": revision.pk})
    assert r.status_code == 302
    org = Organization.objects.get(pk=application.organization_id)
    assert (org.name, org.kind, org.tax_code) == ("Công ty Giả Danh", "enterprise", "1900777777")
    revision.refresh_from_db()
    assert (revision.status, revision.decided_by) == (RevisionStatus.APPROVED, organizer)
    entry = ActivityEntry.objects.get(action="booths.identity_revision_approved")
    assert entry.before["name"] == "Hợp tác xã Mật ong U Minh" and entry.after["name"] == "Công ty Giả Danh"


def test_organizer_rejects_the_change_and_the_approved_identity_stays(client, event, exhibitor, organizer):
    application = approve(client, event, organizer, exhibitor)
    client.post(url("apply", event), RENAMED)
    revision = OrganizationRevision.objects.get()
    client.force_login(organizer)
    client.post(decide_url(event, application, "identity-reject"), {"revision": revision.pk})
    revision.refresh_from_db()
    assert revision.status == RevisionStatus.REJECTED
    assert Organization.objects.get(pk=application.organization_id).name == "Hợp tác xã Mật ong U Minh"
    # deciding twice is a clear refusal, not a second change
    with pytest.raises(app_svc.DomainError) as error:
        app_svc.approve_identity_revision(revision=revision, by_user=organizer)
    assert error.value.code == "revision_decided"


def test_only_this_events_organizer_decides_a_change(client, event, exhibitor, organizer):
    application = approve(client, event, organizer, exhibitor)
    client.post(url("apply", event), RENAMED)
    revision = OrganizationRevision.objects.get()
    r = client.post(decide_url(event, application, "identity-approve"), {"revision": revision.pk})
    assert r.status_code == 403  # the exhibitor itself
    other = EventFactory(slug="other")
    client.force_login(user_with_role(other, EventRole.Role.ORGANIZER))
    r = client.post(url("decide", other, application_id=application.pk, decision="identity-approve"),
                    {"revision": revision.pk})
    assert r.status_code == 404
    client.force_login(organizer)
    for bad in ("", "x", "99999999999999999999999", str(revision.pk + 1)):
        assert client.post(decide_url(event, application, "identity-approve"), {"revision": bad}).status_code == 404
    assert OrganizationRevision.objects.get().status == RevisionStatus.PENDING


def test_a_change_to_a_tax_code_held_by_another_organization_is_refused(client, event, exhibitor, organizer):
    approve(client, event, organizer, exhibitor)
    OrganizationFactory(tax_code="1900777777")
    r = client.post(url("apply", event), RENAMED)
    assert r.status_code == 200
    assert r.context["form"].non_field_errors()
    assert not OrganizationRevision.objects.exists()


def test_approval_checks_the_tax_code_again(client, event, exhibitor, organizer):
    application = approve(client, event, organizer, exhibitor)
    client.post(url("apply", event), RENAMED)
    OrganizationFactory(tax_code="1900777777")  # taken while the change waited
    with pytest.raises(app_svc.DomainError) as error:
        app_svc.approve_identity_revision(revision=OrganizationRevision.objects.get(), by_user=organizer)
    assert error.value.code == "tax_code_taken"
    assert Organization.objects.get(pk=application.organization_id).tax_code == "1900123456"


def test_an_organization_exhibiting_at_another_event_is_locked_before_this_decision(event):
    org = OrganizationFactory(name="HTX Đầm Dơi", kind="cooperative")
    EventRoleFactory(event=EventFactory(slug="nam-truoc"), role=EventRole.Role.EXHIBITOR, organization=org)
    application = ApplicationFactory(event=event, organization=org, status=ApplicationStatus.SUBMITTED)
    revision = app_svc.change_organization_identity(organization=org, application=application,
                                                    user=application.applicant, name="Tên mới", kind="household",
                                                    tax_code=org.tax_code)
    assert revision is not None and revision.is_pending
    assert Organization.objects.get(pk=org.pk).name == "HTX Đầm Dơi"


def test_the_admin_decides_through_the_same_service(client, event, exhibitor, organizer):
    application = approve(client, event, organizer, exhibitor)
    client.post(url("apply", event), RENAMED)
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    page = client.get(reverse("admin:booths_exhibitorapplication_change", args=[application.pk]))
    assert "Công ty Giả Danh" in page.content.decode()
    r = client.post(reverse("admin:booths_exhibitorapplication_changelist"),
                    {"action": "approve_identity_changes", "_selected_action": [application.pk]})
    assert r.status_code == 302
    assert Organization.objects.get(pk=application.organization_id).name == "Công ty Giả Danh"
    assert ActivityEntry.objects.filter(action="booths.identity_revision_approved").count() == 1
