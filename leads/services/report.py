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


HEAT_LEVELS = 5


def heat_map(event: Event) -> list[dict]:
    """Each hall with its booths placed as on the floor plan and a heat level 0–4 from their visitors (0: none;
    4: the most visited booth's count), so the organizer sees where buyers went. Counts only."""
    booths = list(Booth.objects.filter(event=event).select_related("hall")
                  .annotate(visitors=Count("leads", distinct=True)).order_by("hall__order", "hall_id", "code"))
    top = max((b.visitors for b in booths), default=0)
    halls: dict[int, dict] = {}
    for b in booths:
        hall = halls.setdefault(b.hall_id, {"name": b.hall.name, "width": b.hall.width_m, "depth": b.hall.depth_m,
                                            "booths": []})
        level = 0 if not b.visitors else max(1, round(b.visitors * (HEAT_LEVELS - 1) / top))
        hall["booths"].append({"code": b.code, "x": b.x, "y": b.y, "w": b.w, "h": b.h, "visitors": b.visitors,
                               "level": level})
    for hall in halls.values():  # show the part of the hall that has booths, with a metre around it
        left = max(0.0, min(b["x"] for b in hall["booths"]) - 1)
        top_y = max(0.0, min(b["y"] for b in hall["booths"]) - 1)
        right = min(hall["width"], max(b["x"] + b["w"] for b in hall["booths"]) + 1)
        bottom = min(hall["depth"], max(b["y"] + b["h"] for b in hall["booths"]) + 1)
        hall["view"] = f"{left:g} {top_y:g} {max(right - left, 1):g} {max(bottom - top_y, 1):g}"
    return list(halls.values())


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
