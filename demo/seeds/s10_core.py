"""The organizer, the event, partner departments, buyers and the demo logins."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from allauth.account.models import EmailAddress
from django.contrib.auth.hashers import make_password

from eventsite.models import Event, EventRole, Organization, OrganizationRole, User

VN = ZoneInfo("Asia/Ho_Chi_Minh")
Kind = Organization.Kind
Role = EventRole.Role

ORGANIZER = ("Sở Công Thương tỉnh Cà Mau", "2000000096", 96)

# Departments of other provinces that sign department-to-department MoUs.
DEPARTMENTS = [
    ("Sở Công Thương Thành phố Hồ Chí Minh", "2000000079", 79),
    ("Sở Công Thương Thành phố Cần Thơ", "2000000092", 92),
    ("Sở Công Thương tỉnh An Giang", "2000000091", 91),
    ("Sở Công Thương tỉnh Vĩnh Long", "2000000086", 86),
    ("Sở Công Thương tỉnh Đồng Tháp", "2000000082", 82),
    ("Sở Công Thương Thành phố Hà Nội", "2000000011", 1),
    ("Sở Công Thương Thành phố Đà Nẵng", "2000000048", 48),
    ("Sở Công Thương tỉnh Lâm Đồng", "2000000068", 68),
    ("Sở Công Thương tỉnh Tây Ninh", "2000000080", 80),
    ("Sở Công Thương tỉnh Khánh Hòa", "2000000056", 56),
    ("Sở Công Thương tỉnh Nghệ An", "2000000040", 40),
    ("Sở Công Thương tỉnh Thanh Hóa", "2000000038", 38),
    ("Sở Công Thương Thành phố Hải Phòng", "2000000031", 31),
    ("Sở Công Thương tỉnh Đồng Nai", "2000000075", 75),
]

# Buyers named in the press reports (shared/context), then regional distributors.
BUYERS = [
    ("Liên hiệp HTX Thương mại TP. Hồ Chí Minh (Saigon Co.op)", Kind.RETAIL_CHAIN, 79),
    ("Central Retail Việt Nam (GO!, Big C, Tops Market)", Kind.RETAIL_CHAIN, 79),
    ("MM Mega Market Việt Nam", Kind.RETAIL_CHAIN, 79),
    ("BRG Retail", Kind.RETAIL_CHAIN, 1),
    ("Bách Hóa Xanh", Kind.RETAIL_CHAIN, 79),
    ("Siêu thị Tứ Sơn", Kind.RETAIL_CHAIN, 92),
    ("Co.opmart Cà Mau", Kind.RETAIL_CHAIN, 96),
    ("Lotte Mart Việt Nam", Kind.RETAIL_CHAIN, 79),
    ("WinMart (Masan)", Kind.RETAIL_CHAIN, 1),
    ("Công ty CP VinaGreenCo", Kind.DISTRIBUTOR, 79),
    ("Công ty TNHH Chánh Thu", Kind.EXPORTER, 86),
    ("Sàn TMĐT voso.vn (Viettel Post)", Kind.ECOMMERCE, 1),
    ("Sàn TMĐT postmart.vn (VNPT)", Kind.ECOMMERCE, 1),
    ("Lazada Việt Nam", Kind.ECOMMERCE, 79),
    ("Amazon Global Selling Việt Nam", Kind.ECOMMERCE, 79),
    ("Alibaba.com Việt Nam", Kind.ECOMMERCE, 79),
    ("Sàn TMĐT madeincamau.com", Kind.ECOMMERCE, 96),
    ("Công ty TNHH Phân phối Nông sản Miền Tây", Kind.DISTRIBUTOR, 92),
    ("Công ty CP Phân phối Thực phẩm Sài Gòn Xanh", Kind.DISTRIBUTOR, 79),
    ("Công ty TNHH Thương mại Đặc sản Ba Miền", Kind.DISTRIBUTOR, 1),
    ("Công ty CP Xuất nhập khẩu Thủy sản Năm Căn", Kind.EXPORTER, 96),
    ("Công ty TNHH Xuất khẩu Nông sản Mekong Green", Kind.EXPORTER, 92),
    ("Công ty CP Chuỗi Cửa hàng Đặc sản Quê Hương", Kind.RETAIL_CHAIN, 79),
    ("Công ty TNHH Phân phối Hải sản Biển Đông", Kind.DISTRIBUTOR, 48),
    ("Công ty CP Thực phẩm Sạch An Khang", Kind.DISTRIBUTOR, 79),
    ("Hệ thống cửa hàng OCOP Hà Nội", Kind.RETAIL_CHAIN, 1),
    ("Công ty TNHH Logistics và Phân phối Tây Nam", Kind.DISTRIBUTOR, 92),
    ("Công ty CP Nhà hàng Khách sạn Mũi Cà Mau", Kind.OTHER, 96),
    ("Công ty CP Du lịch Đất Mũi", Kind.OTHER, 96),
    ("Công ty TNHH Thương mại Điện tử Chợ Quê", Kind.ECOMMERCE, 79),
    ("Công ty CP Phân phối Đồ uống Cửu Long", Kind.DISTRIBUTOR, 86),
    ("Công ty TNHH Xuất khẩu Mật ong Việt", Kind.EXPORTER, 1),
    ("Công ty CP Siêu thị Nông sản Đà Lạt", Kind.RETAIL_CHAIN, 68),
    ("Công ty TNHH Đặc sản Miền Tây Sài Gòn", Kind.DISTRIBUTOR, 79),
    ("Công ty CP Thương mại Bạc Liêu Xanh", Kind.DISTRIBUTOR, 96),
    ("Công ty TNHH Phân phối Thực phẩm Đông Bắc", Kind.DISTRIBUTOR, 22),
    ("Công ty CP Chuỗi Bếp Việt", Kind.OTHER, 79),
    ("Công ty TNHH Xuất khẩu Gạo Hậu Giang", Kind.EXPORTER, 92),
    ("Hợp tác xã Thương mại Dịch vụ Tân Thành", Kind.DISTRIBUTOR, 96),
    ("Công ty CP Thương mại Quà tặng Việt", Kind.DISTRIBUTOR, 79),
]

BUYER_CONTACTS = [
    "Trần Thị Minh Thư", "Lê Hoàng Phúc", "Phạm Ngọc Diễm", "Nguyễn Văn Đức", "Võ Thị Kim Ngân",
    "Huỳnh Tấn Lộc", "Đặng Thị Hồng Nhung", "Bùi Quốc Khánh", "Đỗ Thị Thanh Hương", "Hồ Minh Trí",
]


def ensure_user(ctx, key: str, email: str, full_name: str) -> User:
    """Create a verified demo login once; never touch its password again (so re-runs change nothing)."""
    user = User.objects.filter(email=email).first()
    if user is None:
        # Hash the shared demo password once: a hundred PBKDF2 runs would take most of a minute.
        if "password_hash" not in ctx.extra:
            ctx.extra["password_hash"] = make_password(ctx.password)
        user = User.objects.create(email=email, password=ctx.extra["password_hash"], full_name=full_name)
    EmailAddress.objects.get_or_create(user=user, email=email, defaults={"verified": True, "primary": True})
    ctx.users[key] = user
    return user


def ensure_org(name: str, kind: str, tax_code: str, province_code: int | None) -> Organization:
    org, _ = Organization.objects.get_or_create(
        tax_code=tax_code, defaults={"name": name, "kind": kind, "province_code": province_code}
    )
    return org


def ensure_role(event: Event, user: User, role: str, organization: Organization | None) -> EventRole:
    role_obj, _ = EventRole.objects.get_or_create(
        event=event, user=user, role=role, defaults={"organization": organization}
    )
    return role_obj


def run(ctx) -> None:
    name, tax, province = ORGANIZER
    ctx.organizer_org = ensure_org(name, Kind.GOVERNMENT, tax, province)
    ctx.departments = [ensure_org(n, Kind.GOVERNMENT, t, p) for n, t, p in DEPARTMENTS]

    ctx.event, _ = Event.objects.get_or_create(
        slug="ca-mau-2026",
        defaults=dict(
            name="Hội nghị kết nối cung cầu sản phẩm OCOP tỉnh Cà Mau năm 2026",
            organizer=ctx.organizer_org,
            province_at_event="Cà Mau",
            province_code=96,
            venue="Trung tâm Hội nghị tỉnh Cà Mau, số 2 Lưu Tấn Tài, phường An Xuyên",
            starts_at=datetime(2026, 12, 9, 7, 30, tzinfo=VN),
            ends_at=datetime(2026, 12, 11, 17, 0, tzinfo=VN),
            status=Event.Status.PUBLISHED,
            description=(
                "Kết nối các chủ thể OCOP của Cà Mau và các tỉnh, thành với hệ thống siêu thị, "
                "nhà phân phối và sàn thương mại điện tử; trưng bày sản phẩm, hội thảo chuyên đề "
                "và lễ ký kết biên bản ghi nhớ hợp tác."
            ),
        ),
    )
    event = ctx.event
    if not event.is_template:  # the demo is the platform's template for new events (copy from it)
        Event.objects.filter(pk=event.pk).update(is_template=True)
        event.is_template = True

    organizer = ensure_user(ctx, "organizer", "organizer@ketnoi.demo", "Nguyễn Thị Xa")
    ensure_role(event, organizer, Role.ORGANIZER, ctx.organizer_org)
    # The demo organizer may create the department's next events (an organization-level grant).
    OrganizationRole.objects.get_or_create(organization=ctx.organizer_org, user=organizer)
    desk = ensure_user(ctx, "desk", "desk@ketnoi.demo", "Lý Văn Cường")
    ensure_role(event, desk, Role.DESK_STAFF, ctx.organizer_org)
    speaker = ensure_user(ctx, "speaker", "speaker@ketnoi.demo", "Phan Thanh Tùng")
    ensure_role(event, speaker, Role.SPEAKER, ctx.departments[0])

    for i, (bname, kind, bprov) in enumerate(BUYERS):
        org = ensure_org(bname, kind, f"03{i:08d}", bprov)
        ctx.buyers.append(org)
        contact = BUYER_CONTACTS[i % len(BUYER_CONTACTS)]
        user = ensure_user(ctx, f"buyer{i}", "buyer@ketnoi.demo" if i == 0 else f"buyer{i}@ketnoi.demo", contact)
        ensure_role(event, user, Role.BUYER, org)

    ctx.logins += [
        ("organizer", "organizer@ketnoi.demo"),
        ("desk staff", "desk@ketnoi.demo"),
        ("buyer", "buyer@ketnoi.demo"),
        ("speaker", "speaker@ketnoi.demo"),
    ]
    admin = ensure_user(ctx, "admin", "admin@ketnoi.demo", "Quản trị viên")
    if not admin.is_superuser:
        admin.is_staff = admin.is_superuser = True
        admin.save(update_fields=["is_staff", "is_superuser"])
    ctx.logins.append(("admin", "admin@ketnoi.demo"))
