"""External scanner devices: a random bearer token shown once, stored only as its SHA-256."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from django.utils import timezone

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
    device = Device(event=event, name=name, created_by=created_by)
    token = issue_token(device)
    device.save()
    return device, token


def authenticate(token: str) -> Device | None:
    if not token or not token.startswith(TOKEN_PREFIX) or len(token) > 100:
        return None
    device = Device.objects.select_related("event").filter(token_hash=_hash(token), is_active=True).first()
    if device is not None and (device.last_seen_at is None
                               or timezone.now() - device.last_seen_at > timedelta(minutes=1)):
        Device.objects.filter(pk=device.pk).update(last_seen_at=timezone.now())
    return device
