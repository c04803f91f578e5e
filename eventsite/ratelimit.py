"""Rate limits on Django's cache (Redis in scale mode, local memory in the embedded default).

One fixed-window counter per (scope, who, window), in Django's cache, so every web process behind the proxy shares
the same count when the cache is Redis. With Redis a request costs one round trip (one MULTI/EXEC pipeline:
create the window's counter with its expiry if it is new, increment it), on a client of this module's own for the
cache's first location, with the cache's key prefix; with any other cache ``cache.add`` starts the counter and
``cache.incr`` counts. Limits are read from
``settings.KETNOI_RATE_LIMITS`` (``"20/s"``, ``"10/m"``, ``"30/h"``; set from the environment variable
``KETNOI_RATE_LIMITS="checkin_api=50/s,upload=10/m"``) over :data:`DEFAULT_LIMITS` at each request, so tests
and deployments can change them without code.

- :func:`hit` counts one request and says whether it is still within the limit (use it anywhere);
- :func:`ratelimit` decorates a view (Django or django-ninja) and answers 429 when the limit is passed:
  ``{"status": "error", "reason": "rate_limited"}`` for JSON/API callers, a short message for HTMX, a clear
  page for everything else, always with ``Retry-After``;
- :class:`UploadRateLimitMiddleware` applies the ``upload`` scope to every request that carries a file, whatever
  view receives it (product photos, agreement scans, registration and floor-plan imports, the admin): uploads are
  limited in this one place, so a new upload form cannot forget it.

If the cache cannot be reached (Redis restarting), the request is let through and a warning logged: a counter
is a guard against floods, and the check-in desks must keep working while Redis is down (bench/bench_faults.py).
"""

from __future__ import annotations

import contextlib
import inspect
import logging
import math
import os
import time
from collections.abc import Callable, Iterable
from functools import wraps

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _

log = logging.getLogger(__name__)

PERIODS = {"s": 1, "m": 60, "h": 3600, "d": 86400}

DEFAULT_LIMITS = {
    # Public buyer sign-up POSTs per IP. Walk-up buyers on the venue's Wi-Fi share one address, so this only
    # stops scripted floods, not a queue of people at a poster's QR code.
    "registration": "60/m",
    "checkin_api": "20/s",    # scanner API calls per device: a scanner is fast, a flood is not
    "upload": "30/m",         # file uploads (agreement scans, import files, product photos) per user
    "report": "20/m",         # background exports and reports started per user (each one builds a file)
    "lead_scan": "10/s",      # booth badge scans per user: a person scans one badge every few seconds
    "followup_link": "30/m",  # follow-through report links opened or posted per IP (tokens are 256-bit anyway)
}


def parse_rate(rate: str) -> tuple[int, int]:
    """``"20/s"`` → (20, 1); ``"5/10m"`` → (5, 600)."""
    count, _sep, period = rate.partition("/")
    unit = period[-1:]
    multiplier = int(period[:-1] or 1)
    if unit not in PERIODS or not count.isdigit() or multiplier < 1:
        raise ValueError(f"bad rate {rate!r}: use e.g. '20/s', '10/m', '5/10m'")
    return int(count), multiplier * PERIODS[unit]


def limit_for(scope: str) -> tuple[int, int]:
    configured = {**DEFAULT_LIMITS, **getattr(settings, "KETNOI_RATE_LIMITS", {})}
    return parse_rate(configured[scope])


