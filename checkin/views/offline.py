"""The offline desk: service worker, web app manifest, the desk's list (delta sync) and the upload of scans
admitted offline. Desk staff and organizers of the event, with their session (like the desk page)."""

from __future__ import annotations

import hashlib
import json
import re
from functools import lru_cache
from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles import finders
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.templatetags.static import static
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.gzip import gzip_page
from django.views.decorators.http import require_GET, require_POST

from eventsite.access import STAFF, event_view
from eventsite.live import broadcast_on_commit
from eventsite.numbers import BIGINT_MAX, NumberError, parse_int
from registration.models import RegistrationRole

from ..models import ScanStatus
from ..services import checkin, offline
from ..services.offline import OfflineError
from ..texts import REASONS, TONES, WORDS, error_text

# Everything the desk page loads (base layout + desk), cached by the service worker for offline use.
DESK_ASSETS = [
    "vendor/be-vietnam-pro/400.css", "vendor/be-vietnam-pro/600.css", "vendor/be-vietnam-pro/700.css",
    "vendor/pico/pico.min.css", "css/app.css", "vendor/htmx/htmx.min.js", "js/app.js",
    "checkin/checkin.css", "vendor/jsqr/jsQR.js", "checkin/qr-camera.js", "checkin/desk.js",
    "registration/badge-offline.js", "checkin/desk-offline.js",
    "checkin/icons/desk-192.png", "checkin/icons/desk-512.png",
]
SW_SOURCE = "checkin/desk-sw.js"
_CSS_URL = re.compile(r"url\(\s*['\"]?(\./)?(files/[^)'\"]+\.woff2)['\"]?\s*\)")


def read_asset(name: str) -> bytes:
    path = finders.find(name)
    if path is None:  # collected static files only (production): read through the storage
        from django.contrib.staticfiles.storage import staticfiles_storage

        with staticfiles_storage.open(name) as fh:
            return fh.read()
    return Path(path).read_bytes()


def asset_release(assets: list[str], *, tag: bytes = b"") -> tuple[str, tuple[str, ...]]:
    """(release id, asset URLs) of an offline page's cached files (the desk's, the booth scanner's): the id is a
    hash of the service worker and every cached file (fonts of the listed stylesheets included), so a new release
    replaces old assets; ``tag`` keeps two pages' ids apart."""
    names = list(assets)
    for css in [n for n in assets if n.startswith("vendor/be-vietnam-pro/")]:
        folder = css.rsplit("/", 1)[0]
        names += [f"{folder}/{m.group(2)}" for m in _CSS_URL.finditer(read_asset(css).decode())]
    digest = hashlib.sha256(settings.DESK_RELEASE_SALT.encode() + b"\0" + tag + read_asset(SW_SOURCE))
    for name in names:
        digest.update(name.encode() + b"\0" + read_asset(name))
    return digest.hexdigest()[:16], tuple(static(n) for n in names)


@lru_cache(maxsize=1)
def release() -> tuple[str, tuple[str, ...]]:
    return asset_release(DESK_ASSETS)


@event_view()  # public like any script, but drafts stay hidden; the data it caches needs staff rights
@require_GET
def service_worker(request: HttpRequest) -> HttpResponse:
    """The desk's service worker, served under /e/<slug>/desk/ so its scope covers the desk page."""
    event = request.event
    release_id, assets = release()
    config = {"release": release_id, "event": event.slug, "assets": list(assets),
              "page": reverse("checkin:desk", kwargs={"event_slug": event.slug})}
    body = f"self.KETNOI_DESK = {json.dumps(config)};\n" + read_asset(SW_SOURCE).decode()
    response = HttpResponse(body, content_type="text/javascript; charset=utf-8")
    response["Cache-Control"] = "no-cache"
    response["Service-Worker-Allowed"] = config["page"]
    return response


@event_view()  # browsers fetch manifests without cookies, so it cannot ask for a role
@require_GET
def manifest(request: HttpRequest) -> HttpResponse:
    event = request.event
    page = reverse("checkin:desk", kwargs={"event_slug": event.slug})
    data = {
        "name": f"{_('Check-in desk')} · {event.name}", "short_name": _("Check-in"),
        "start_url": page, "scope": page, "display": "standalone",
        "background_color": "#ffffff", "theme_color": "#1a6b3c", "lang": request.LANGUAGE_CODE,
        "icons": [{"src": static("checkin/icons/desk-192.png"), "sizes": "192x192", "type": "image/png"},
                  {"src": static("checkin/icons/desk-512.png"), "sizes": "512x512", "type": "image/png"}],
    }
    return JsonResponse(data, content_type="application/manifest+json", json_dumps_params={"ensure_ascii": False})


