"""Tallies computed in the database: a handful of GROUP BY queries, whatever the number of agreements."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache

from django.db.models import Count, Q, QuerySet, Sum
from django.utils.translation import gettext as _

from catalog.ocop import ProductGroup
from eventsite.models import Event, Organization
from eventsite.provinces import current_name

from ..models import Agreement, AgreementParty, AgreementProductGroup
from .entry import counted_filter

BY = ("kind", "province", "buyer", "product_group")


@lru_cache(maxsize=128)
def province_name(code: int | None) -> str:
    """Today's unit name (the package lookup costs ~0.5 ms; a tally needs up to 34 of them)."""
    return current_name(code)


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
        result = [TallyRow(r["partner_province_code"], province_name(r["partner_province_code"]) or _("Not stated"),
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
    """Everything the tally page shows in four GROUP BY queries (whatever the number of agreements):

    1. agreements grouped by (kind, partner province, verification, status) → totals, by kind, by province;
    2. buyer-role parties grouped by (organization, kind) → by buyer, and the distinct distributors (M);
    3. the names of the top buyers; 4. product groups. The few grouped rows are rolled up here.
    """
    Kind, Status, Verification = Agreement.Kind, Agreement.Status, Agreement.Verification
    grouped = (Agreement.objects.filter(_events_q(events))
               .values("kind", "partner_province_code", "verification", "status")
               .annotate(n=Count("id"), v=Sum("estimated_value")).order_by())
    board = Dashboard()
    kinds: dict[str, list[int]] = {}
    provinces: dict[int | None, list[int]] = {}
    for r in grouped:
        if r["status"] == Status.CANCELLED:
            continue
        if r["verification"] == Verification.SUBMITTED:
            board.pending += r["n"]
        if r["verification"] != Verification.VERIFIED:
            continue
        value = r["v"] or 0
        board.total_count += r["n"]
        board.total_value += value
        for table, key in ((kinds, r["kind"]), (provinces, r["partner_province_code"])):
            slot = table.setdefault(key, [0, 0])
            slot[0] += r["n"]
            slot[1] += value
    labels = dict(Kind.choices)
    board.by_kind = [TallyRow(k, str(labels[k]), *kinds[k]) for k in Kind.values if k in kinds]
    board.by_province = sorted(
        (TallyRow(code, province_name(code) or _("Not stated"), n, v) for code, (n, v) in provinces.items()),
        key=lambda r: (-r.count, r.label))[:top]

    buyers_rows = (AgreementParty.objects
                   .filter(_events_q(events, "agreement__") & counted_filter("agreement__"),
                           role=AgreementParty.Role.BUYER)
                   .values("organization_id", "agreement__kind")
                   .annotate(n=Count("agreement_id"), v=Sum("agreement__estimated_value")).order_by())
    buyers: dict[int, list[int]] = {}
    distributors = set()
    for r in buyers_rows:
        slot = buyers.setdefault(r["organization_id"], [0, 0])
        slot[0] += r["n"]
        slot[1] += r["v"] or 0
        if r["agreement__kind"] == Kind.BIZ_DISTRIBUTOR:
            distributors.add(r["organization_id"])
    board.business_with_distributors = (kinds.get(Kind.BIZ_DISTRIBUTOR, [0, 0])[0], len(distributors))
    top_buyers = sorted(buyers.items(), key=lambda item: (-item[1][0], -item[1][1], item[0]))[:top]
    names = dict(Organization.objects.filter(pk__in=[pk for pk, _ in top_buyers]).values_list("pk", "name")) \
        if top_buyers else {}
    board.by_buyer = sorted((TallyRow(pk, names.get(pk, ""), n, v) for pk, (n, v) in top_buyers),
                            key=lambda r: (-r.count, r.label))
    board.by_product_group = tally(events=events, by="product_group")
    return board


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
