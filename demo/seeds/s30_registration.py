"""Registrations for the demo event: the 40 demo buyers (approved, awaiting approval, waitlisted, one
rejected), a few exhibitor staff, the speaker and the organizer's desk staff; registration settings
with a buyer capacity and two extra questions.

Rows are written directly (no emails go out from a seed); the statuses keep the service rules:
approved buyers fill the capacity exactly, so the waitlisted ones are waiting for a real reason."""

from __future__ import annotations

from eventsite.models import Organization
from registration.models import (
    BuyerType,
    Registration,
    RegistrationQuestion,
    RegistrationRole,
    RegistrationSettings,
    RegistrationSource,
    RegistrationStatus,
)

S = RegistrationStatus
Kind = Organization.Kind
APPROVED_BUYERS = 26
PENDING_BUYERS = 8
WAITLISTED_BUYERS = 4  # then one rejected, the last one cancelled

B2B_QUESTION = "Quý vị có tham gia phiên kết nối B2B chiều 09/12/2026 không?"
FORM_QUESTION = "Quý vị quan tâm hình thức hợp tác nào nhất?"
FORMS = ["Thu mua trực tiếp", "Nhà phân phối độc quyền", "Bán trên sàn thương mại điện tử", "Xuất khẩu"]

NEEDS = [
    "Tìm nguồn khô cá khoai, tôm khô Rạch Gốc đạt OCOP 4 sao, sản lượng ổn định quanh năm.",
    "Cần mật ong rừng U Minh và mắm các loại, bao bì đạt chuẩn siêu thị, có mã vạch.",
    "Quan tâm sản phẩm quà tặng, đặc sản đóng hộp để bán dịp Tết.",
    "Tìm nhà cung cấp cua, tôm đông lạnh đủ điều kiện xuất khẩu.",
    "Muốn đưa sản phẩm OCOP Cà Mau lên gian hàng trực tuyến của sàn.",
]


def buyer_type_for(org: Organization) -> str:
    if org.kind == Kind.RETAIL_CHAIN:
        return BuyerType.SUPERMARKET
    if org.kind == Kind.DISTRIBUTOR:
        return BuyerType.DISTRIBUTOR
    if org.kind == Kind.ECOMMERCE:
        return BuyerType.ECOMMERCE
    if org.kind == Kind.EXPORTER:
        return BuyerType.EXPORTER
    if any(word in org.name for word in ("Nhà hàng", "Bếp", "Du lịch")):
        return BuyerType.HORECA
    return BuyerType.OTHER


def buyer_status(i: int) -> str:
    if i < APPROVED_BUYERS:
        return S.APPROVED
    i -= APPROVED_BUYERS
    if i < PENDING_BUYERS:
        return S.PENDING
    i -= PENDING_BUYERS
    if i < WAITLISTED_BUYERS:
        return S.WAITLISTED
    return S.REJECTED if i == WAITLISTED_BUYERS else S.CANCELLED


def ensure_registration(event, user, **fields) -> Registration:
    registration = Registration.objects.filter(event=event, email=user.email).first()
    if registration is None:
        registration = Registration(event=event, user=user, email=user.email, **fields)
        registration.save()
    return registration


def run(ctx) -> None:
    event = ctx.event
    settings, _ = RegistrationSettings.objects.get_or_create(
        event=event, defaults={"is_open": True, "approval_required": True, "buyer_capacity": APPROVED_BUYERS},
    )
    b2b, _ = RegistrationQuestion.objects.get_or_create(
        settings=settings, label=B2B_QUESTION,
        defaults={"kind": RegistrationQuestion.Kind.YES_NO, "required": True, "order": 1},
    )
    form, _ = RegistrationQuestion.objects.get_or_create(
        settings=settings, label=FORM_QUESTION,
        defaults={"kind": RegistrationQuestion.Kind.CHOICE, "choices_text": "\n".join(FORMS), "order": 2},
    )
    rng = ctx.rng
    groups = ["food", "beverage", "herbal", "handicraft", "ornamental", "tourism"]
    for i, org in enumerate(ctx.buyers):
        user = ctx.users[f"buyer{i}"]
        status = buyer_status(i)
        ensure_registration(
            event, user, role=RegistrationRole.BUYER, status=status, organization=org,
            full_name=user.full_name, company=org.name, buyer_type=buyer_type_for(org),
            job_title=rng.choice(["Giám đốc thu mua", "Trưởng phòng ngành hàng", "Chuyên viên phát triển nguồn hàng",
                                  "Giám đốc kinh doanh"]),
            phone=f"09{(i * 7919) % 100000000:08d}", province_code=org.province_code,
            product_groups=sorted(rng.sample(groups[:4], k=1 + i % 3)), needs=NEEDS[i % len(NEEDS)],
            answers={b2b.key: i % 3 != 0, form.key: FORMS[i % len(FORMS)]},
            decided_at=None if status == S.PENDING else event.starts_at.replace(month=11, day=20),
        )
    staff = [("speaker", RegistrationRole.SPEAKER, ctx.departments[0]),
             ("desk", RegistrationRole.ORGANIZER_STAFF, ctx.organizer_org),
             ("organizer", RegistrationRole.ORGANIZER_STAFF, ctx.organizer_org)]
    staff += [(f"exhibitor{i}", RegistrationRole.EXHIBITOR_STAFF, ctx.producers[i])
              for i in range(min(5, len(ctx.producers)))]
    for key, role, org in staff:
        user = ctx.users[key]
        ensure_registration(
            event, user, role=role, status=S.APPROVED, organization=org, full_name=user.full_name,
            company=org.name, phone="0290 3831 234",
            province_code=org.province_code, source=RegistrationSource.IMPORT,
            decided_at=event.starts_at.replace(month=11, day=20),
        )
