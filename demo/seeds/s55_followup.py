"""Last year's conference of the same department (Cà Mau 2025, the Sóc Trăng 2020 figures again) with what the
parties reported since: of its 34 business agreements, 21 have orders, so the follow-through page's
year-over-year view shows real numbers next to this year's event."""

from __future__ import annotations

from datetime import datetime

from agreements.models import Agreement, AgreementParty, FollowupReport
from agreements.seeding import seed_soc_trang_2020
from agreements.services.followup import ReportData, checkpoints_of, submit_report
from eventsite.models import Event

from .s10_core import VN
from .s50_agreements import DISTRIBUTOR_KINDS

CHANNELS = [("store_chain", "Co.opmart"), ("ecommerce", "Shopee"), ("export", "Nhật Bản")]


def run(ctx) -> None:
    event, _ = Event.objects.get_or_create(slug="ca-mau-2025", defaults=dict(
        name="Hội nghị kết nối cung cầu sản phẩm OCOP tỉnh Cà Mau năm 2025", organizer=ctx.organizer_org,
        province_at_event="Cà Mau", province_code=96, venue="Trung tâm Hội nghị tỉnh Cà Mau",
        starts_at=datetime(2025, 12, 10, 7, 30, tzinfo=VN), ends_at=datetime(2025, 12, 12, 17, 0, tzinfo=VN),
        status=Event.Status.PUBLISHED))
    distributors = [b for b in ctx.buyers if b.kind in DISTRIBUTOR_KINDS][:8]
    seed_soc_trang_2020(event, organizer_org=ctx.organizer_org, departments=ctx.departments[:14],
                        distributors=distributors, producers=ctx.producers[:34])
    six_months = next(p for p in checkpoints_of(event) if p.months == 6)
    business = list(Agreement.objects.filter(event=event, kind=Agreement.Kind.BIZ_DISTRIBUTOR)
                    .prefetch_related("parties__organization", "products").order_by("signed_at", "id"))
    reported = set(FollowupReport.objects.filter(checkpoint=six_months).values_list("agreement_id", flat=True))
    for i, agreement in enumerate(business):
        if agreement.pk in reported:
            continue
        if i < 21:  # orders: the buyer reports, a share of the announced value already delivered
            state = "regular" if i % 3 == 0 else "orders"
            value = (agreement.estimated_value or 0) * (40 + 5 * (i % 9)) // 100
            channel, name = CHANNELS[i % len(CHANNELS)]
            product = next(iter(agreement.products.all()), None)
            data = ReportData(state=state, value=value, volume=f"{2 + i % 5} tấn",
                              listings=[_listing(channel, name, product)])
            role = AgreementParty.Role.BUYER
        elif i < 27:
            data, role = ReportData(state="in_progress"), AgreementParty.Role.SELLER
        elif i < 30:
            data, role = ReportData(state="paused", reason="Chưa đạt yêu cầu bao bì của siêu thị"), \
                AgreementParty.Role.SELLER
        else:
            continue  # silent: nobody answered
        party = next(p for p in agreement.parties.all() if p.role == role)
        submit_report(agreement=agreement, organization=party.organization, checkpoint=six_months, data=data,
                      via=FollowupReport.Via.ORGANIZER)


def _listing(channel, name, product):
    from agreements.services.followup import Listing

    return Listing(channel=channel, name=name, product_id=product.pk if product else None)
