"""Allocation against the database: build the model from applications, store an explained proposal,
and commit it through the booking service (so the same locks and constraint apply)."""

from __future__ import annotations

from collections import defaultdict

from django.db import transaction
from django.db.models import Prefetch
from django.utils import timezone

from catalog.models import Product
from eventsite.errors import DomainError
from eventsite.models import Organization

from ..models import (
    AllocationItem,
    AllocationRun,
    ApplicationStatus,
    Booking,
    BookingStatus,
    Booth,
    BoothPreference,
    ExhibitorApplication,
)
from . import booking as booking_service
from .allocation import NO_PREFERENCE, Applicant, Pref, Slot, main_subgroup, rank_of, solve
from .payment_requests import collects_fees

# Quota-style priority by producer type (DOMAIN.md: households are over half of OCOP producers but the
# smallest; the default policy favours them). Points on top of the base 100.
TYPE_BONUS = {
    Organization.Kind.HOUSEHOLD: 20,
    Organization.Kind.COOPERATIVE_GROUP: 15,
    Organization.Kind.COOPERATIVE: 10,
    Organization.Kind.ENTERPRISE: 0,
}
STAR_POINTS = 40
SENIORITY_POINTS = 20


def priority_of(*, stars: int, kind: str, order: int, total: int) -> int:
    """100 + 40 per star above 3 + producer-type bonus + up to 20 for applying earlier."""
    seniority = round(SENIORITY_POINTS * (1 - order / max(total - 1, 1))) if total > 1 else SENIORITY_POINTS
    return 100 + STAR_POINTS * max(stars - 3, 0) + TYPE_BONUS.get(kind, 0) + seniority


def _best_stars(products, today) -> int:
    valid = [p.stars for p in products if p.certificate_issued_on <= today <= p.certificate_expires_on]
    return max(valid, default=0)


def propose_allocation(*, event, by_user=None, avoid_same_subgroup_neighbours: bool = True) -> AllocationRun:
    """Compute an optimal proposal for approved applicants without a booth, over the free booths."""
    now = timezone.now()
    today = timezone.localdate()
    occupied = set(Booking.objects.filter(event=event).active(now).values_list("booth_id", flat=True))
    placed = set(Booking.objects.filter(event=event).active(now).values_list("application_id", flat=True))
    booths = list(Booth.objects.filter(event=event).select_related("zone").order_by("code"))
    free = [b for b in booths if b.pk not in occupied and not b.blocked]
    applications = list(
        ExhibitorApplication.objects.filter(event=event, status=ApplicationStatus.APPROVED)
        .exclude(pk__in=placed).select_related("organization").order_by("submitted_at", "pk")
        .prefetch_related(Prefetch("products", queryset=Product.objects.only(
            "id", "group", "subgroup", "stars", "certificate_issued_on", "certificate_expires_on")),
            Prefetch("preferences", queryset=BoothPreference.objects.select_related("booth", "zone").order_by("rank")))
    )
    applicants = []
    for order, app in enumerate(applications):
        products = list(app.products.all())
        stars = _best_stars(products, today)
        applicants.append(Applicant(
            id=app.pk,
            priority=priority_of(stars=stars, kind=app.organization.kind, order=order, total=len(applications)),
            prefs=tuple(Pref(booth=p.booth_id, zone=p.zone_id, kind=p.kind or None) for p in app.preferences.all()),
            groups=frozenset(p.group for p in products),
            subgroup=main_subgroup(p.subgroup for p in products),
        ))
        app.best_stars = stars
    slots = [Slot(id=b.pk, zone=b.zone_id, kind=b.kind, theme=b.zone.theme_group if b.zone else "") for b in free]
    neighbours = neighbour_map(free)
    result = solve(applicants, slots, neighbours=neighbours, avoid_same_subgroup=avoid_same_subgroup_neighbours)

    with transaction.atomic():
        AllocationRun.objects.filter(event=event, status=AllocationRun.Status.PROPOSED).update(
            status=AllocationRun.Status.DISCARDED)
        run = AllocationRun.objects.create(event=event, created_by=by_user, objective=result.objective,
                                           neighbour_conflicts=result.conflicts,
                                           avoid_same_subgroup_neighbours=avoid_same_subgroup_neighbours)
        explainer = _Explainer(applicants, applications, booths, occupied, result)
        AllocationItem.objects.bulk_create([explainer.item(run, a) for a in applicants])
    return run


