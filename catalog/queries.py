"""Catalog reads: which products an event shows, and the public search/filter rules."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.utils import timezone

from eventsite.models import Event, EventRole, Organization
from eventsite.numbers import NumberError, parse_int
from eventsite.provinces import fold

from .models import Product
from .ocop import ProductGroup


def exhibitors_of(events) -> QuerySet:
    """Organizations exhibiting at ``events`` (an Event or a queryset of events)."""
    roles = EventRole.objects.filter(role=EventRole.Role.EXHIBITOR, organization__isnull=False)
    roles = roles.filter(event=events) if isinstance(events, Event) else roles.filter(event__in=events)
    return roles.values("organization")


@dataclass
class CatalogFilters:
    q: str = ""
    group: str = ""
    stars: int | None = None
    province: int | None = None
    producer_kind: str = ""

    @classmethod
    def from_query(cls, params) -> CatalogFilters:
        def as_int(name, allowed=None):
            try:  # stars and province codes are small numbers; anything else is no filter
                value = parse_int(params.get(name, ""), minimum=1, maximum=999)
            except NumberError:
                return None
            return value if allowed is None or value in allowed else None

        group = params.get("group", "")
        kind = params.get("producer_kind", "")
        return cls(
            q=params.get("q", "").strip()[:100],
            group=group if group in ProductGroup.values else "",
            stars=as_int("stars", {3, 4, 5}),
            province=as_int("province"),
            producer_kind=kind if kind in [k.value for k in Organization.PRODUCER_KINDS] else "",
        )

    def apply(self, products: QuerySet) -> QuerySet:
        """Search ignores tone marks (both sides are folded); a star filter only counts valid certificates."""
        for word in fold(self.q).split():
            products = products.filter(search_text__contains=word)
        if self.group:
            products = products.filter(group=self.group)
        if self.stars:
            products = products.certified().filter(stars=self.stars)
        if self.province:
            products = products.filter(producer__province_code=self.province)
        if self.producer_kind:
            products = products.filter(producer__kind=self.producer_kind)
        return products

    @property
    def active(self) -> bool:
        return bool(self.q or self.group or self.stars or self.province or self.producer_kind)


def catalog_products(*, producers, filters: CatalogFilters) -> QuerySet:
    products = Product.objects.filter(producer__in=producers).select_related("producer")
    return filters.apply(products).order_by("name", "pk")


def is_rated(product: Product, today=None) -> bool:
    today = today or timezone.localdate()
    return product.certificate_issued_on <= today <= product.certificate_expires_on


__all__ = ["CatalogFilters", "catalog_products", "exhibitors_of", "is_rated", "Q"]
