from django.db.models import Exists, OuterRef, Q
from django.utils.functional import SimpleLazyObject

from .models import Event, EventRole
from .navigation import event_nav

SWITCHER_LIMIT = 12


def _switcher_events(request):
    """Events for the header switcher, in one query: first the events where the caller holds a role, then the
    other published events, each group newest first. Visibility is ``Event.visible_to``'s: a draft appears only
    to its organizers, so a role at a draft event does not show it to a buyer; archived events appear only to
    the people who had a role there (the home page lists them all)."""
    user = request.user
    events = Event.objects.visible_to(user).only("name", "slug", "starts_at")
    if not user.is_authenticated:
        return list(events.filter(status=Event.Status.PUBLISHED).order_by("-starts_at")[:SWITCHER_LIMIT])
    events = events.annotate(mine=Exists(EventRole.objects.filter(event=OuterRef("pk"), user=user)))
    events = events.filter(Q(mine=True) | Q(status=Event.Status.PUBLISHED))
    return list(events.order_by("-mine", "-starts_at")[:SWITCHER_LIMIT])


def site(request):
    """The current event (if the view resolved one) and the navigation the caller may use."""
    event = getattr(request, "event", None)
    switcher = SimpleLazyObject(lambda: _switcher_events(request))
    if event is None:
        return {"event_nav": None, "switcher_events": switcher}
    roles = getattr(request, "event_roles", frozenset())
    nav = event_nav(event.slug, roles, request.path)
    return {"event": event, "event_roles": roles, "event_nav": nav, "switcher_events": switcher}