def neighbour_map(booths: list[Booth], cell: float = 4.0) -> dict[int, set[int]]:
    """Booths that touch, found through a coarse grid instead of comparing every pair."""
    grid: dict[tuple, list[Booth]] = defaultdict(list)

    def cells(b: Booth):
        for cx in range(int((b.x - 0.1) // cell), int((b.x + b.w + 0.1) // cell) + 1):
            for cy in range(int((b.y - 0.1) // cell), int((b.y + b.h + 0.1) // cell) + 1):
                yield (b.hall_id, cx, cy)

    for b in booths:
        for key in cells(b):
            grid[key].append(b)
    result: dict[int, set[int]] = {}
    for b in booths:
        result[b.pk] = {o.pk for key in cells(b) for o in grid[key] if b.touches(o)}
    return result


class _Explainer:
    """Why an applicant did not get a better choice: the first better preference, and what happened to it."""

    def __init__(self, applicants, applications, booths, occupied, result):
        self.result = result
        self.apps = {a.pk: a for a in applications}
        self.applicants = {a.id: a for a in applicants}
        self.booths = booths
        self.occupied = occupied
        self.holder_of = {slot: app for app, slot in result.assigned.items()}
        self.by_id = {b.pk: [b] for b in booths}
        self.by_zone: dict[int, list[Booth]] = defaultdict(list)
        self.by_kind: dict[str, list[Booth]] = defaultdict(list)
        self._free_slots: dict[tuple, list[Slot]] = {}
        for b in booths:
            self.by_zone[b.zone_id].append(b)
            self.by_kind[b.kind].append(b)

    def free_slots(self, pref: Pref) -> list[Slot]:
        """The free booths ``pref`` matches, as solver slots; built once per preference target, not per
        applicant (a booth-type wish matches hundreds of booths)."""
        key = (pref.booth, pref.zone, pref.kind)
        if key not in self._free_slots:
            self._free_slots[key] = [
                Slot(id=b.pk, zone=b.zone_id, kind=b.kind, theme=b.zone.theme_group if b.zone else "")
                for b in self.matching(pref) if b.pk not in self.occupied and not b.blocked]
        return self._free_slots[key]

    def matching(self, pref: Pref) -> list[Booth]:
        if pref.booth is not None:
            return self.by_id.get(pref.booth, [])
        if pref.zone is not None:
            return self.by_zone.get(pref.zone, [])
        return self.by_kind.get(pref.kind or "", [])

    def item(self, run, applicant: Applicant) -> AllocationItem:
        booth_id = self.result.assigned.get(applicant.id)
        rank = self.result.ranks.get(applicant.id)
        item = AllocationItem(run=run, application_id=applicant.id, booth_id=booth_id, priority=applicant.priority,
                              rank_met=None if rank in (None, NO_PREFERENCE) else rank + 1)
        better = applicant.prefs if booth_id is None else applicant.prefs[:max(rank or 0, 0)]
        app = self.apps[applicant.id]
        prefs = list(app.preferences.all())
        for index, pref in enumerate(better):
            matching = self.matching(pref)
            item.better_choice = prefs[index].label[:120]
            if not matching or all(b.pk in self.occupied or b.blocked for b in matching):
                item.better_choice_reason = "booked"
                return item
            slots = self.free_slots(pref)
            if all(rank_of(applicant, s) is None for s in slots):
                item.better_choice_reason = "theme"
                return item
            holders = [self.holder_of[s.id] for s in slots if s.id in self.holder_of]
            if holders:
                top = max(holders, key=lambda h: self.applicants[h].priority)
                item.better_choice_reason = "priority"
                item.better_choice_holder = self.apps[top].organization.name[:255]
                item.better_choice_holder_stars = getattr(self.apps[top], "best_stars", None) or None
                return item
            item.better_choice_reason = "neighbours"
            return item
        if booth_id is None:
            item.better_choice_reason = "full"
        return item


def commit_allocation(*, run: AllocationRun, by_user=None) -> tuple[int, list[tuple[AllocationItem, str]]]:
    """Book every proposed booth through ``assign_booth`` (confirmed; reserved until paid when the event collects
    fees and the booth has a price). A booth taken since the proposal
    is skipped and reported, never double-booked."""
    with transaction.atomic():
        run = AllocationRun.objects.select_for_update().get(pk=run.pk)
        if run.status != AllocationRun.Status.PROPOSED:
            raise DomainError("", code="not_proposed")
        run.status = AllocationRun.Status.COMMITTED
        run.save(update_fields=["status"])
    booked, failed = 0, []
    # When the event collects booth fees, a priced booth is reserved until paid (payment confirms it).
    awaiting_payment = collects_fees(run.event_id)
    items = run.items.filter(booth__isnull=False).select_related("booth", "application__organization")
    for item in items:
        try:
            booking_service.assign_booth(booth_id=item.booth_id, application_id=item.application_id,
                                         event_id=run.event_id, by_user=by_user,
                                         status=BookingStatus.RESERVED if awaiting_payment and item.booth.price
                                         else BookingStatus.CONFIRMED)
            booked += 1
        except DomainError as error:
            failed.append((item, error.message))
    return booked, failed
