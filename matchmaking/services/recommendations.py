"""Who should meet whom, with the reasons.

Scoring is a fixed table of points (no learning, no randomness) so that the same profiles always
give the same ranking and every point can be explained on screen:

=========================================  ======
product in a sub-group the buyer wants       40
product only in a group the buyer wants      25
first free-text term found in the product    20   (+10 per further term, at most 40)
stars above 3                                 5/★
capacity covers the buyer's monthly volume   10   (the product's own, else the producer's overall)
certification the buyer asks for              5   (at most 10)
channel both sides name                       5   (at most 10)
further matching products of the producer     3   (at most 9)
=========================================  ======

A product below the buyer's minimum stars, or matching neither a group nor a term of a buyer who
stated some, does not count. Text is compared tone-mark-free (``fold``): "nuoc mam" finds "Nước mắm".
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _

from catalog.models import Product
from catalog.ocop import ProductGroup, SubGroup
from eventsite.models import Event, EventRole, Organization
from eventsite.provinces import fold

from ..models import BuyerProfile, Channel, ProducerProfile

SUBGROUP_POINTS = 40
GROUP_POINTS = 25
FIRST_TERM_POINTS = 20
MORE_TERM_POINTS = 10
TERM_CAP = 40
STAR_POINTS = 5
CAPACITY_POINTS = 10
CERT_POINTS, CERT_CAP = 5, 10
CHANNEL_POINTS, CHANNEL_CAP = 5, 10
EXTRA_PRODUCT_POINTS, EXTRA_PRODUCT_CAP = 3, 9


@dataclass(frozen=True)
class Term:
    text: str  # as the buyer typed it
    folded: str


@dataclass
class ProductFit:
    product: Product
    points: int
    reasons: list[str]
    covers_volume: bool = False


@dataclass
class Match:
    organization: Organization
    score: int
    reasons: list[str]
    products: list[Product] = field(default_factory=list)
    capacity: str = ""  # the producer's overall monthly supply, as it stated it


def split_terms(text: str) -> list[Term]:
    """Free text → terms: commas, semicolons, slashes and new lines separate them."""
    terms: dict[str, Term] = {}
    for part in re.split(r"[,;/\n]+", text or ""):
        clean = " ".join(part.split())
        folded = fold(clean)
        if len(folded) >= 2 and folded not in terms:
            terms[folded] = Term(clean, folded)
    return list(terms.values())


_UNITS = {"tan": ("kg", 1000), "t": ("kg", 1000), "ta": ("kg", 100), "kg": ("kg", 1), "yen": ("kg", 10),
          "lit": ("l", 1), "l": ("l", 1), "ml": ("l", Decimal("0.001"))}
_QUANTITY = re.compile(r"(\d[\d.]*(?:,\d+)?)\s*([^\d\s/]+(?:\s[^\d\s/]+)?)?")


def parse_quantity(text: str) -> tuple[Decimal, str] | None:
    """"10.000 lít" → (10000, "l"); "1,5 tấn" → (1500, "kg"); "1.000 hộp" → (1000, "hop"). Vietnamese
    notation: dots group thousands, a comma marks decimals."""
    m = _QUANTITY.search(fold(text or ""))
    if not m:
        return None
    try:
        amount = Decimal(m.group(1).replace(".", "").replace(",", "."))
    except InvalidOperation:
        return None
    unit = (m.group(2) or "").strip()
    first_word = unit.split()[0] if unit else ""
    if first_word in _UNITS:
        dim, factor = _UNITS[first_word]
        return amount * factor, dim
    return amount, unit


def _terms_in(text_folded: str, terms: list[Term]) -> list[Term]:
    return [t for t in terms if re.search(rf"(?<!\w){re.escape(t.folded)}(?!\w)", text_folded)]


def fit_product(profile: BuyerProfile, product: Product, *, terms: list[Term], wanted_certs: list[Term],
                producer_certs_folded: str) -> ProductFit | None:
    """How well one product answers one buyer profile, or None when it does not count."""
    if product.stars < profile.min_stars:
        return None
    points, reasons = 0, [f"{product.stars}★ {product.name}"]
    if product.subgroup in profile.subgroups:
        points += SUBGROUP_POINTS
        reasons.append(_("matches sub-group “%(name)s”") % {"name": SubGroup(product.subgroup).label})
    elif product.group in profile.groups:
        points += GROUP_POINTS
        reasons.append(_("matches group “%(name)s”") % {"name": ProductGroup(product.group).label})
    found = _terms_in(product.search_text, terms)
    if found:
        points += min(TERM_CAP, FIRST_TERM_POINTS + MORE_TERM_POINTS * (len(found) - 1))
        reasons += [_("matches “%(term)s”") % {"term": t.text} for t in found]
    if (profile.groups or profile.subgroups or terms) and points == 0:
        return None
    points += STAR_POINTS * (product.stars - 3)
    covers = False
    if product.monthly_capacity:
        reasons.append(_("supplies %(capacity)s/month") % {"capacity": product.monthly_capacity})
        if covers := covers_volume(profile.volume, product.monthly_capacity):
            points += CAPACITY_POINTS
            reasons.append(_("covers the %(volume)s/month needed") % {"volume": profile.volume})
    held = [c for c in wanted_certs if c.folded in producer_certs_folded or c.folded in product.search_text]
    if held:
        points += min(CERT_CAP, CERT_POINTS * len(held))
        reasons.append(_("certified %(names)s") % {"names": ", ".join(c.text for c in held)})
    return ProductFit(product, points, reasons, covers)


def covers_volume(volume: str, capacity: str) -> bool:
    """Whether a stated monthly capacity reaches the buyer's monthly volume (same kind of unit only)."""
    need, have = parse_quantity(volume), parse_quantity(capacity)
    return bool(need and have and need[1] == have[1] and have[0] >= need[0])


