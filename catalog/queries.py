"""Catalog reads: which products an event shows, and the public search/filter rules."""

from __future__ import annotations

from dataclasses import dataclass

from django.apps import apps
from django.db.models import Q, QuerySet
from django.utils import timezone

from eventsite.models import Event, EventRole, Organization
from eventsite.numbers import NumberError, parse_int
from eventsite.provinces import fold

from .models import Product
from .ocop import ProductGroup

PUBLIC_EVENT_STATUSES = (Event.Status.PUBLISHED, Event.Status.ARCHIVED)


def exhibitors_of(events) -> QuerySet:
    """Organizations exhibiting at ``events`` (an Event or a queryset of events)."""
    roles = EventRole.objects.filter(role=EventRole.Role.EXHIBITOR, organization__isnull=False)
    roles = roles.filter(event=events) if isinstance(events, Event) else roles.filter(event__in=events)
    return roles.values("organization")


def public_producers(events=None) -> QuerySet:
    """The public rule: a producer (and its products) is public once an organizer approved it as an exhibitor
    (the EXHIBITOR role, given only by an approval) of a published or archived event; within ``events`` (an
    Event or a queryset) when given. A self-declared producer or product is public nowhere before that."""
    public = Event.objects.filter(status__in=PUBLIC_EVENT_STATUSES)
    if isinstance(events, Event):
        public = public.filter(pk=events.pk)
    elif events is not None:
        public = public.filter(pk__in=events.values("pk"))
    return exhibitors_of(public)


def _private_producer_parts(user) -> list[QuerySet]:
    """Organization ids that apps above the catalog let ``user`` see before approval (an AppConfig's
    ``catalog_private_producers(user)``, e.g. booths: the applicant's own producer, applicants to the events the
    user organizes), so the catalog needs no import of them."""
    return [part(user) for config in apps.get_app_configs()
            if (part := getattr(config, "catalog_private_producers", None)) is not None]


def producers_visible_to(user, *, event: Event | None = None) -> QuerySet:
    """Producers whose catalog pages ``user`` may see: the public ones (:func:`public_producers`), plus, for
    their own people and for the organizers of an event they exhibit at or applied to, the not yet approved
    ones; platform operators see every one. With ``event``: only that event's exhibitors."""
    events = Event.objects.all() if event is None else Event.objects.filter(pk=event.pk)
    if user.is_authenticated and user.is_superuser:
        return Organization.objects.filter(pk__in=exhibitors_of(events)) if event else Organization.objects.all()
    shown = Q(pk__in=public_producers(events))
    if user.is_authenticated:
        organized = events.filter(roles__user=user, roles__role=EventRole.Role.ORGANIZER)
        shown |= Q(pk__in=exhibitors_of(organized))
        if event is None:
            shown |= Q(pk__in=EventRole.objects.filter(user=user, organization__isnull=False).values("organization"))
            for part in _private_producer_parts(user):
                shown |= Q(pk__in=part)
    return Organization.objects.filter(shown)


def products_visible_to(user, *, event: Event | None = None) -> QuerySet:
    """Products whose pages ``user`` may see: those of :func:`producers_visible_to`."""
    return Product.objects.filter(producer__in=producers_visible_to(user, event=event))


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


__all__ = ["CatalogFilters", "catalog_products", "exhibitors_of", "is_rated", "producers_visible_to",
           "products_visible_to", "public_producers", "Q"]
