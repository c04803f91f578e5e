"""The one base class of the event websockets: access check, event groups, version and heartbeat.

Every live page (agenda, floor plan, agreement counter, check-in dashboard, table board) follows one event over a
websocket. :class:`EventGroupConsumer` does what they all need, once:

- **access**: the event must exist and be visible to the caller (drafts only to its organizers: 4404 otherwise),
  and the subclass's django-rules ``predicate`` must hold for ``(user, event)`` (4403 otherwise);
- **groups**: joins ``topics_for(user, event)`` (``eventsite.live.group_name``) and, for a signed-in user, the
  user's own group, through which logout and role changes reach every open socket of that user at once;
- **version**: sends ``{"type": "state", "version": v}`` on connect, and every ``LIVE_HEARTBEAT_SECONDS``
  (default 5 s) ``{"type": "heartbeat", "version": v, "every": s}``. A page whose version differs from (or, for the
  agenda, is below) the heartbeat's refetches what it shows, so a missed message never leaves it stale silently;
  a page whose heartbeat is late says "reconnecting" and opens a new socket (static/js/live.js);
- **healing**: each heartbeat joins the groups again (``group_add`` is idempotent). channels-redis keeps group
  membership only in Redis, so after Redis restarts every socket that outlived the outage is back in its groups
  within one heartbeat (public channel-layer API only);
- **membership re-checked**: on each heartbeat, on logout (``user_logged_out``) and when one of the user's event
  roles changes, the session is read again from the session store and the predicate is asked again with the user
  loaded afresh: a socket whose session ended is closed with 4401, one whose user lost the right with 4403, one
  whose groups would now differ (an organizer who is no longer one on the agenda) is closed so it reconnects with
  the right groups.

Subclasses set ``predicate`` and ``topics`` (or override ``topics_for``) and implement ``live_version(event)``,
which runs in a database thread and returns what the page's current state is (an int, or a short hash).
"""

from __future__ import annotations

import asyncio
import logging
import time
from importlib import import_module
from typing import Any

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from django.conf import settings
from django.contrib.auth import HASH_SESSION_KEY, SESSION_KEY, get_user_model
from django.contrib.auth.signals import user_logged_out
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django.utils.crypto import constant_time_compare

from .live import group_name, send_to_group_on_commit
from .models import Event, EventRole
from .rules import can_view_event

log = logging.getLogger(__name__)

CLOSE_SESSION_ENDED = 4401
CLOSE_FORBIDDEN = 4403
CLOSE_NOT_FOUND = 4404


def heartbeat_seconds() -> float:
    return float(getattr(settings, "LIVE_HEARTBEAT_SECONDS", 5))


def user_group(user_id: int) -> str:
    """The group of every open socket of one user (logout and role changes are sent there)."""
    return f"user-{int(user_id)}.sockets"


# Heartbeats read the version (and, for anonymous sockets, the event's visibility) at most once a second per process,
# consumer kind and event, however many sockets follow it, and sockets that beat meanwhile wait for that one read
# instead of starting their own: key -> (started at, task). Django runs these reads in one thread per process, shared
# with every HTTP request, so 300 sockets must not mean 60 reads a second.
_shared: dict[tuple, tuple[float, asyncio.Future]] = {}
VERSION_TTL = 1.0


async def _read_shared(key: tuple, compute) -> Any:
    """``compute()`` in a database thread, shared by every caller with the same ``key`` for ``VERSION_TTL``."""
    loop = asyncio.get_running_loop()
    now = time.monotonic()
    entry = _shared.get(key)
    if entry is None or now - entry[0] >= VERSION_TTL or entry[1].get_loop() is not loop:
        entry = (now, asyncio.ensure_future(database_sync_to_async(compute)()))
        _shared[key] = entry
    try:
        return await asyncio.shield(entry[1])
    except Exception:
        if _shared.get(key) is entry:  # a failed read is not shared: the next heartbeat tries again
            del _shared[key]
        raise


