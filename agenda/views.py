"""Agenda pages: public programme, personal agenda, venue screen, feeds, and the organizer control panel.

Views are thin: public pages render the current release snapshot (constant queries); control
actions call agenda.services and show its domain errors as translated messages.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.cache import cache
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from eventsite.access import ORGANIZER, event_view
from eventsite.errors import DomainError
from eventsite.numbers import NumberError, id_or_none, parse_int

from . import ics, services
from .hooks import signing_counts
from .models import AgendaRelease, Announcement, FeedToken, Room, Session
from .programme import add_signing_counts, programme, sessions_of, signing_text
from .programme import screen as screen_blocks

FRAGMENT_CACHE_SECONDS = 30
VIEWS = ("agenda", "mine", "screen")


def _filters(request: HttpRequest, snapshot: dict | None) -> dict[str, str]:
    type_ = request.GET.get("type", "")
    room = request.GET.get("room", "")
    if type_ not in Session.Type.values:
        type_ = ""
    if room not in {str(r["id"]) for r in (snapshot or {}).get("rooms", [])}:
        room = ""
    return {"type": type_, "room": room}


def _context(request: HttpRequest, view: str, loaded: tuple | None = None) -> dict:
    """Everything the programme/screen fragments need; 1 query plus 1 for a signed-in caller's stars."""
    event = request.event
    version, release = loaded or services.current_release(event)
    snapshot = release.snapshot if release else None
    now = timezone.now()
    ctx = {"version": version, "release": release, "view": view, "now": now,
           "announcements": (snapshot or {}).get("announcements", [])}
    if view == "screen":
        ctx["blocks"] = screen_blocks(snapshot, now=now)
        return ctx
    filters = _filters(request, snapshot) if view == "agenda" else {"type": "", "room": ""}
    can_star = request.user.is_authenticated
    starred = services.starred_ids(request.user, event) if can_star else set()
    days = programme(snapshot, now=now, starred=starred, only=starred if view == "mine" else None, **filters)
    add_signing_counts(days, _signing_counts(s for day in days for block in day.rooms for s in block.sessions))
    ctx.update(
        filters=filters,
        days=days,
        rooms=(snapshot or {}).get("rooms", []),
        types=Session.Type.choices,
        can_star=can_star,
    )
    if can_star:  # each session's star toggle (agenda/_star.html)
        ctx.update(star_base=reverse("agenda:star", kwargs={"event_slug": event.slug, "session_id": 0})[:-2],
                   next_url=reverse("agenda:mine" if view == "mine" else "agenda:agenda",
                                    kwargs={"event_slug": event.slug}))
    return ctx


def _signing_counts(sessions) -> dict[int, int]:
    """Agreements signed at each signing ceremony shown (one query, none when no ceremony is shown)."""
    ids = [s.id for s in sessions if s.type == Session.Type.SIGNING]
    if not ids:
        return {}
    return signing_counts(ids)  # the agreements app provides them (agenda/hooks.py): it knows us, not we it


def _fragment_url(request: HttpRequest, view: str, filters: dict | None = None) -> str:
    url = reverse("agenda:live", kwargs={"event_slug": request.event.slug}) + f"?view={view}"
    for key, value in (filters or {}).items():
        if value:
            url += f"&{key}={value}"
    return url


def _page(request: HttpRequest, view: str, template: str, **extra) -> HttpResponse:
    version, html, ctx = _fragment(request, view)
    ctx = {**ctx, **extra, "view": view, "fragment_html": html}
    ctx["fragment_url"] = _fragment_url(request, view, ctx.get("filters"))
    return render(request, template, ctx)


@event_view()
def agenda(request: HttpRequest) -> HttpResponse:
    return _page(request, "agenda", "agenda/agenda.html")


