"""The organizer's follow-through figures, computed in the database (a fixed number of queries, however many
agreements): implementation rate by kind, partner province, buyer and product group; announced vs. realized
value; stalled and silent parties; the same figures by year across the organization's events.

"Implemented" means a party's current report says orders placed or regular supply (``FollowupStatus``);
"realized" is the largest value a party reported (buyer and seller report the same orders).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Count, Exists, OuterRef, Q, Sum
from django.db.models.functions import ExtractYear
from django.utils.translation import gettext as _

from catalog.ocop import ProductGroup
from eventsite.db import custom_plans
from eventsite.models import Event

from ..models import NONE, SEVERAL, Agreement
from ..models_followup import CallNote, CheckPoint, FollowupNotice, FollowupReport, FollowupState, FollowupStatus
from .entry import counted_filter
from .parties import public_names
from .tally import province_name

BUSINESS_KINDS = (Agreement.Kind.BIZ_BIZ, Agreement.Kind.BIZ_DISTRIBUTOR)
STALLED_STATES = (FollowupState.NOT_STARTED, FollowupState.PAUSED, FollowupState.CANCELLED)
LIST_LIMIT = 200


@dataclass(frozen=True)
class RateRow:
    key: object
    label: str
    count: int
    implemented: int
    announced: int
    realized: int

    @property
    def rate(self) -> int:
        """Implemented, in whole percent of the row's agreements."""
        return round(100 * self.implemented / self.count) if self.count else 0


@dataclass
class Attention:
    """A party to call: silent (asked, no answer) or stalled (its agreement's latest state)."""

    agreement: Agreement
    organization_name: str
    email: str
    phone: str
    months: int
    reason: str
    notes: list = field(default_factory=list)


@dataclass
class FollowupBoard:
    total: RateRow
    by_kind: list[RateRow]
    by_province: list[RateRow]
    by_buyer: list[RateRow]
    by_product_group: list[RateRow]
    by_year: list[dict]
    attention: list[Attention]
    reported: int
    failed_emails: int
    checkpoints: list[int]


def _annotated(qs):
    return qs.annotate(
        n=Count("id"), implemented=Count("id", filter=Q(followup_status__implemented=True)),
        announced=Sum("estimated_value"), realized=Sum("followup_status__realized_value"))


GROUP_KEYS = ("kind", "partner_province_code", "buyer_key", "group_key")


def _combinations(event: Event) -> list[dict]:
    """The event's figures per combination of kind, province, buyer and product group: one query, one pass over
    the agreements (a few hundred rows however many agreements), rolled up below by each key."""
    return list(_annotated(Agreement.objects.filter(counted_filter(""), event=event).order_by().values(*GROUP_KEYS)))


def _rows(combinations: list[dict], key: str | None) -> dict:
    """The combinations summed by ``key`` (None: one total row under the key None)."""
    rows: dict = {}
    for c in combinations:
        r = rows.setdefault(c[key] if key else None, {"n": 0, "implemented": 0, "announced": 0, "realized": 0})
        r["n"] += c["n"]
        r["implemented"] += c["implemented"]
        r["announced"] += c["announced"] or 0
        r["realized"] += c["realized"] or 0
    return rows


def _row(key, label, r) -> RateRow:
    return RateRow(key, str(label), r["n"], r["implemented"], r["announced"] or 0, r["realized"] or 0)


def _by_buyer(combinations: list[dict]) -> list[RateRow]:
    grouped = _rows(combinations, "buyer_key")
    ids = [int(k) for k in grouped if k.isdigit()]
    names = public_names(ids) if ids else {}
    rows = sorted((_row(pk, names.get(pk, ""), grouped[str(pk)]) for pk in ids), key=lambda r: (-r.count, r.label))
    rows += [_row(k, label, grouped[k]) for k, label in ((SEVERAL, _("Several buyers")),
                                                          (NONE, _("No buyer party"))) if k in grouped]
    return rows


def _by_group(combinations: list[dict]) -> list[RateRow]:
    labels = dict(ProductGroup.choices)
    grouped = _rows(combinations, "group_key")
    rows = [_row(g, labels[g], grouped[g]) for g in ProductGroup.values if g in grouped]
    rows += [_row(k, label, grouped[k]) for k, label in ((SEVERAL, _("Several product groups")),
                                                          (NONE, _("No product group stated"))) if k in grouped]
    return rows