class EventGroupConsumer(AsyncJsonWebsocketConsumer):
    """Base of every event websocket; see the module docstring."""

    predicate = can_view_event  # django-rules predicate (user, event) -> bool
    topics: tuple[str, ...] = ()

    event_id: int | None = None
    groups_joined: tuple[str, ...] = ()
    heartbeat_task: asyncio.Task | None = None
    user_id: int | None = None
    session_key: str | None = None

    # Hooks ------------------------------------------------------------------------------------------------------

    def topics_for(self, user, event: Event) -> tuple[str, ...]:
        """The topics this socket follows (runs in a database thread; ``user`` may be anonymous)."""
        return self.topics

    def live_version(self, event: Event) -> Any:
        """What the page's current state is (runs in a database thread): a number or a short hash."""
        raise NotImplementedError

    async def joined(self, event: Event) -> None:
        """Called after the socket is accepted and in its groups, before the first ``state`` message."""

    async def leaving(self) -> None:
        """Called when the socket goes (before its groups are left)."""

    # Access -----------------------------------------------------------------------------------------------------

    def _decide(self, slug: str, user) -> tuple[int, Event | None, tuple[str, ...]]:
        """(close code or 0, event, topics) for ``user`` at the event ``slug`` (database thread)."""
        event = Event.objects.filter(slug=slug).select_related("organizer").first()
        if event is None or not can_view_event(user, event):
            return CLOSE_NOT_FOUND, None, ()
        if not type(self).predicate(user, event):
            return CLOSE_FORBIDDEN, event, ()
        return 0, event, tuple(self.topics_for(user, event))

    def _recheck(self) -> int:
        """0 while the socket may stay as it is, else the close code (database thread)."""
        user = self._session_user()
        if user is None:
            return CLOSE_SESSION_ENDED
        event = Event.objects.filter(pk=self.event_id).select_related("organizer").first()
        if event is None or not can_view_event(user, event):
            return CLOSE_NOT_FOUND
        self.event = event
        if not type(self).predicate(user, event):
            return CLOSE_FORBIDDEN
        if tuple(self.topics_for(user, event)) != self.topics_now:
            return CLOSE_SESSION_ENDED  # other groups now (a role gained or lost): reconnect to get them
        return 0

    def _session_user(self):
        """The user of this socket's session as the session store has it now (None: signed out since)."""
        from django.contrib.auth.models import AnonymousUser

        if self.user_id is None:
            return AnonymousUser()
        store = import_module(settings.SESSION_ENGINE).SessionStore(self.session_key)
        if not self.session_key or str(store.get(SESSION_KEY, "")) != str(self.user_id):
            return None
        user = get_user_model()._default_manager.filter(pk=self.user_id).first()
        if user is None or not getattr(user, "is_active", True):
            return None
        stored = store.get(HASH_SESSION_KEY) or ""
        hashes = [user.get_session_auth_hash()]
        if hasattr(user, "get_session_auth_fallback_hash"):
            hashes += list(user.get_session_auth_fallback_hash())
        if not any(constant_time_compare(stored, h) for h in hashes):
            return None  # the password changed: Django signs this session out on its next request
        return user

    # Lifecycle --------------------------------------------------------------------------------------------------

    async def connect(self) -> None:
        user = self.scope.get("user")
        code, event, topics = await database_sync_to_async(self._decide)(
            self.scope["url_route"]["kwargs"]["event_slug"], user)
        if code:
            await self.close(code=code)
            return
        self.event_id = event.pk
        self.event = event
        self.topics_now = topics
        groups = [group_name(event.pk, topic) for topic in topics]
        if user is not None and user.is_authenticated:
            self.user_id = user.pk
            session = self.scope.get("session")
            self.session_key = getattr(session, "session_key", None)
            groups.append(user_group(user.pk))
        self.groups_joined = tuple(groups)
        try:
            await self._rejoin()
        except Exception:  # the layer is down (Redis restarting): the heartbeat joins once it is back
            log.warning("live socket of event %s: joining its groups failed", self.event_id, exc_info=True)
        await self.accept()
        await self.joined(event)
        # Read after joining: a change committed from here on also arrives as a message.
        await self.send_json({"type": "state", "version": await database_sync_to_async(self.live_version)(event)})
        self.heartbeat_task = asyncio.ensure_future(self._heartbeat())

    async def disconnect(self, code: int) -> None:
        task, self.heartbeat_task = self.heartbeat_task, None
        if task is not None and task is not asyncio.current_task():
            task.cancel()
        if self.event_id is None:
            return
        await self.leaving()
        for group in self.groups_joined:
            try:
                await self.channel_layer.group_discard(group, self.channel_name)
            except Exception:  # the layer is down: the membership expires with it
                log.debug("group_discard %s failed", group, exc_info=True)

    async def receive_json(self, content, **kwargs) -> None:
        """Pages only listen; ``{"action": "sync"}`` asks for the current version at once."""
        if isinstance(content, dict) and content.get("action") == "sync":
            await self.send_json({"type": "state", "version": await self._version(fresh=True)})

    async def receive(self, text_data=None, bytes_data=None, **kwargs):
        try:
            await super().receive(text_data=text_data, bytes_data=bytes_data, **kwargs)
        except ValueError:  # not JSON
            await self.send_json({"type": "error", "code": "bad_message"})

    # Heartbeat --------------------------------------------------------------------------------------------------

    async def _version(self, fresh: bool = False) -> Any:
        if fresh:
            return await database_sync_to_async(self.live_version)(self.event)
        event = self.event
        return await _read_shared(("version", type(self), self.event_id), lambda: self.live_version(event))

    def _public_beat(self) -> tuple[int, Any]:
        """(close code, version) for an anonymous socket: the same for every anonymous socket of the event."""
        code = self._recheck()
        return code, (None if code else self.live_version(self.event))

    async def _rejoin(self) -> None:
        for group in self.groups_joined:
            try:
                await self.channel_layer.group_add(group, self.channel_name)
            except Exception:  # after a Redis restart the pool's first connection is a dead one: once more
                await self.channel_layer.group_add(group, self.channel_name)

    async def beat(self) -> bool:
        """One heartbeat: re-check, re-join, send the version. False when the socket was closed."""
        if self.user_id is None:  # nothing personal to re-check: one shared read per event and second
            code, version = await _read_shared(("public", type(self), self.event_id), self._public_beat)
        else:
            code, version = await database_sync_to_async(self._recheck)(), None
        if code:
            await self.close(code=code)
            return False
        try:
            await self._rejoin()
        except Exception:  # the layer is down: the next heartbeat joins again
            log.warning("live socket of event %s: re-joining its groups failed", self.event_id, exc_info=True)
        every = heartbeat_seconds()
        if version is None:
            version = await self._version()
        await self.send_json({"type": "heartbeat", "version": version, "every": every})
        return True

    async def _heartbeat(self) -> None:
        while True:
            await asyncio.sleep(heartbeat_seconds())
            try:
                if not await self.beat():
                    return
            except asyncio.CancelledError:
                raise
            except Exception:  # the database is away: no heartbeat, so the page says it is reconnecting
                log.warning("live socket of event %s: heartbeat failed", self.event_id, exc_info=True)

    async def check_now(self) -> None:
        """Re-check at once (logout, role change) instead of waiting for the next heartbeat."""
        code = await database_sync_to_async(self._recheck)()
        if code:
            await self.close(code=code)

    # Group handlers (the user's own group) ---------------------------------------------------------------------

    async def session_ended(self, message: dict) -> None:
        if message.get("session") and message["session"] == self.session_key:
            await self.close(code=CLOSE_SESSION_ENDED)
            return
        await self.check_now()

    async def roles_changed(self, message: dict) -> None:
        if message.get("event") in (None, self.event_id):
            await self.check_now()


# Signals: tell the user's open sockets at once ---------------------------------------------------------------------


@receiver(user_logged_out, dispatch_uid="eventsite.consumers.logged_out")
def _logged_out(sender, request=None, user=None, **kwargs) -> None:
    if user is None or user.pk is None:
        return
    session = getattr(request, "session", None)
    send_to_group_on_commit(user_group(user.pk), {"type": "session.ended",
                                                  "session": getattr(session, "session_key", None)})


@receiver(post_save, sender=EventRole, dispatch_uid="eventsite.consumers.role_saved")
@receiver(post_delete, sender=EventRole, dispatch_uid="eventsite.consumers.role_deleted")
def _role_changed(sender, instance: EventRole, **kwargs) -> None:
    if instance.user_id is not None:
        send_to_group_on_commit(user_group(instance.user_id), {"type": "roles.changed", "event": instance.event_id})


def reset_version_cache() -> None:
    """Forget the versions read by heartbeats (tests)."""
    _shared.clear()
