from __future__ import annotations

from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, render
from django.utils import timezone

from eventsite.access import event_view
from eventsite.models import Organization
from eventsite.provinces import current_choices

from ..ocop import ProductGroup
from ..queries import CatalogFilters, catalog_products, producers_visible_to, products_visible_to, public_producers

PAGE_SIZE = 24


def _render_catalog(request, *, producers, template_context: dict):
    filters = CatalogFilters.from_query(request.GET)
    products = catalog_products(producers=producers, filters=filters)
    page = Paginator(products, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "catalog/catalog.html", {
        **template_context,
        "page": page, "filters": filters, "query": query.urlencode(),
        "groups": ProductGroup.choices, "provinces": current_choices(),
        "producer_kinds": [(k.value, k.label) for k in Organization.PRODUCER_KINDS],
        "today": timezone.localdate(),
    })


@event_view()
def event_catalog(request):
    return _render_catalog(request, producers=producers_visible_to(request.user, event=request.event),
                           template_context={})


def all_catalog(request):
    return _render_catalog(request, producers=public_producers(), template_context={"all_events": True})


def product_page(request, product_id: int):
    product = get_object_or_404(products_visible_to(request.user).select_related("producer"), pk=product_id)
    others = product.producer.products.exclude(pk=product.pk).order_by("name")[:12]
    return render(request, "catalog/product.html", {"product": product, "others": others,
                                                    "today": timezone.localdate()})


def producer_page(request, organization_id: int):
    producer = get_object_or_404(producers_visible_to(request.user), pk=organization_id,
                                 kind__in=[k.value for k in Organization.PRODUCER_KINDS])
    products = producer.products.select_related("producer").order_by("name")
    return render(request, "catalog/producer.html", {"producer": producer, "products": products,
                                                     "today": timezone.localdate()})
