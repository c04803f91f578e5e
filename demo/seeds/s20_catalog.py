"""About 70 OCOP producers of Cà Mau (including former Bạc Liêu) with about 160 rated products."""

from __future__ import annotations

import random
from datetime import date, timedelta

from catalog.models import Product
from catalog.ocop import GROUP_OF_SUBGROUP, SubGroup
from eventsite.models import EventRole, Organization

from .s10_core import ensure_role, ensure_user

Kind = Organization.Kind

PLACES = ["Đầm Dơi", "Năm Căn", "Ngọc Hiển", "U Minh", "Trần Văn Thời", "Cái Nước", "Thới Bình",
          "Phú Tân", "Giá Rai", "Hồng Dân", "Phước Long", "Vĩnh Lợi", "Đông Hải", "Tân Thành", "Khánh Hưng"]
PEOPLE = ["Nguyễn Thị Xa", "Trần Văn Út", "Lê Thị Bé Tư", "Phạm Hoàng Nam", "Võ Văn Hai", "Huỳnh Thị Lan",
          "Đặng Văn Sáu", "Tô Thị Mỹ", "Lâm Quốc Việt", "Quách Thị Hằng", "Dương Văn Tám", "Châu Thị Ngọc",
          "Trương Minh Hiếu", "Lý Thị Thu", "Mai Văn Bảy", "Hứa Thị Kiều", "Nguyễn Văn Đực", "Tạ Thị Út Em"]

# (product name, sub-group, packaging, price range in VND, monthly capacity)
PRODUCT_LINES = [
    ("Khô cá khoai", SubGroup.PROCESSED, "Túi hút chân không 500 g", (180_000, 220_000), "2 tấn"),
    ("Khô cá dứa một nắng", SubGroup.PROCESSED, "Túi 500 g", (250_000, 320_000), "1,5 tấn"),
    ("Tôm khô Rạch Gốc", SubGroup.PROCESSED, "Hộp 250 g", (350_000, 450_000), "800 kg"),
    ("Ba khía muối Rạch Gốc", SubGroup.PROCESSED, "Hũ 500 g", (90_000, 120_000), "3 tấn"),
    ("Mật ong rừng U Minh", SubGroup.RAW, "Chai 500 ml", (280_000, 350_000), "600 lít"),
    ("Cua biển Cà Mau", SubGroup.FRESH, "Thùng xốp 2 kg", (400_000, 900_000), "5 tấn"),
    ("Chả cá thác lác", SubGroup.PROCESSED, "Khay 500 g", (110_000, 140_000), "2 tấn"),
    ("Bánh phồng tôm", SubGroup.PROCESSED, "Hộp 200 g", (45_000, 65_000), "4 tấn"),
    ("Nước mắm cá cơm", SubGroup.CONDIMENT, "Chai thủy tinh 500 ml", (60_000, 95_000), "10.000 lít"),
    ("Mắm tôm chà", SubGroup.CONDIMENT, "Hũ 200 g", (55_000, 75_000), "1 tấn"),
    ("Muối hột Bạc Liêu", SubGroup.CONDIMENT, "Túi 1 kg", (15_000, 25_000), "20 tấn"),
    ("Muối tôm Năm Căn", SubGroup.CONDIMENT, "Hũ 100 g", (25_000, 35_000), "500 kg"),
    ("Gạo ST25 Một Bụi", SubGroup.RAW, "Túi 5 kg", (160_000, 190_000), "50 tấn"),
    ("Gạo hữu cơ tôm – lúa", SubGroup.RAW, "Túi 2 kg", (70_000, 90_000), "30 tấn"),
    ("Trà mãng cầu xiêm", SubGroup.TEA, "Hộp 20 gói", (60_000, 80_000), "300 kg"),
    ("Trà khổ qua rừng", SubGroup.TEA, "Hộp 150 g", (55_000, 70_000), "200 kg"),
    ("Cà phê rang xay U Minh", SubGroup.COFFEE, "Túi 500 g", (120_000, 160_000), "1 tấn"),
    ("Rượu trái giác", SubGroup.ALCOHOLIC, "Chai 500 ml", (90_000, 150_000), "2.000 lít"),
    ("Rượu mật ong tràm", SubGroup.ALCOHOLIC, "Chai 700 ml", (180_000, 250_000), "800 lít"),
    ("Nước cốt mãng cầu", SubGroup.NON_ALCOHOLIC, "Chai 330 ml", (25_000, 35_000), "5.000 chai"),
    ("Tinh dầu tràm U Minh", SubGroup.ESSENTIAL_OIL, "Chai 50 ml", (60_000, 90_000), "400 lít"),
    ("Cao lá tràm", SubGroup.HERBAL_SUPPLEMENT, "Hũ 100 g", (120_000, 150_000), "100 kg"),
    ("Xà phòng thảo dược đước", SubGroup.HERBAL_COSMETIC, "Bánh 100 g", (35_000, 50_000), "3.000 bánh"),
    ("Đan lát lục bình", SubGroup.HOUSEWARE, "Bộ 3 giỏ", (150_000, 350_000), "1.000 sản phẩm"),
    ("Giỏ cói Thới Bình", SubGroup.CRAFT, "Chiếc", (80_000, 200_000), "2.000 sản phẩm"),
    ("Mai vàng bonsai", SubGroup.PLANT, "Chậu", (500_000, 5_000_000), "200 chậu"),
    ("Du lịch sinh thái rừng đước Đất Mũi", SubGroup.TOURISM, "Tour 1 ngày", (450_000, 800_000), "600 khách"),
    ("Nhãn xuồng cơm vàng", SubGroup.FRESH, "Thùng 10 kg", (350_000, 450_000), "15 tấn"),
    ("Mắm ba khía trộn", SubGroup.CONDIMENT, "Hũ 300 g", (60_000, 80_000), "1 tấn"),
    ("Cá bống tượng khô", SubGroup.PROCESSED, "Túi 300 g", (200_000, 260_000), "300 kg"),
]

