"""External scanner devices: a random bearer token shown once, stored only as its SHA-256.

A scanner sends its token with every scan, so :func:`authenticate` keeps each process's recently seen devices for
:data:`CACHE_SECONDS`: a scan then costs no query for who is scanning. Saving or deleting a device (deactivating
it, rotating its token) empties this process's cache at once; other web processes follow within
``CACHE_SECONDS``.
"""

from __future__ import annotations

import hashlib
import secrets
import threading
import time
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from eventsite.activity import log_action
from eventsite.models import Event

from ..models import Device

TOKEN_PREFIX = "kn_"  # noqa: S105 (a marker, not a secret)


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_token(device: Device) -> str:
    """Give ``device`` a new token (the old one stops working) and return it: the only time it is visible."""
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    device.token_hash = _hash(token)
    device.token_prefix = token[:8]
    return token


def create_device(*, event: Event, name: str, created_by=None) -> tuple[Device, str]:
    """A new scanner for ``event`` and its token, returned this once (only its hash is kept)."""
    with transaction.atomic():
        device = Device(event=event, name=name.strip(), created_by=created_by)
        token = issue_token(device)
        device.save()
        log_action(action="checkin.device_created", obj=device, actor=created_by,
                   after={"name": device.name, "token_prefix": device.token_prefix})
    return device, token


def rename_device(*, device: Device, name: str, actor) -> Device:
    with transaction.atomic():
        before = {"name": device.name}
        device.name = name.strip()
        device.save(update_fields=["name"])
        log_action(action="checkin.device_renamed", obj=device, actor=actor, before=before,
                   after={"name": device.name})
    return device


def revoke_device(*, device: Device, actor) -> Device:
    """Stop a device's token at once (this process's cache is emptied by the save; others within
    CACHE_SECONDS). The row stays, so its check-ins keep naming it."""
    with transaction.atomic():
        device.is_active = False
        device.save(update_fields=["is_active"])
        log_action(action="checkin.device_revoked", obj=device, actor=actor,
                   before={"is_active": True}, after={"is_active": False})
    return device


CACHE_SECONDS = 10
_CACHE_SIZE = 1000
_cache: dict[str, tuple[float, Device]] = {}
_cache_lock = threading.Lock()


def forget_cached_devices(**_kwargs) -> None:
    """Drop this process's cached devices (connected to Device's post_save and post_delete)."""
    with _cache_lock:
        _cache.clear()


def authenticate(token: str) -> Device | None:
    if not token or not token.startswith(TOKEN_PREFIX) or len(token) > 100:
        return None
    digest = _hash(token)
    now = time.monotonic()
    cached = _cache.get(digest)
    if cached is not None and cached[0] > now:
        device = cached[1]
    else:
        device = Device.objects.select_related("event").filter(token_hash=digest, is_active=True).first()
        with _cache_lock:
            if device is None:
                _cache.pop(digest, None)
                return None
            if len(_cache) >= _CACHE_SIZE:
                _cache.clear()
            _cache[digest] = (now + CACHE_SECONDS, device)
    seen = timezone.now()
    if device.last_seen_at is None or seen - device.last_seen_at > timedelta(minutes=1):
        device.last_seen_at = seen
        Device.objects.filter(pk=device.pk).update(last_seen_at=seen)
    return device
