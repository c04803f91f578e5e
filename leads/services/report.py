"""The organizer's figures on booth visits: counts only, never who (people's details stay with the booths and
their consent)."""

from __future__ import annotations

from django.db.models import Count, Sum

from booths.models import Booth
from catalog.models import Product
from catalog.ocop import ProductGroup
from eventsite.models import Event

from ..models import INTEREST_WEIGHT, Lead


def visits_per_booth(event: Event) -> list[dict]:
    """Every booth with its visitors (leads) and scans, most visited first."""
    rows = (Booth.objects.filter(event=event)
            .annotate(visitors=Count("leads", distinct=True), scans=Sum("leads__scans"))
            .values("pk", "code", "visitors", "scans").order_by("-visitors", "code"))
    return [{**r, "scans": r["scans"] or 0} for r in rows]


def visits_per_group(event: Event) -> list[tuple[str, int]]:
    """Visitors per OCOP product group of the products they showed interest in."""
    rows = (Lead.objects.filter(event=event, products__isnull=False).values("products__group")
            .annotate(n=Count("pk", distinct=True)).order_by("-n"))
    labels = dict(ProductGroup.choices)
    return [(str(labels.get(r["products__group"], r["products__group"])), r["n"]) for r in rows]


def top_products(event: Event, limit: int = 10) -> list[dict]:
    """Products by interest: leads naming the product, weighted by interest level (high 3, medium 2, else 1)."""
    through = Lead.products.through.objects.filter(lead__event=event).values_list("product_id", "lead__interest")
    score: dict[int, list[int]] = {}
    for product_id, interest in through:
        entry = score.setdefault(product_id, [0, 0])
        entry[0] += 1
        entry[1] += INTEREST_WEIGHT.get(interest, 1)
    names = dict(Product.objects.filter(pk__in=score).values_list("pk", "name"))
    ranked = sorted(score.items(), key=lambda kv: (-kv[1][1], -kv[1][0], names.get(kv[0], "")))[:limit]
    return [{"name": names.get(pk, "?"), "leads": n, "score": s} for pk, (n, s) in ranked]
