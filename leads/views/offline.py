"""The booth scanner's service worker: the check-in desk's worker (registration/desk-sw.js, one source for
both), configured with the scanner page, its assets and its own cache, so the page opens again without a
network and the scans kept on the phone can still be made and uploaded later."""

from __future__ import annotations

import hashlib
import json
import re
from functools import lru_cache
from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles import finders
from django.http import HttpResponse
from django.templatetags.static import static
from django.urls import reverse
from django.views.decorators.http import require_GET

from eventsite.access import event_view

SW_SOURCE = "registration/desk-sw.js"
ASSETS = [
    "vendor/be-vietnam-pro/400.css", "vendor/be-vietnam-pro/600.css", "vendor/be-vietnam-pro/700.css",
    "vendor/pico/pico.min.css", "css/app.css", "vendor/htmx/htmx.min.js", "js/app.js",
    "registration/checkin.css", "leads/leads.css", "vendor/jsqr/jsQR.js", "registration/qr-camera.js",
    "registration/badge-offline.js", "leads/scan.js",
]
_FONT = re.compile(r"url\(\s*['\"]?(\./)?(files/[^)'\"]+\.woff2)['\"]?\s*\)")


def _read(name: str) -> bytes:
    path = finders.find(name)
    if path is None:  # collected static files only (production): read through the storage
        from django.contrib.staticfiles.storage import staticfiles_storage

        with staticfiles_storage.open(name) as fh:
            return fh.read()
    return Path(path).read_bytes()


@lru_cache(maxsize=1)
def release() -> tuple[str, tuple[str, ...]]:
    """(release id, asset URLs): a hash of the worker and every cached file, so a new release replaces them."""
    names = list(ASSETS)
    for css in [n for n in ASSETS if n.startswith("vendor/be-vietnam-pro/")]:
        folder = css.rsplit("/", 1)[0]
        names += [f"{folder}/{m.group(2)}" for m in _FONT.finditer(_read(css).decode())]
    digest = hashlib.sha256(settings.DESK_RELEASE_SALT.encode() + b"\0leads\0" + _read(SW_SOURCE))
    for name in names:
        digest.update(name.encode() + b"\0" + _read(name))
    return digest.hexdigest()[:16], tuple(static(n) for n in names)


@event_view()  # public like any script, but drafts stay hidden; the page it caches needs the booth role
@require_GET
def service_worker(request) -> HttpResponse:
    event = request.event
    release_id, assets = release()
    page = reverse("leads:scan", kwargs={"event_slug": event.slug})
    config = {"release": release_id, "event": event.slug, "assets": list(assets), "page": page,
              "prefix": f"ketnoi-leads-{event.slug}-"}
    body = f"self.KETNOI_DESK = {json.dumps(config)};\n" + _read(SW_SOURCE).decode()
    response = HttpResponse(body, content_type="text/javascript; charset=utf-8")
    response["Cache-Control"] = "no-cache"
    response["Service-Worker-Allowed"] = page
    return response
