"""Template access to the certificate rule in booths.selectors (the rule itself is not repeated here)."""

from django import template

from ..selectors import certificate_lapses_before_event

register = template.Library()


@register.filter
def lapses_before(product, event) -> bool:
    """``{% if product|lapses_before:event %}``: the certificate expires before the event's last day."""
    return certificate_lapses_before_event(product, event)
