"""The booth scanner's service worker: the check-in desk's worker (checkin/desk-sw.js, one source for
both), configured with the scanner page, its assets and its own cache, so the page opens again without a
network and the scans kept on the phone can still be made and uploaded later."""

from __future__ import annotations

import json
from functools import lru_cache

from django.http import HttpResponse
from django.urls import reverse
from django.views.decorators.http import require_GET

from checkin.views.offline import SW_SOURCE, asset_release, read_asset
from eventsite.access import event_view

ASSETS = [
    "vendor/be-vietnam-pro/400.css", "vendor/be-vietnam-pro/600.css", "vendor/be-vietnam-pro/700.css",
    "vendor/pico/pico.min.css", "css/app.css", "vendor/htmx/htmx.min.js", "js/app.js",
    "checkin/checkin.css", "leads/leads.css", "vendor/jsqr/jsQR.js", "checkin/qr-camera.js",
    "registration/badge-offline.js", "leads/scan.js",
]


@lru_cache(maxsize=1)
def release() -> tuple[str, tuple[str, ...]]:
    """(release id, asset URLs) of the scanner's cached files, computed as the desk's (one function)."""
    return asset_release(ASSETS, tag=b"leads\0")


@event_view()  # public like any script, but drafts stay hidden; the page it caches needs the booth role
@require_GET
def service_worker(request) -> HttpResponse:
    event = request.event
    release_id, assets = release()
    page = reverse("leads:scan", kwargs={"event_slug": event.slug})
    config = {"release": release_id, "event": event.slug, "assets": list(assets), "page": page,
              "prefix": f"ketnoi-leads-{event.slug}-"}
    body = f"self.KETNOI_DESK = {json.dumps(config)};\n" + read_asset(SW_SOURCE).decode()
    response = HttpResponse(body, content_type="text/javascript; charset=utf-8")
    response["Cache-Control"] = "no-cache"
    response["Service-Worker-Allowed"] = page
    return response