@event_view()
def mine(request: HttpRequest) -> HttpResponse:
    if not request.user.is_authenticated:  # invite to log in rather than bounce: the page is public
        return render(request, "agenda/mine.html", {"login_needed": True, "version": 0})
    token = services.feed_token(user=request.user, event=request.event)
    feed_url = request.build_absolute_uri(
        reverse("agenda:personal_feed", kwargs={"event_slug": request.event.slug, "token": token.token})
    )
    return _page(request, "mine", "agenda/mine.html", feed_url=feed_url)


@event_view()
def screen(request: HttpRequest) -> HttpResponse:
    return _page(request, "screen", "agenda/screen.html", now=timezone.now())


def _fragment(request: HttpRequest, view: str) -> tuple[int, str, dict]:
    """(version, rendered fragment, context) of one view.

    What anonymous visitors and venue screens see is the same for everyone: it is rendered once and cached per
    version, language, filters and minute, so a thousand screens refetching after one change, or a crowd opening
    the agenda, cost one render. A signed-in caller's page holds their own star toggles (and "mine" only their
    sessions), so it is rendered for them, from the same template.
    """
    template = "agenda/_screen.html" if view == "screen" else "agenda/_programme.html"
    loaded = services.current_release(request.event)
    signed_in = request.user.is_authenticated

    def render_fragment() -> tuple[int, str, dict]:
        ctx = _context(request, view, loaded)
        return ctx["version"], render_to_string(template, ctx, request), {
            k: ctx[k] for k in ("version", "filters", "rooms", "types") if k in ctx}

    if signed_in and view != "screen":
        version, html, ctx = render_fragment()
    else:
        current, release = loaded
        stamp = release.published_at.timestamp() if release else 0  # a restored database may reuse ids
        minute = timezone.now().strftime("%Y%m%d%H%M")
        params = "&".join(f"{k}={v}" for k, v in sorted(request.GET.items()) if k in ("type", "room"))
        key = f"agenda:{request.event.pk}:{current}:{stamp}:{view}:{get_language()}:{params}:{minute}"
        version, html, ctx = cache.get_or_set(key, render_fragment, FRAGMENT_CACHE_SECONDS)
    return version, html, ctx


@require_GET
@event_view()
def live(request: HttpRequest) -> HttpResponse:
    """The current rendered fragment of one view, for clients that saw a new version or reconnected."""
    view = request.GET.get("view", "agenda")
    if view not in VIEWS:
        raise Http404("No such view")
    if view == "mine" and not request.user.is_authenticated:
        return HttpResponse(status=403)
    version, html, _ctx = _fragment(request, view)
    response = HttpResponse(html)
    response["X-Agenda-Version"] = str(version)
    response["Cache-Control"] = "no-store"
    return response


@event_view()
def changes(request: HttpRequest) -> HttpResponse:
    releases = (
        AgendaRelease.objects.filter(agenda__event=request.event)
        .prefetch_related("changes").defer("snapshot")[:30]
    )
    return render(request, "agenda/changes.html", {"releases": releases})


