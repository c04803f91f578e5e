from django.urls import path

from .views import pages

app_name = "catalog"

urlpatterns = [
    path("catalog/", pages.all_catalog, name="all"),
    path("catalog/products/<id:product_id>/", pages.product_page, name="product"),
    path("catalog/producers/<id:organization_id>/", pages.producer_page, name="producer"),
    path("e/<slug:event_slug>/catalog/", pages.event_catalog, name="event_catalog"),
]
