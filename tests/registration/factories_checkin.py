"""Registrations for badge and check-in tests (the sign-up side has its own factories)."""

from __future__ import annotations

import factory

from registration.models import Registration, RegistrationRole, RegistrationStatus
from tests.factories import EventFactory


class CheckinRegistrationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Registration

    event = factory.SubFactory(EventFactory)
    role = RegistrationRole.BUYER
    status = RegistrationStatus.APPROVED
    full_name = factory.Sequence(lambda n: f"Trần Thị Ánh Nguyệt {n}")
    company = factory.Sequence(lambda n: f"Công ty TNHH Đặc sản Miền Tây {n}")
    phone = factory.Sequence(lambda n: f"09{n:08d}")
    email = factory.Sequence(lambda n: f"khach{n}@example.vn")


def bulk_registrations(event, n: int, *, start: int = 0, **fields) -> list[Registration]:
    """Many approved registrations quickly (query-count and benchmark data)."""
    from eventsite.provinces import fold

    rows = []
    for i in range(start, start + n):
        name = f"Nguyễn Văn Khách {i}"
        reg = Registration(event=event, role=fields.get("role", RegistrationRole.BUYER),
                           status=fields.get("status", RegistrationStatus.APPROVED), full_name=name,
                           company=f"Công ty {i}", phone=f"08{i:08d}", email=f"bulk{i}@example.vn")
        reg.search_text = fold(f"{name} Công ty {i} 08{i:08d}")
        rows.append(reg)
    return Registration.objects.bulk_create(rows, batch_size=500)
