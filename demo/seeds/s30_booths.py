"""Two halls with themed zones and 90 booths, applications from the 70 demo producers, and bookings.

The demo exhibitor login (exhibitor@ketnoi.demo) is approved but has no booth, so it can book one live;
a dozen other approved producers are left for the organizer's automatic allocation.
"""

from __future__ import annotations

import random
from collections import Counter

from booths.models import (
    ApplicationStatus,
    Booking,
    Booth,
    BoothKind,
    BoothPreference,
    BoothSettings,
    ExhibitorApplication,
    Hall,
    Zone,
)
from booths.services import booking as booking_service
from catalog.ocop import ProductGroup

PRICES = {BoothKind.STANDARD: 6_000_000, BoothKind.CORNER: 7_500_000, BoothKind.DOUBLE: 12_000_000,
          BoothKind.PREMIUM: 15_000_000, BoothKind.OUTDOOR: 4_000_000}

# hall name, width, depth, [(zone name, theme)]
HALLS = [
    ("Nhà A – Trung tâm Hội nghị", 50, 26, [("A1 – Thực phẩm chế biến", ProductGroup.FOOD),
                                           ("A2 – Đồ uống và trà", ProductGroup.BEVERAGE),
                                           ("A3 – Gia vị, gạo và mật ong", ProductGroup.FOOD)]),
    ("Nhà B – Nhà thi đấu", 44, 34, [("B1 – Dược liệu và thủ công", ""),
                                    ("B2 – Gian hàng lớn", ""),
                                    ("B3 – Ngoài trời (sinh vật cảnh, du lịch)", "")]),
]


def _booths_plan() -> list[tuple[int, int, str, str, float, float, float, float]]:
    """(hall index, zone index, code, kind, x, y, w, h)."""
    plan = []
    # Hall A: four rows of 14 booths (3 × 3 m), corners at both ends, in back-to-back pairs.
    for row, (y, zone_of) in enumerate([(3, lambda c: 0 if c < 7 else 1), (6, lambda c: 0 if c < 7 else 1),
                                        (16, lambda c: 2), (19, lambda c: 2)]):
        for c in range(14):
            kind = BoothKind.CORNER if c in (0, 13) else BoothKind.STANDARD
            plan.append((0, zone_of(c), f"A-{row * 14 + c + 1:02d}", kind, 3 + c * 3, y, 3, 3))
    # Hall B: a row of 12 standard booths, a row of 6 doubles and 4 premium, and 10 outdoor booths.
    for c in range(12):
        kind = BoothKind.CORNER if c in (0, 11) else BoothKind.STANDARD
        plan.append((1, 0, f"B-{c + 1:02d}", kind, 4 + c * 3, 3, 3, 3))
    for c in range(6):
        plan.append((1, 1, f"B-{13 + c:02d}", BoothKind.DOUBLE, 2 + c * 6, 12, 6, 3))
    for c in range(4):
        plan.append((1, 1, f"B-P{c + 1}", BoothKind.PREMIUM, 2 + c * 6, 18, 6, 4.5))
    for c in range(12):
        plan.append((1, 2, f"N-{c + 1:02d}", BoothKind.OUTDOOR, 2 + c * 3.5, 27, 3, 3))
    return plan


def run(ctx) -> None:
    rng = random.Random("booths")
    event = ctx.event
    BoothSettings.objects.get_or_create(event=event, defaults={"hold_minutes": 10, "max_booths_per_exhibitor": 2})
    halls, zones = [], []
    for order, (name, width, depth, zone_specs) in enumerate(HALLS):
        hall, _ = Hall.objects.get_or_create(event=event, name=name,
                                             defaults={"width_m": width, "depth_m": depth, "order": order})
        halls.append(hall)
        zones.append([Zone.objects.get_or_create(hall=hall, name=zname, defaults={"theme_group": theme})[0]
                      for zname, theme in zone_specs])
    booths = []
    for hall_i, zone_i, code, kind, x, y, w, h in _booths_plan():
        booth, _ = Booth.objects.get_or_create(
            event=event, code=code,
            defaults=dict(hall=halls[hall_i], zone=zones[hall_i][zone_i], kind=kind, price=PRICES[kind],
                          x=x, y=y, w=w, h=h))
        booths.append(booth)
    ctx.extra["booths"] = booths

    products_of: dict[int, list] = {}
    for product in ctx.products:
        products_of.setdefault(product.producer_id, []).append(product)

    applications = []
    for i, producer in enumerate(ctx.producers):
        user = ctx.users.get(f"exhibitor{i}")
        status = (ApplicationStatus.REJECTED if i in (68, 69) else
                  ApplicationStatus.SUBMITTED if i in (64, 65, 66, 67) else ApplicationStatus.APPROVED)
        app, created = ExhibitorApplication.objects.get_or_create(
            event=event, organization=producer,
            defaults=dict(applicant=user, contact_name=user.full_name if user else producer.name,
                          contact_phone=producer.phone or "0290 3830 000",
                          contact_email=user.email if user else "lienhe@ketnoi.demo",
                          booths_wanted=1, status=status,
                          decision_note="Hồ sơ chưa đủ giấy chứng nhận OCOP còn hiệu lực." if i in (68, 69) else ""))
        if created:
            mine = products_of.get(producer.pk, [])
            app.products.set(mine)
            groups = Counter(p.group for p in mine)
            main = groups.most_common(1)[0][0] if groups else ProductGroup.FOOD
            themed = [z for hall_zones in zones for z in hall_zones if z.theme_group == main]
            wishes = []
            wishes.append(BoothPreference(application=app, rank=1, booth=rng.choice(booths[:70])))
            if themed:
                wishes.append(BoothPreference(application=app, rank=2, zone=rng.choice(themed)))
            wishes.append(BoothPreference(application=app, rank=len(wishes) + 1,
                                          kind=rng.choice([BoothKind.STANDARD, BoothKind.CORNER, BoothKind.OUTDOOR])))
            BoothPreference.objects.bulk_create(wishes)
        applications.append(app)

    if Booking.objects.filter(event=event).exists():
        return  # bookings were seeded before; a second run changes nothing
    # Producers 1..48 get a booth (most confirmed, some reserved); 0 (the demo login) and 49..63 have none yet.
    free = [b for b in booths if b.kind != BoothKind.PREMIUM]
    rng.shuffle(free)
    for n, app in enumerate(applications[1:49]):
        booth = free[n]
        status = "reserved" if n % 6 == 5 else "confirmed"
        booking_service.assign_booth(booth_id=booth.pk, application_id=app.pk, event_id=event.pk, status=status)
    blocked = free[60]
    booking_service.block_booth(booth_id=blocked.pk, event_id=event.pk, reason="Lối thoát hiểm")
