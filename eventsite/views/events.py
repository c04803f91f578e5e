from django.shortcuts import render

from ..access import ORGANIZER, event_view
from ..apps import collect_setup_checks, collect_stats
from ..models import Event, EventRole
from ..rules import organizations_of


def home(request):
    """Events anyone may see, plus the caller's own roles across events."""
    events = Event.objects.visible_to(request.user).select_related("organizer")
    my_roles = []
    if request.user.is_authenticated:
        my_roles = (
            EventRole.objects.filter(user=request.user)
            .select_related("event", "organization")
            .order_by("-event__starts_at")
        )
    can_create = request.user.is_authenticated and organizations_of(request.user).exists()
    return render(request, "eventsite/home.html", {"events": events, "my_roles": my_roles, "can_create": can_create})


@event_view()
def event_home(request):
    return render(request, "eventsite/event_home.html")


@event_view(roles=ORGANIZER)
def organizer_home(request):
    return render(request, "eventsite/organizer_home.html",
                  {"stats": collect_stats(request.event), "checks": collect_setup_checks(request.event)})
