from django.contrib import admin

from .models import Product


@admin.register(Product)
class ProductAdmin(admin.ModelAdmin):
    list_display = ["name", "producer", "group", "subgroup", "stars", "certificate_expires_on"]
    list_filter = ["group", "stars", "certifying_authority"]
    search_fields = ["name", "certificate_number", "search_text", "producer__name"]
    list_select_related = ["producer"]
    autocomplete_fields = ["producer"]
