"""Display rules shared by every page: money in VND, tone-mark folding."""

from __future__ import annotations

from decimal import Decimal

from django import template
from django.utils.translation import get_language

register = template.Library()


def format_vnd(amount: int | Decimal | None, language: str | None = None) -> str:
    """Whole đồng, grouped with dots in Vietnamese (1.250.000.000 ₫), commas in English."""
    if amount is None or amount == "":
        return ""
    grouped = f"{int(amount):,}"
    if (language or get_language() or "vi").startswith("vi"):
        grouped = grouped.replace(",", ".")
    return f"{grouped} ₫"


@register.filter
def vnd(amount) -> str:
    return format_vnd(amount)


@register.inclusion_tag("eventsite/_activity.html")
def activity_history(obj, limit: int = 200) -> dict:
    """The activity log of ``obj`` (eventsite/activity.py), newest last; show it only to organizers."""
    from ..activity import history_of, labelled

    entries = labelled(list(history_of(obj))[-limit:])
    return {"entries": entries, "anchor": f"{obj._meta.model_name}-{obj.pk}"}
