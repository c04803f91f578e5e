from django.urls import reverse

from .apps import collect_nav


def site(request):
    """The current event (if the view resolved one) and the navigation the caller may use."""
    event = getattr(request, "event", None)
    if event is None:
        return {"nav_items": []}
    roles = getattr(request, "event_roles", frozenset())
    nav = [
        {"label": item.label, "url": reverse(item.url_name, kwargs={"event_slug": event.slug}),
         "name": item.url_name}
        for item in collect_nav(roles)
    ]
    return {"event": event, "event_roles": roles, "nav_items": nav}
