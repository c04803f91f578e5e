"""Factories for the booth domain (shared ones live in tests/factories.py)."""

from __future__ import annotations

import factory

from booths.models import ApplicationStatus, Booth, BoothKind, ExhibitorApplication, Hall, Zone
from eventsite.models import EventRole, Organization
from tests.factories import EventFactory, EventRoleFactory, OrganizationFactory, UserFactory


class HallFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Hall

    event = factory.SubFactory(EventFactory)
    name = factory.Sequence(lambda n: f"Nhà {chr(65 + n % 26)}{n}")
    width_m = 60
    depth_m = 40


class ZoneFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Zone

    hall = factory.SubFactory(HallFactory)
    name = factory.Sequence(lambda n: f"Khu {n}")


class BoothFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Booth

    hall = factory.SubFactory(HallFactory)
    event = factory.LazyAttribute(lambda o: o.hall.event)
    code = factory.Sequence(lambda n: f"A-{n:03d}")
    kind = BoothKind.STANDARD
    price = 5_000_000
    x = factory.Sequence(lambda n: float((n % 15) * 3))
    y = factory.Sequence(lambda n: float((n // 15 % 10) * 4))
    w = 3.0
    h = 3.0


class ApplicationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ExhibitorApplication

    event = factory.SubFactory(EventFactory)
    organization = factory.SubFactory(OrganizationFactory, kind=Organization.Kind.COOPERATIVE)
    applicant = factory.SubFactory(UserFactory)
    contact_name = "Nguyễn Thị Xa"
    contact_phone = "0290 3831 234"
    contact_email = factory.Sequence(lambda n: f"contact{n}@example.vn")
    status = ApplicationStatus.APPROVED


def exhibitor(event, **kwargs) -> ExhibitorApplication:
    """An approved application whose applicant holds the exhibitor role for its organization."""
    app = ApplicationFactory(event=event, **kwargs)
    EventRoleFactory(event=event, user=app.applicant, role=EventRole.Role.EXHIBITOR, organization=app.organization)
    return app
