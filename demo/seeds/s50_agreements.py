"""The Sóc Trăng 2020 signing ceremony, replayed at the demo event: 14 + 8 + 34 MoUs (34 with 8 distributors)."""

from __future__ import annotations

from agreements.seeding import seed_soc_trang_2020
from eventsite.models import Organization

DISTRIBUTOR_KINDS = {Organization.Kind.RETAIL_CHAIN, Organization.Kind.DISTRIBUTOR, Organization.Kind.EXPORTER}


def run(ctx) -> None:
    distributors = [b for b in ctx.buyers if b.kind in DISTRIBUTOR_KINDS][:8]
    seed_soc_trang_2020(
        ctx.event, organizer_org=ctx.organizer_org, departments=ctx.departments[:14],
        distributors=distributors, producers=ctx.producers[:34],
    )
