"""Agreements with contact emails, signed a given number of days ago, for the follow-through tests."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from django.utils import timezone

from agreements.models import AgreementParty
from agreements.services import PartyData
from tests.agreements.factories import VN, agreement, producer, retailer

Role = AgreementParty.Role
LINK = re.compile(r"https?://\S+/follow-through/report/([A-Za-z0-9_-]{43})/")


def signed_days_ago(days: int, *, hhmm: str = "10:00") -> datetime:
    hours, minutes = map(int, hhmm.split(":"))
    day = timezone.localdate() - timedelta(days=days)
    return datetime(day.year, day.month, day.day, hours, minutes, tzinfo=VN)


def followed(event, *, days: int = 40, signed_at: datetime | None = None, seller=None, buyer=None,
             seller_email="ban@htx.vn", buyer_email="mua@sieuthi.vn", **kw):
    """A verified agreement (organizer entry) between a producer and a retailer, both with contact emails."""
    seller = seller or producer()
    buyer = buyer or retailer()
    parties = [PartyData(seller, Role.SELLER, "Trần Văn Út", "Giám đốc", contact_email=seller_email),
               PartyData(buyer, Role.BUYER, contact_email=buyer_email)]
    return agreement(event, parties=parties, signed_at=signed_at or signed_days_ago(days), **kw)


def tokens(messages) -> dict[str, str]:
    """{recipient: token} of the follow-through links in ``messages`` (EmailMessage objects)."""
    found = {}
    for message in messages:
        match = LINK.search(message.body)
        if match:
            found[message.to[0]] = match.group(1)
    return found