def score_pair(profile: BuyerProfile, products: list[Product], producer_profile: ProducerProfile | None
               ) -> tuple[int, list[str], list[Product]] | None:
    """Score a buyer profile against a producer's offered products: the best product, plus the rest."""
    terms = split_terms(profile.needs)
    wanted_certs = split_terms(profile.certifications)
    producer_certs = fold(producer_profile.certifications) if producer_profile else ""
    fits = [f for p in products
            if (f := fit_product(profile, p, terms=terms, wanted_certs=wanted_certs,
                                 producer_certs_folded=producer_certs)) is not None]
    if not fits:
        return None
    fits.sort(key=lambda f: (-f.points, -f.product.stars, f.product.name, f.product.pk))
    best = fits[0]
    score, reasons = best.points, list(best.reasons)
    overall = producer_profile.capacity.strip() if producer_profile else ""
    if overall:
        # The producer's overall capacity: a reason always, points when the best product's own figure did
        # not already earn them and it reaches the volume the buyer stated.
        reasons.append(_("supplies %(capacity)s/month in all") % {"capacity": overall})
        if not best.covers_volume and covers_volume(profile.volume, overall):
            score += CAPACITY_POINTS
            reasons.append(_("covers the %(volume)s/month needed") % {"volume": profile.volume})
    if len(fits) > 1:
        score += min(EXTRA_PRODUCT_CAP, EXTRA_PRODUCT_POINTS * (len(fits) - 1))
        reasons.append(_("%(n)s more matching products") % {"n": len(fits) - 1})
    shared = [c for c in profile.channels if producer_profile and c in producer_profile.channels]
    if shared:
        score += min(CHANNEL_CAP, CHANNEL_POINTS * len(shared))
        reasons.append(_("shared channel: %(names)s") % {"names": ", ".join(str(Channel(c).label) for c in shared)})
    return min(score, 100), reasons, [f.product for f in fits]


def _offers(event: Event, producer_ids: list[int] | None = None) -> tuple[dict, dict]:
    """Per producer: the certified products it offers (its chosen ones, or all when it chose none)."""
    exhibitors = EventRole.objects.filter(event=event, role=EventRole.Role.EXHIBITOR, organization__isnull=False)
    if producer_ids is not None:
        exhibitors = exhibitors.filter(organization_id__in=producer_ids)
    org_ids = set(exhibitors.values_list("organization_id", flat=True))
    profiles = {p.organization_id: p for p in ProducerProfile.objects.filter(event=event, organization_id__in=org_ids)
                .prefetch_related("products")}
    products: dict[int, list[Product]] = defaultdict(list)
    for product in Product.objects.certified().filter(producer_id__in=org_ids).select_related("producer"):
        chosen = profiles.get(product.producer_id)
        chosen_ids = {p.pk for p in chosen.products.all()} if chosen else set()
        if not chosen_ids or product.pk in chosen_ids:
            products[product.producer_id].append(product)
    return products, profiles


def _rank(matches: list[Match], limit: int | None) -> list[Match]:
    matches.sort(key=lambda m: (-m.score, m.organization.name, m.organization.pk))
    return matches[:limit] if limit else matches


def recommend_producers(*, event: Event, buyer: Organization, limit: int | None = 20) -> list[Match]:
    """Producers ranked for one buyer (empty until the buyer has a profile)."""
    profile = BuyerProfile.objects.filter(event=event, organization=buyer).first()
    if profile is None:
        return []
    products, producer_profiles = _offers(event)
    matches = []
    for producer_id, offered in products.items():
        result = score_pair(profile, offered, producer_profiles.get(producer_id))
        if result:
            score, reasons, fitting = result
            stated = producer_profiles.get(producer_id)
            matches.append(Match(offered[0].producer, score, reasons, fitting,
                                 capacity=stated.capacity.strip() if stated else ""))
    return _rank(matches, limit)


def recommend_buyers(*, event: Event, producer: Organization, limit: int | None = 20) -> list[Match]:
    """Buyers ranked for one producer, by the same points as the other way round."""
    products, producer_profiles = _offers(event, [producer.pk])
    offered = products.get(producer.pk, [])
    if not offered:
        return []
    buyer_ids = EventRole.objects.filter(event=event, role=EventRole.Role.BUYER).values("organization_id")
    matches = []
    for profile in BuyerProfile.objects.filter(event=event, organization_id__in=buyer_ids).select_related(
            "organization"):
        result = score_pair(profile, offered, producer_profiles.get(producer.pk))
        if result:
            score, reasons, fitting = result
            matches.append(Match(profile.organization, score, reasons, fitting))
    return _rank(matches, limit)


def pair_score(*, event: Event, buyer: Organization, producer: Organization) -> int:
    """The score of one pair (0 when nothing fits); stored on a request to set its priority."""
    profile = BuyerProfile.objects.filter(event=event, organization=buyer).first()
    if profile is None:
        return 0
    products, producer_profiles = _offers(event, [producer.pk])
    result = score_pair(profile, products.get(producer.pk, []), producer_profiles.get(producer.pk))
    return result[0] if result else 0
