"""Seed an event with the agreement figures of the Sóc Trăng 2020 supply–demand conference.

Reported result (Báo Sóc Trăng, 2020): 14 MoUs between the Sóc Trăng Department of Industry and Trade
and departments of other provinces; 8 MoUs between the department and supermarkets, retail chains and
distributors; 34 business MoUs between Sóc Trăng firms and 8 large distributors.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from django.utils import timezone

from catalog.models import Product
from eventsite.models import Event, Organization

from .models import Agreement, AgreementParty
from .services.entry import AgreementData, PartyData, create_agreement

Kind = Agreement.Kind
Role = AgreementParty.Role
CEREMONY = "Lễ ký kết biên bản ghi nhớ hợp tác"


def seed_soc_trang_2020(event: Event, *, organizer_org: Organization, departments: Sequence[Organization],
                        distributors: Sequence[Organization], producers: Sequence[Organization],
                        signed_at: datetime | None = None) -> int:
    """Create 14 department↔department, 8 department↔distributor and 34 business↔distributor agreements
    (34 producers spread over 8 distributors). Idempotent: agreements are found again by title.
    Returns how many were created."""
    if len(departments) < 14 or len(distributors) < 8 or len(producers) < 34:
        raise ValueError("need 14 departments, 8 distributors and 34 producers")
    when = signed_at or (event.starts_at + timedelta(hours=2))
    existing = set(Agreement.objects.filter(event=event).values_list("title", flat=True))
    product_of = {}
    for product in Product.objects.filter(producer__in=producers[:34]).order_by("id"):
        product_of.setdefault(product.producer_id, product)
    created = 0

    def add(kind: str, title: str, parties: list[PartyData], value: int | None, products=(), minute=0) -> None:
        nonlocal created
        if title in existing:
            return
        create_agreement(
            event=event, actor=None, allow_duplicate=True,
            data=AgreementData(kind=kind, title=title, parties=parties, signed_at=when + timedelta(minutes=minute),
                               estimated_value=value, products=list(products), ceremony_ref=CEREMONY,
                               term="24 tháng"),
        )
        existing.add(title)
        created += 1

    province = event.province_at_event
    for i, dept in enumerate(departments[:14]):
        add(Kind.DEPT_DEPT, f"Hợp tác phát triển thương mại và sản phẩm OCOP giữa {organizer_org.name} và {dept.name}",
            [PartyData(organizer_org, Role.GOVERNMENT, "Võ Văn Chiêu", "Giám đốc"),
             PartyData(dept, Role.GOVERNMENT, f"Đại diện {dept.name}"[:200], "Giám đốc")],
            None, minute=i)
    for i, dist in enumerate(distributors[:8]):
        add(Kind.DEPT_RETAIL, f"Hỗ trợ tiêu thụ sản phẩm OCOP {province} qua hệ thống {dist.name}",
            [PartyData(organizer_org, Role.GOVERNMENT, "Võ Văn Chiêu", "Giám đốc"),
             PartyData(dist, Role.BUYER)], None, minute=20 + i)
    for i, producer in enumerate(producers[:34]):
        dist = distributors[i % 8]
        product = product_of.get(producer.pk)
        what = product.name if product else "sản phẩm OCOP"
        add(Kind.BIZ_DISTRIBUTOR, f"Cung ứng {what} của {producer.name} cho {dist.name}",
            [PartyData(producer, Role.SELLER), PartyData(dist, Role.BUYER)],
            150_000_000 + 25_000_000 * (i % 7), products=[product] if product else [], minute=40 + i)
    return created


def local_now() -> datetime:
    return timezone.localtime()