def hit(scope: str, who: str, *, limit: int | None = None, period: int | None = None) -> tuple[bool, int]:
    """Count one request of ``who`` in ``scope``. Returns (allowed, seconds until the window resets)."""
    if limit is None or period is None:
        limit, period = limit_for(scope)
    now = time.time()
    window = int(now // period)
    key = f"ratelimit:{scope}:{who}:{window}"
    try:
        count = _count(key, period + 1)
    except Exception:  # the cache (Redis) is unreachable: fail open rather than refuse every request
        log.warning("rate limit %s not counted: cache unavailable", scope, exc_info=True)
        count = 1
    retry_after = max(1, math.ceil((window + 1) * period - now))
    return count <= limit, retry_after


REDIS_CACHE = "django.core.cache.backends.redis.RedisCache"


def _count(key: str, timeout: int) -> int:
    """Add one to the counter ``key`` (created with ``timeout`` seconds to live) and return it."""
    if settings.CACHES.get("default", {}).get("BACKEND") == REDIS_CACHE:
        pipe = _redis().pipeline(transaction=True)
        full_key = cache.make_key(key)
        pipe.set(full_key, 0, ex=timeout, nx=True)
        pipe.incr(full_key)
        return int(pipe.execute()[1])
    if cache.add(key, 1, timeout=timeout):
        return 1
    try:
        return cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.add(key, 1, timeout=timeout)
        return 1


_clients: dict[tuple[int, str], object] = {}


def _redis():
    """This process's Redis client for the cache's (first) location: thread-safe, with its own connection pool."""
    import redis

    location = settings.CACHES["default"]["LOCATION"]
    url = (location.split(",") if isinstance(location, str) else list(location))[0].strip()
    client = _clients.get((os.getpid(), url))
    if client is None:
        # Short timeouts: a counter that cannot be reached must not hold a scan (hit() then lets it through).
        client = _clients[(os.getpid(), url)] = redis.Redis.from_url(url, socket_connect_timeout=1,
                                                                     socket_timeout=1)
    return client


def client_ip(request: HttpRequest) -> str:
    """The caller's address (in scale mode Daphne runs with --proxy-headers, so this is the client behind nginx)."""
    return request.META.get("REMOTE_ADDR", "") or "unknown"


def _who(request: HttpRequest, key: str) -> str:
    if key == "device":
        device = getattr(request, "device", None)
        if device is not None:
            return f"device-{device.pk}"
    if key in {"user", "device"} and getattr(request, "user", None) is not None and request.user.is_authenticated:
        return f"user-{request.user.pk}"
    return f"ip-{client_ip(request)}"


def wants_json(request: HttpRequest) -> bool:
    return request.path.startswith("/api/") or "application/json" in request.headers.get("Accept", "")


def too_many_requests(request: HttpRequest, retry_after: int) -> HttpResponse:
    """The 429 answer: JSON for APIs, a fragment for HTMX, a page for people."""
    message = _("Too many requests in a short time. Please wait %(seconds)s seconds and try again.") % {
        "seconds": retry_after}
    if wants_json(request):
        response = JsonResponse({"status": "error", "reason": "rate_limited"}, status=429)
    elif request.headers.get("HX-Request"):
        response = TemplateResponse(request, "eventsite/rate_limited_fragment.html", {"message": message},
                                    status=429)
        response.render()
    else:
        response = TemplateResponse(request, "eventsite/rate_limited.html", {"message": message}, status=429)
        response.render()
    response["Retry-After"] = str(retry_after)
    return response


def ratelimit(scope: str, *, key: str = "ip", methods: Iterable[str] = ("POST",)) -> Callable:
    """Limit a view to ``settings.KETNOI_RATE_LIMITS[scope]`` requests per ``key`` ("ip", "user", "device").

    Put it below ``@event_view`` so only callers allowed on the page are counted. Works on django-ninja
    operations too (ninja passes an HttpResponse through unchanged).
    """
    counted = {m.upper() for m in methods}

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapped(request: HttpRequest, *args, **kwargs):
            if request.method in counted and getattr(settings, "KETNOI_RATE_LIMITS_ENABLED", True):
                allowed, retry_after = hit(scope, _who(request, key))
                if not allowed:
                    return too_many_requests(request, retry_after)
            return view(request, *args, **kwargs)

        # django-ninja reads the parameters from the signature and resolves string annotations with the
        # function's globals; give it the view's own, already resolved.
        with contextlib.suppress(NameError, TypeError, ValueError):
            wrapped.__signature__ = inspect.signature(view, eval_str=True)
        return wrapped

    return decorator


class UploadRateLimitMiddleware:
    """The ``upload`` limit, per signed-in user (else per address), on every request that carries a file.

    Runs after CSRF and authentication (its place in MIDDLEWARE), in ``process_view`` so a refused upload never
    reaches the view. Only multipart bodies are looked at: JSON and form posts without a file are not uploads.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(self, request: HttpRequest, view_func, view_args, view_kwargs) -> HttpResponse | None:
        if (request.content_type != "multipart/form-data" or request.method not in {"POST", "PUT", "PATCH"}
                or not getattr(settings, "KETNOI_RATE_LIMITS_ENABLED", True) or not request.FILES):
            return None
        allowed, retry_after = hit("upload", _who(request, "user"))
        return None if allowed else too_many_requests(request, retry_after)
