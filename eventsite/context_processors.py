from django.urls import reverse
from django.utils.functional import SimpleLazyObject

from .apps import collect_nav
from .models import Event

SWITCHER_LIMIT = 12


def _switcher_events(request):
    """Events for the header switcher: the caller's own first, then other public ones (one query)."""
    events = Event.objects.visible_to(request.user).only("name", "slug", "starts_at")
    return list(events.order_by("-starts_at")[:SWITCHER_LIMIT])


def site(request):
    """The current event (if the view resolved one) and the navigation the caller may use."""
    event = getattr(request, "event", None)
    switcher = SimpleLazyObject(lambda: _switcher_events(request))
    if event is None:
        return {"nav_items": [], "switcher_events": switcher}
    roles = getattr(request, "event_roles", frozenset())
    nav = [
        {"label": item.label, "url": reverse(item.url_name, kwargs={"event_slug": event.slug}),
         "name": item.url_name}
        for item in collect_nav(roles)
    ]
    return {"event": event, "event_roles": roles, "nav_items": nav, "switcher_events": switcher}
