"""Tallies computed in the database: a handful of GROUP BY queries, whatever the number of agreements."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import Count, Q, QuerySet, Sum
from django.utils.translation import gettext as _

from catalog.ocop import ProductGroup
from eventsite.models import Event
from eventsite.provinces import current_name

from ..models import Agreement, AgreementParty, AgreementProductGroup
from .entry import counted_filter

BY = ("kind", "province", "buyer", "product_group")


@dataclass(frozen=True)
class TallyRow:
    key: str | int | None
    label: str
    count: int
    value: int


@dataclass
class Dashboard:
    total_count: int = 0
    total_value: int = 0
    by_kind: list[TallyRow] = field(default_factory=list)
    by_province: list[TallyRow] = field(default_factory=list)
    by_buyer: list[TallyRow] = field(default_factory=list)
    by_product_group: list[TallyRow] = field(default_factory=list)
    business_with_distributors: tuple[int, int] = (0, 0)
    pending: int = 0


def _events_q(events, prefix: str = "") -> Q:
    if isinstance(events, Event):
        return Q(**{f"{prefix}event": events})
    if isinstance(events, QuerySet):
        return Q(**{f"{prefix}event__in": events.values("pk")})
    return Q(**{f"{prefix}event__in": [e.pk if isinstance(e, Event) else e for e in events]})


def counted_agreements(events: Event | Iterable) -> QuerySet[Agreement]:
    return Agreement.objects.filter(_events_q(events) & counted_filter())


def tally(*, events: Event | Iterable, by: str, limit: int | None = None) -> list[TallyRow]:
    """Counts and values of the agreements that count (verified, not cancelled), grouped ``by``
    one of: kind, province (partner province), buyer (buyer-role party), product_group. One query."""
    if by == "kind":
        labels = dict(Agreement.Kind.choices)
        rows = (counted_agreements(events).values("kind").annotate(n=Count("id"), v=Sum("estimated_value"))
                .order_by("kind"))
        order = {k: i for i, k in enumerate(Agreement.Kind.values)}
        result = [TallyRow(r["kind"], str(labels.get(r["kind"], r["kind"])), r["n"], r["v"] or 0) for r in rows]
        return sorted(result, key=lambda r: order.get(r.key, 99))
    if by == "province":
        rows = (counted_agreements(events).values("partner_province_code")
                .annotate(n=Count("id"), v=Sum("estimated_value")).order_by("-n", "partner_province_code"))
        result = [TallyRow(r["partner_province_code"], current_name(r["partner_province_code"]) or _("Not stated"),
                           r["n"], r["v"] or 0) for r in rows]
    elif by == "buyer":
        rows = (AgreementParty.objects.filter(_events_q(events, "agreement__") & counted_filter("agreement__"),
                                              role=AgreementParty.Role.BUYER)
                .values("organization_id", "organization__name")
                .annotate(n=Count("agreement_id"), v=Sum("agreement__estimated_value"))
                .order_by("-n", "organization__name"))
        result = [TallyRow(r["organization_id"], r["organization__name"], r["n"], r["v"] or 0) for r in rows]
    elif by == "product_group":
        labels = dict(ProductGroup.choices)
        rows = (AgreementProductGroup.objects.filter(_events_q(events, "agreement__") & counted_filter("agreement__"))
                .values("group").annotate(n=Count("agreement_id"), v=Sum("agreement__estimated_value"))
                .order_by("group"))
        order = {k: i for i, k in enumerate(ProductGroup.values)}
        result = sorted((TallyRow(r["group"], str(labels.get(r["group"], r["group"])), r["n"], r["v"] or 0)
                         for r in rows), key=lambda r: order.get(r.key, 99))
    else:
        raise ValueError(f"unknown tally dimension {by!r}; use one of {BY}")
    return result[:limit] if limit else result


def tally_agreements(event: Event | Iterable, by: str = "kind") -> dict:
    """``{key: count}`` — the figure a report quotes, e.g. ``{"dept_dept": 14, ...}``."""
    return {row.key: row.count for row in tally(events=event, by=by)}


def business_with_distributors(events: Event | Iterable) -> tuple[int, int]:
    """(N, M) for "N business agreements with M distributors": counted business↔distributor agreements,
    and the distinct organizations that signed them as buyer (the distributors / retail chains)."""
    figures = counted_agreements(events).filter(kind=Agreement.Kind.BIZ_DISTRIBUTOR).aggregate(
        n=Count("id", distinct=True),
        m=Count("parties__organization", filter=Q(parties__role=AgreementParty.Role.BUYER), distinct=True),
    )
    return figures["n"] or 0, figures["m"] or 0


def dashboard(events: Event | Iterable, *, top: int = 10) -> Dashboard:
    """Everything the tally page shows, in six queries."""
    totals = Agreement.objects.filter(_events_q(events)).aggregate(
        n=Count("id", filter=counted_filter()),
        v=Sum("estimated_value", filter=counted_filter()),
        pending=Count("id", filter=Q(verification=Agreement.Verification.SUBMITTED)
                      & ~Q(status=Agreement.Status.CANCELLED)),
    )
    return Dashboard(
        total_count=totals["n"] or 0,
        total_value=totals["v"] or 0,
        pending=totals["pending"] or 0,
        by_kind=tally(events=events, by="kind"),
        by_province=tally(events=events, by="province", limit=top),
        by_buyer=tally(events=events, by="buyer", limit=top),
        by_product_group=tally(events=events, by="product_group"),
        business_with_distributors=business_with_distributors(events),
    )


def public_counts(event: Event) -> dict:
    """What anyone (and the big screen) may see: counts only, never values. Two queries."""
    by_kind = tally_agreements(event, by="kind")
    n, m = business_with_distributors(event)
    return {
        "total": sum(by_kind.values()),
        "by_kind": {k: by_kind.get(k, 0) for k in Agreement.Kind.values},
        "business": n,
        "distributors": m,
    }
