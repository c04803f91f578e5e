"""factory_boy factories shared by every app's tests."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import factory
from allauth.account.models import EmailAddress

from catalog.models import Product
from catalog.ocop import ProductGroup, SubGroup
from eventsite.models import Event, EventRole, Organization, User

VN = ZoneInfo("Asia/Ho_Chi_Minh")
PASSWORD = "test-pass-123"
# Test events start today at 08:00 and last three days, so that a check-in made now is inside the event's check-in
# window (checkin.services.checkin.checkin_window), as on a real event day. Dates in tests are written from
# these, never as fixed calendar days.
DAY1 = datetime.combine(datetime.now(VN).date(), time(8, 0), tzinfo=VN)
DAY2 = DAY1 + timedelta(days=1)
DAY3 = DAY1 + timedelta(days=2)


def local_day(days: int = 0, hour: int = 8) -> datetime:
    """``hour`` o'clock, ``days`` after today's date in Vietnam as of the call. DAY1 is today as of the import, so
    a suite running across midnight in Vietnam (17:00 UTC) sees DAY1 become yesterday; a test whose meaning depends
    on which day now falls on (the first day a check-in counts as early) takes its dates from here."""
    return datetime.combine(datetime.now(VN).date() + timedelta(days=days), time(hour, 0), tzinfo=VN)


def at(day: datetime, hhmm: str) -> datetime:
    """``day`` at the local time "HH:MM"."""
    hours, minutes = map(int, hhmm.split(":"))
    return day.replace(hour=hours, minute=minutes)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.vn")
    full_name = factory.Sequence(lambda n: f"Nguyễn Văn {n}")
    password = factory.django.Password(PASSWORD)

    @factory.post_generation
    def verified(self, create, extracted, **kwargs):
        if create and extracted is not False:
            EmailAddress.objects.create(user=self, email=self.email, verified=True, primary=True)


class OrganizationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organization

    name = factory.Sequence(lambda n: f"Hợp tác xã Đầm Dơi {n}")
    kind = Organization.Kind.COOPERATIVE
    tax_code = factory.Sequence(lambda n: f"19{n:08d}")
    province_code = 96


class EventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Event

    name = factory.Sequence(lambda n: f"Hội nghị kết nối cung cầu {n}")
    slug = factory.Sequence(lambda n: f"event-{n}")
    organizer = factory.SubFactory(OrganizationFactory, kind=Organization.Kind.GOVERNMENT)
    province_at_event = "Cà Mau"
    province_code = 96
    venue = "Trung tâm Hội nghị tỉnh Cà Mau"
    starts_at = factory.LazyFunction(lambda: DAY1)
    ends_at = factory.LazyAttribute(lambda o: o.starts_at + timedelta(days=2))
    status = Event.Status.PUBLISHED


class EventRoleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = EventRole

    event = factory.SubFactory(EventFactory)
    user = factory.SubFactory(UserFactory)
    role = EventRole.Role.BUYER
    organization = factory.SubFactory(OrganizationFactory)


class ProductFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Product

    producer = factory.SubFactory(OrganizationFactory)
    name = factory.Sequence(lambda n: f"Khô cá khoai {n}")
    group = ProductGroup.FOOD
    subgroup = SubGroup.PROCESSED
    stars = 4
    certificate_issued_on = factory.LazyFunction(lambda: date.today() - timedelta(days=100))
    certificate_expires_on = factory.LazyAttribute(lambda o: o.certificate_issued_on + timedelta(days=1095))


def user_with_role(event: Event, role: str, **user_kwargs) -> User:
    """A verified user holding ``role`` at ``event`` for a fresh organization."""
    user = UserFactory(**user_kwargs)
    EventRoleFactory(event=event, user=user, role=role)
    return user
