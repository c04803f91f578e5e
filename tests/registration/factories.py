"""Factories for registration tests (shared ones live in tests/factories.py)."""

from __future__ import annotations

import factory

from registration.models import (
    BuyerType,
    Registration,
    RegistrationQuestion,
    RegistrationRole,
    RegistrationSettings,
    RegistrationStatus,
)
from tests.factories import EventFactory


class RegistrationSettingsFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RegistrationSettings
        django_get_or_create = ("event",)

    event = factory.SubFactory(EventFactory)
    is_open = True
    approval_required = True
    buyer_capacity = None


class QuestionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RegistrationQuestion

    settings = factory.SubFactory(RegistrationSettingsFactory)
    label = factory.Sequence(lambda n: f"Câu hỏi {n}")
    kind = RegistrationQuestion.Kind.TEXT
    required = False


class RegistrationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Registration

    event = factory.SubFactory(EventFactory)
    role = RegistrationRole.BUYER
    status = RegistrationStatus.PENDING
    full_name = factory.Sequence(lambda n: f"Trần Thị Minh Thư {n}")
    company = factory.Sequence(lambda n: f"Công ty TNHH Đặc sản Miền Tây {n}")
    buyer_type = BuyerType.DISTRIBUTOR
    phone = "0290 3831 234"
    email = factory.Sequence(lambda n: f"buyer{n}@example.vn")
    province_code = 96