def by_year(organization_id: int) -> list[dict]:
    """The organization's events' figures by local signing year (the stored local date): one query."""
    rows = (Agreement.objects.filter(counted_filter(""), event__organizer_id=organization_id)
            .annotate(year=ExtractYear("signed_on")).order_by("-year").values("year")
            .annotate(n=Count("id"), implemented=Count("id", filter=Q(followup_status__implemented=True)),
                      business=Count("id", filter=Q(kind__in=BUSINESS_KINDS)),
                      business_orders=Count("id", filter=Q(kind__in=BUSINESS_KINDS,
                                                           followup_status__implemented=True)),
                      announced=Sum("estimated_value"), realized=Sum("followup_status__realized_value")))
    return [{**r, "announced": r["announced"] or 0, "realized": r["realized"] or 0} for r in rows]


def attention_list(event: Event, *, limit: int = LIST_LIMIT) -> list[Attention]:
    """Silent parties (asked at a check point, no report there) then stalled agreements; three queries."""
    reported = Exists(FollowupReport.objects.filter(
        agreement_id=OuterRef("agreement_id"), organization_id=OuterRef("organization_id"),
        checkpoint_id=OuterRef("checkpoint_id"), current=True))
    silent = (FollowupNotice.objects.filter(agreement__event=event, kind=FollowupNotice.Kind.DUE,
                                            status=FollowupNotice.Status.SENT)
              .filter(counted_filter("agreement__")).annotate(done=reported).filter(done=False)
              .select_related("agreement__event", "organization", "checkpoint").order_by("agreement__signed_at", "id")
              [:limit])
    items = [Attention(n.agreement, n.organization.name, n.email, n.organization.phone, n.checkpoint.months,
                       _("No answer")) for n in silent]
    stalled = (FollowupReport.objects.filter(agreement__event=event, current=True, state__in=STALLED_STATES,
                                             agreement__followup_status__implemented=False)
               .filter(counted_filter("agreement__"))
               .select_related("agreement__event", "organization", "checkpoint").order_by("agreement__signed_at", "id")
               [:limit])
    states = dict(FollowupState.choices)  # one lookup table (get_state_display rebuilds it for every row)
    items += [Attention(r.agreement, r.organization.name, "", r.organization.phone, r.checkpoint.months,
                        str(states.get(r.state, r.state)) + (f": {r.reason}" if r.reason else "")) for r in stalled]
    notes: dict[int, list] = {}
    for note in CallNote.objects.filter(agreement_id__in={a.agreement.pk for a in items}):
        notes.setdefault(note.agreement_id, []).append(note)
    for item in items:
        item.notes = notes.get(item.agreement.pk, [])
    return items


def followup_board(event: Event) -> FollowupBoard:
    with custom_plans():  # aggregates over the whole event: planned for this event's figures every time
        return _board(event)


def _board(event: Event) -> FollowupBoard:
    combinations = _combinations(event)
    total = _rows(combinations, None).get(None, {"n": 0, "implemented": 0, "announced": 0, "realized": 0})
    kinds = _rows(combinations, "kind")
    provinces = _rows(combinations, "partner_province_code")
    return FollowupBoard(
        total=_row(None, _("Total"), total),
        by_kind=[_row(k, label, kinds[k]) for k, label in Agreement.Kind.choices if k in kinds],
        by_province=sorted((_row(code, province_name(code) if code else _("Not stated"), r)
                            for code, r in provinces.items()), key=lambda r: (-r.count, r.label)),
        by_buyer=_by_buyer(combinations),
        by_product_group=_by_group(combinations),
        by_year=by_year(event.organizer_id),
        attention=attention_list(event),
        reported=FollowupStatus.objects.filter(agreement__event=event).filter(counted_filter("agreement__")).count(),
        failed_emails=FollowupNotice.objects.filter(agreement__event=event,
                                                    status=FollowupNotice.Status.FAILED).count(),
        checkpoints=list(CheckPoint.objects.filter(event=event).order_by("months").values_list("months", flat=True)),
    )