PRODUCER_FORMS = [
    (Kind.COOPERATIVE, "Hợp tác xã {what} {place}"),
    (Kind.ENTERPRISE, "Công ty TNHH {what} {place}"),
    (Kind.HOUSEHOLD, "Cơ sở {what} {person}"),
    (Kind.COOPERATIVE_GROUP, "Tổ hợp tác {what} {place}"),
    (Kind.HOUSEHOLD, "Hộ kinh doanh {person}"),
]
WHAT = ["Thủy sản", "Nông nghiệp", "Đặc sản", "Mật ong", "Thực phẩm", "Thương mại Dịch vụ", "Sản xuất"]

PRODUCERS = 70
PRODUCTS = 160


def run(ctx) -> None:
    rng = random.Random("catalog")
    event = ctx.event
    for i in range(PRODUCERS):
        kind, pattern = PRODUCER_FORMS[i % len(PRODUCER_FORMS)]
        place = PLACES[i % len(PLACES)]
        person = PEOPLE[i % len(PEOPLE)]
        name = pattern.format(what=WHAT[i % len(WHAT)], place=place, person=person)
        if i >= len(PLACES) * 2:
            name = f"{name} {i // len(PLACES)}"
        province = 96
        org, _ = Organization.objects.get_or_create(
            tax_code=f"20{i:08d}",
            defaults={"name": name, "kind": kind, "province_code": province,
                      "address": f"{place}, Cà Mau", "phone": f"0290 38{i:05d}"[:13]},
        )
        ctx.producers.append(org)
        user = ensure_user(ctx, f"exhibitor{i}", "exhibitor@ketnoi.demo" if i == 0 else f"exhibitor{i}@ketnoi.demo",
                           person)
        ensure_role(event, user, EventRole.Role.EXHIBITOR, org)

    today = date(2026, 11, 1)  # fixed, so a second run on another day seeds the same rows
    for j in range(PRODUCTS):
        producer = ctx.producers[j % PRODUCERS]
        line = PRODUCT_LINES[(j * 7 + j // PRODUCERS) % len(PRODUCT_LINES)]
        title, subgroup, packaging, (low, high), capacity = line
        stars = rng.choices([3, 4, 5], weights=[70, 27, 3])[0]
        issued = today - timedelta(days=rng.randint(30, 1200))
        expires = issued + timedelta(days=36 * 30 + 15)
        authority = (Product.Authority.MINISTRY if stars == 5 else
                     Product.Authority.DISTRICT if issued < date(2025, 7, 1) else Product.Authority.PROVINCE)
        product, created = Product.objects.get_or_create(
            producer=producer, name=title,
            defaults=dict(
                group=GROUP_OF_SUBGROUP[subgroup], subgroup=subgroup, stars=stars,
                certificate_number=f"{issued.year}/OCOP-CM-{j + 1:03d}",
                certifying_authority=authority, certificate_issued_on=issued, certificate_expires_on=expires,
                description=f"{title} của {producer.name}, sản phẩm OCOP {stars} sao tỉnh Cà Mau.",
                price_min=low, price_max=high, packaging=packaging, monthly_capacity=capacity,
            ),
        )
        ctx.products.append(product)
    ctx.logins.append(("exhibitor", "exhibitor@ketnoi.demo"))