def _ics_response(request: HttpRequest, *, name: str, only: set[int] | None, filename: str) -> HttpResponse:
    event = request.event
    version, release = services.current_release(event)
    items = sessions_of(release.snapshot if release else None)
    if only is not None:
        items = [s for s in items if s.id in only]
    body = ics.calendar(
        name=name, sessions=items, uid_domain=f"{event.slug}.ketnoi", venue=event.venue,
        stamp=release.published_at if release else timezone.now(), sequence=version,
        url=request.build_absolute_uri(reverse("agenda:agenda", kwargs={"event_slug": event.slug})),
    )
    response = HttpResponse(body.encode("utf-8"), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


@require_GET
@event_view()
def feed(request: HttpRequest) -> HttpResponse:
    return _ics_response(request, name=request.event.name, only=None, filename=f"{request.event.slug}.ics")


@require_GET
def personal_feed(request: HttpRequest, event_slug: str, token: str) -> HttpResponse:
    """A signed-in person's starred sessions; the secret token stands in for a login."""
    feed_token = FeedToken.objects.select_related("event", "user").filter(token=token, event__slug=event_slug).first()
    if feed_token is None or not feed_token.user.is_active or feed_token.event.status == "draft":
        raise Http404("No such feed")
    request.event = feed_token.event
    starred = services.starred_ids(feed_token.user, feed_token.event)
    name = _("My agenda · %(event)s") % {"event": feed_token.event.name}
    return _ics_response(request, name=name, only=starred, filename="my-agenda.ics")


@event_view()
@require_POST
def star(request: HttpRequest, session_id: int) -> HttpResponse:
    if not request.user.is_authenticated:
        return redirect_to_login(reverse("agenda:agenda", kwargs={"event_slug": request.event.slug}))
    try:
        starred = services.toggle_star(user=request.user, event=request.event, session_id=session_id)
    except DomainError as error:
        if request.headers.get("HX-Request"):
            return HttpResponse(error.message, status=error.status)
        messages.error(request, error.message)
        return redirect("agenda:agenda", event_slug=request.event.slug)
    if request.headers.get("HX-Request"):
        _version, release = services.current_release(request.event)
        title = next(s["title"] for s in release.snapshot["sessions"] if s["id"] == session_id)
        next_url = request.POST.get("next", "")
        if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
            next_url = ""
        return render(request, "agenda/_star.html", {"star_url": request.path, "next_url": next_url,
                                                     "starred": starred, "title": title})
    messages.success(request, _("Added to your agenda.") if starred else _("Removed from your agenda."))
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = reverse("agenda:agenda", kwargs={"event_slug": request.event.slug})
    return redirect(target)


@event_view()
@require_POST
def reset_feed(request: HttpRequest) -> HttpResponse:
    if not request.user.is_authenticated:
        return redirect_to_login(reverse("agenda:mine", kwargs={"event_slug": request.event.slug}))
    services.reset_feed_token(user=request.user, event=request.event)
    messages.success(request, _("Your calendar link was renewed; the old one no longer works."))
    return redirect("agenda:mine", event_slug=request.event.slug)


# --- organizer control panel --------------------------------------------------------------


def _control_context(request: HttpRequest) -> dict:
    event = request.event
    agenda = services.agenda_for(event)
    days = sorted({timezone.localtime(d).date() for d in
                   Session.objects.filter(event=event).values_list("starts_at", flat=True)})
    today = timezone.localdate()
    wanted = request.GET.get("day") or request.POST.get("day") or ""
    try:
        day = date.fromisoformat(wanted)
    except ValueError:
        day = today if today in days else (days[0] if days else today)
    start = timezone.make_aware(datetime.combine(day, time.min))
    sessions = list(Session.objects.filter(event=event, starts_at__gte=start, starts_at__lt=start + timedelta(days=1))
                    .select_related("room"))
    rooms = list(Room.objects.filter(event=event))
    signed = _signing_counts(sessions)
    for s in sessions:
        if s.type == Session.Type.SIGNING:
            s.signed_text = signing_text(signed.get(s.id, 0))
    return {
        "agenda": agenda,
        "version": agenda.version,
        "days": days,
        "day": day,
        "sessions": sessions,
        "rooms": rooms,
        # Under live control every action publishes the whole draft, so nothing is pending.
        "pending": [] if agenda.live_control else services.pending_changes(event),
        "announcements": Announcement.objects.filter(event=event, active=True)[:10],
        "fragment_url": reverse("agenda:control", kwargs={"event_slug": event.slug}) + f"?day={day.isoformat()}",
    }


def _control_response(request: HttpRequest, *, done: str = "", error: DomainError | None = None) -> HttpResponse:
    if request.headers.get("HX-Request"):
        ctx = _control_context(request)
        ctx.update(done=done, error=error.message if error else "")
        response = render(request, "agenda/_control.html", ctx)
        response["X-Agenda-Version"] = str(ctx["version"])
        return response
    if error:
        messages.error(request, error.message)
    elif done:
        messages.success(request, done)
    day = request.POST.get("day", "")
    url = reverse("agenda:control", kwargs={"event_slug": request.event.slug})
    return redirect(f"{url}?day={day}" if day else url)


@event_view(roles=ORGANIZER)
def control(request: HttpRequest) -> HttpResponse:
    template = "agenda/_control.html" if request.headers.get("HX-Request") else "agenda/control.html"
    ctx = _control_context(request)
    response = render(request, template, ctx)
    response["X-Agenda-Version"] = str(ctx["version"])
    return response


def _done_message(result: services.ActionResult, text: str) -> str:
    if result.release:
        return _("%(action)s Published as version %(version)d.") % {"action": text, "version": result.release.version}
    return _("%(action)s Saved in the draft; publish to show it.") % {"action": text}


@event_view(roles=ORGANIZER)
@require_POST
def session_action(request: HttpRequest, session_id: int, action: str) -> HttpResponse:
    event, actor = request.event, request.user
    try:
        if action == "start":
            result = services.start_session(event=event, session_id=session_id, actor=actor)
            text = _("Session started.")
        elif action == "end":
            result = services.end_session(event=event, session_id=session_id, actor=actor)
            text = _("Session ended.")
        elif action == "cancel":
            result = services.cancel_session(event=event, session_id=session_id, actor=actor)
            text = _("Session cancelled.")
        elif action == "restore":
            result = services.restore_session(event=event, session_id=session_id, actor=actor)
            text = _("Session restored.")
        elif action == "shift":
            try:  # out of range or not a number: 0, which the service refuses with its message
                minutes = parse_int(request.POST.get("minutes", ""), minimum=-services.MAX_SHIFT_MINUTES,
                                    maximum=services.MAX_SHIFT_MINUTES)
            except NumberError:
                minutes = 0
            cascade = request.POST.get("cascade") == "1"
            result = services.shift_session(event=event, session_id=session_id, minutes=minutes,
                                            cascade=cascade, actor=actor)
            text = _("Moved %(count)d session(s) by %(minutes)d minutes.") % {
                "count": len(result.sessions), "minutes": minutes}
        elif action == "room":
            result = services.change_room(event=event, session_id=session_id,
                                          room_id=id_or_none(request.POST.get("room")), actor=actor)
            text = _("Room changed.")
        else:
            raise Http404("No such action")
    except DomainError as error:
        return _control_response(request, error=error)
    return _control_response(request, done=_done_message(result, text))


@event_view(roles=ORGANIZER)
@require_POST
def publish(request: HttpRequest) -> HttpResponse:
    try:
        release = services.publish(event=request.event, actor=request.user)
    except DomainError as error:
        return _control_response(request, error=error)
    return _control_response(request, done=_("Published version %(version)d.") % {"version": release.version})


@event_view(roles=ORGANIZER)
@require_POST
def live_control(request: HttpRequest) -> HttpResponse:
    enabled = request.POST.get("enabled") == "1"
    services.set_live_control(event=request.event, enabled=enabled, actor=request.user)
    done = (_("Live control is on: every action is published at once.") if enabled
            else _("Live control is off: actions change the draft until you publish."))
    return _control_response(request, done=done)


@event_view(roles=ORGANIZER)
@require_POST
def announce(request: HttpRequest) -> HttpResponse:
    try:
        release = services.post_announcement(event=request.event, text=request.POST.get("text", ""),
                                             actor=request.user)
    except DomainError as error:
        return _control_response(request, error=error)
    return _control_response(request, done=_("Announcement shown (version %(version)d).") % {
        "version": release.version})


@event_view(roles=ORGANIZER)
@require_POST
def hide_announcement(request: HttpRequest, announcement_id: int) -> HttpResponse:
    get_object_or_404(Announcement, pk=announcement_id, event=request.event)
    try:
        services.hide_announcement(event=request.event, announcement_id=announcement_id, actor=request.user)
    except DomainError as error:
        return _control_response(request, error=error)
    return _control_response(request, done=_("Announcement hidden."))
