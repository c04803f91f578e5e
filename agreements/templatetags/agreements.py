"""``{% load agreements %}{% party_name org %}``: an organization's name as the viewer may see it."""

from __future__ import annotations

from django import template

from ..services.parties import shown_name

register = template.Library()


@register.simple_tag(takes_context=True)
def party_name(context, org) -> str:
    request = context.get("request")
    return shown_name(org, user=getattr(request, "user", None), organizer=bool(context.get("organizer")))
