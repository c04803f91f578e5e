"""Who may see which event page: one place that resolves the event and the caller's roles.

Every event-scoped view goes through ``event_view`` so that the same rule answers
for HTML pages, HTMX partials and JSON endpoints.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest

from .models import Event, EventRole

Role = EventRole.Role


def roles_of(user, event: Event) -> frozenset[str]:
    """The roles ``user`` holds at ``event``; a superuser counts as organizer everywhere."""
    if not user.is_authenticated:
        return frozenset()
    roles = set(EventRole.objects.filter(event=event, user=user).values_list("role", flat=True))
    if user.is_superuser:
        roles.add(Role.ORGANIZER)
    return frozenset(roles)


def load_event(request: HttpRequest, slug: str) -> Event:
    """Attach ``request.event`` and ``request.event_roles``; drafts are invisible to non-organizers."""
    try:
        event = Event.objects.select_related("organizer").get(slug=slug)
    except Event.DoesNotExist:
        raise Http404("No such event") from None
    roles = roles_of(request.user, event)
    if event.status == Event.Status.DRAFT and Role.ORGANIZER not in roles:
        raise Http404("No such event")
    request.event = event
    request.event_roles = roles
    return event


def event_view(roles: Iterable[str] | None = None) -> Callable:
    """Decorate a view taking ``event_slug``: resolve the event, then require one of ``roles``.

    ``roles=None`` means public. Anonymous callers of a protected page go to login;
    signed-in callers without the role get 403.
    """
    required = frozenset(roles) if roles is not None else None

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapped(request: HttpRequest, event_slug: str, *args, **kwargs):
            load_event(request, event_slug)
            if required is not None and not (request.event_roles & required):
                if not request.user.is_authenticated:
                    return redirect_to_login(request.get_full_path())
                raise PermissionDenied
            return view(request, *args, **kwargs)

        wrapped.required_roles = required  # read by the permission-matrix tests
        return wrapped

    return decorator


ORGANIZER = frozenset({Role.ORGANIZER})
STAFF = frozenset({Role.ORGANIZER, Role.DESK_STAFF})
