"""Tallies computed in the database: a handful of GROUP BY queries, whatever the number of agreements."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache

from django.db.models import Count, Q, QuerySet, Sum
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from catalog.ocop import ProductGroup
from eventsite.models import Event
from eventsite.provinces import current_name

from ..models import NONE, SEVERAL, Agreement, AgreementParty, AgreementProductGroup
from .entry import counted_filter
from .parties import UNVERIFIED_LABEL, public_names

BY = ("kind", "province", "buyer", "product_group")
TOP = 10  # rows shown by name in the long breakdowns (partner province, buyer); the rest are one "Other" row
OTHER = "other"  # key of the "Other (K …)" row


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
    top: int = TOP
    # How many provinces / buyers were folded into the "Other" row (0: every one is listed by name).
    others: dict[str, int] = field(default_factory=dict)


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
                .values("organization_id", "organization__name", "organization__verified")
                .annotate(n=Count("agreement_id"), v=Sum("agreement__estimated_value"))
                .order_by("-n", "organization__name"))
        result = [TallyRow(r["organization_id"], r["organization__name"] if r["organization__verified"]
                           else str(UNVERIFIED_LABEL), r["n"], r["v"] or 0) for r in rows]
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
    return with_other(result, limit, by)[0] if limit else result


def with_other(rows: list[TallyRow], top: int, by: str) -> tuple[list[TallyRow], int]:
    """The first ``top`` rows and, if more, one "Other (K …)" row adding up the rest: nothing drops out."""
    if len(rows) <= top:
        return rows, 0
    rest = rows[top:]
    k = len(rest)
    if by == "province":
        label = ngettext("Other (%(k)d province)", "Other (%(k)d provinces)", k) % {"k": k}
    elif by == "buyer":
        label = ngettext("Other (%(k)d buyer)", "Other (%(k)d buyers)", k) % {"k": k}
    else:
        label = ngettext("Other (%(k)d group)", "Other (%(k)d groups)", k) % {"k": k}
    return rows[:top] + [TallyRow(OTHER, label, sum(r.count for r in rest), sum(r.value for r in rest))], k


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


def dashboard(events: Event | Iterable, *, top: int = TOP) -> Dashboard:
    """Everything the tally page shows in five queries, whatever the number of agreements:

    1. agreements grouped by (kind, partner province, verification, status) → totals, by kind, by province;
    2. the distinct distributors (M) of business ↔ distributor agreements;
    3. agreements grouped by their stored buyer key (its one buyer, several, none) → by buyer;
    4. the names of the top buyers; 5. agreements grouped by their stored product group key.

    Every breakdown adds up to the total: each counted agreement is in exactly one row of each, the
    long ones (province, buyer) list the ``top`` first by name and add the rest up in an "Other" row.
    """
    Kind, Status, Verification = Agreement.Kind, Agreement.Status, Agreement.Verification
    grouped = (Agreement.objects.filter(_events_q(events))
               .values("kind", "partner_province_code", "verification", "status")
               .annotate(n=Count("id"), v=Sum("estimated_value")).order_by())
    board = Dashboard(top=top)
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
    provinces_rows = sorted((TallyRow(code, province_name(code), n, v) for code, (n, v) in provinces.items()
                             if code is not None), key=lambda r: (-r.count, r.label))
    board.by_province, board.others["province"] = with_other(provinces_rows, top, "province")
    if None in provinces:  # no partner province known: its own row, after "Other"
        board.by_province.append(TallyRow(None, _("Not stated"), *provinces[None]))

    # M: the distinct organizations signing as buyer in business ↔ distributor agreements.
    board.business_with_distributors = (
        kinds.get(Kind.BIZ_DISTRIBUTOR, [0, 0])[0],
        AgreementParty.objects.filter(_events_q(events, "agreement__") & counted_filter("agreement__"),
                                      role=AgreementParty.Role.BUYER, agreement__kind=Kind.BIZ_DISTRIBUTOR)
        .values("organization_id").distinct().count(),
    )
    board.by_buyer, board.others["buyer"] = _by_buyer(events, top)
    board.by_product_group = _by_product_group(events)
    return board


def _one_each(events, key_field: str) -> dict[str, tuple[int, int]]:
    """{key: (count, value)} of the counted agreements by their stored breakdown key (one GROUP BY)."""
    rows = counted_agreements(events).order_by().values(key_field).annotate(n=Count("id"), v=Sum("estimated_value"))
    return {r[key_field]: (r["n"], r["v"] or 0) for r in rows}


def _by_buyer(events, top: int) -> tuple[list[TallyRow], int]:
    """Each counted agreement once: under its buyer, or "Several buyers", or "No buyer party". Two queries."""
    grouped = _one_each(events, "buyer_key")
    special = [(SEVERAL, _("Several buyers")), (NONE, _("No buyer party"))]
    ids = [int(k) for k in grouped if k.isdigit()]
    ranked = sorted(ids, key=lambda pk: (-grouped[str(pk)][0], -grouped[str(pk)][1], pk))
    names = public_names(ranked[:top]) if ids else {}  # an unverified organization is not named
    rows = [TallyRow(pk, names.get(pk, ""), *grouped[str(pk)]) for pk in ranked]
    rows, others = with_other(rows, top, "buyer")
    rows += [TallyRow(key, label, *grouped[key]) for key, label in special if key in grouped]
    return rows, others


def _by_product_group(events) -> list[TallyRow]:
    """Each counted agreement once: under its product group, or "Several product groups", or "No product group
    stated". One query."""
    labels = dict(ProductGroup.choices)
    grouped = _one_each(events, "group_key")
    order = [*ProductGroup.values, *sorted(k for k in grouped if k not in labels and k not in (SEVERAL, NONE))]
    rows = [TallyRow(g, str(labels.get(g, g)), *grouped[g]) for g in order if g in grouped]
    rows += [TallyRow(key, label, *grouped[key]) for key, label in
             ((SEVERAL, _("Several product groups")), (NONE, _("No product group stated"))) if key in grouped]
    return rows


def ceremony_counts(session_ids: Iterable[int]) -> dict[int, int]:
    """{agenda session id: agreements signed there that count} — a public figure (no values). One query."""
    rows = (Agreement.objects.filter(counted_filter(), ceremony_session_id__in=list(session_ids))
            .values("ceremony_session_id").annotate(n=Count("id")).order_by())
    return {r["ceremony_session_id"]: r["n"] for r in rows}


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