def _int(value, default: int = 0) -> int:
    """A desk's version counter: 0 … 2**63 − 1 (a BigIntegerField); anything else counts as "from the start"."""
    try:
        return parse_int(value, minimum=0, maximum=BIGINT_MAX)
    except NumberError:
        return default


def _error(code: str, status: int = 400) -> JsonResponse:
    return JsonResponse({"status": "error", "reason": code}, status=status)


@gzip_page
@event_view(roles=STAFF)
@require_POST
def sync(request: HttpRequest) -> HttpResponse:
    """The desk's list after version ``since`` (+ revocations after ``rv``); the desk reports its queue too."""
    try:
        offline.report_desk(event=request.event, user=request.user, desk_id=request.POST.get("desk", ""),
                            gate=request.POST.get("gate", ""), queue_length=_int(request.POST.get("queue")),
                            list_version=_int(request.POST.get("since")))
    except OfflineError as error:
        return _error(error.code)
    # Organizers' dashboards re-read their desk table (last sync, queue length) as they do after a check-in.
    broadcast_on_commit(request.event.pk, checkin.TOPIC, {"type": "checkin.changed", "delta": 0, "desk": True})
    data = offline.desk_list(event=request.event, since=_int(request.POST.get("since")),
                             revoked_after=_int(request.POST.get("rv")))
    return JsonResponse(data, json_dumps_params={"ensure_ascii": False, "separators": (",", ":")})


@event_view(roles=STAFF)
@require_POST
def upload(request: HttpRequest) -> HttpResponse:
    """Scans made offline, in order: ``{"scans": [{code, gate, nonce, scanned_at, local}]}`` → one answer each.

    ``local`` is the desk's verdict; only "ok" (the default) can become a check-in, the rest are logged."""
    try:
        body = json.loads(request.body or b"{}")
        scans = offline.parse_scans(body.get("scans") if isinstance(body, dict) else None)
    except (ValueError, UnicodeDecodeError):
        return _error("bad_batch")
    except OfflineError as error:
        return _error(error.code)
    results = offline.upload_scans(event=request.event, user=request.user, scans=scans)
    return JsonResponse({"results": [
        {"n": scan.nonce, "s": result.status, "r": str(REASONS.get(result.status, "")), "at": result.checked_in_at,
         "g": result.gate} for scan, result in zip(scans, results, strict=True)
    ]}, json_dumps_params={"ensure_ascii": False})


def desk_texts() -> dict:
    """Everything the offline desk script shows, translated here and handed over in a JSON block."""
    words = {str(k): str(v) for k, v in WORDS.items()}
    reasons = {str(k): str(v) for k, v in REASONS.items()}
    words.update({"unknown": _("NOT IN LIST"), "no_list": _("NO LOCAL LIST"),
                  "no_crypto": _("CANNOT CHECK OFFLINE")})
    reasons.update({
        ScanStatus.OK: _("Welcome! The badge is valid (checked on this device)."),
        ScanStatus.WRONG_EVENT: _("This badge is for another event, or its code is not genuine."),
        "unknown": _("The signature is genuine but this badge is newer than the desk's list. "
                     "Do not admit yet: check the person's papers or call a supervisor."),
        "no_list": _("This desk has no local list yet: open it once while online."),
        "no_crypto": _("This browser cannot verify badge signatures, so offline checking is unavailable here. "
                       "Do not admit without checking: use a current Chrome, Edge or Firefox, or wait for the "
                       "network."),
    })
    return {
        "words": words, "reasons": reasons,
        "tones": {str(k): v for k, v in TONES.items()},
        "roles": {str(k): str(v) for k, v in RegistrationRole.choices},
        "offline_marker": _("OFFLINE – checked on this device, will be sent when the network is back"),
        "checked_in_at": _("Checked in at %(time)s, gate %(gate)s."),
        "bad_gate": str(error_text("bad_gate")),
        "online": _("Online"), "offline": _("OFFLINE"), "never": _("never"), "just_now": _("just now"),
        "minutes_ago": _("%(n)s min ago"),
        "logout_queue": _("%(n)s scans made offline have not been sent yet and would be lost. Log out anyway?"),
        "no_crypto_status": _("Offline checking is unavailable in this browser (no Ed25519 signature check)."),
        "signed_out": _("You are no longer signed in with desk rights: the local list was removed from this "
                        "device. Sign in again to check badges offline."),
        "held": _("%(n)s scans from another event (%(event)s) wait to upload: open that event's desk while "
                  "online."),
    }
