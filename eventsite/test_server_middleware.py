"""Middleware for the test suite's ASGI server process only (eventsite/server_test_settings.py).

That server lives for the whole test session while each test empties the database and fills it again, so rows
such as content types come back with new ids. Django caches content types per process; a cached id from an
earlier test would then point at nothing (the activity log's foreign key fails). Each request starts with an
empty cache, as a fresh production process would.
"""

from __future__ import annotations

from django.contrib.contenttypes.models import ContentType


class ForgetContentTypesMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        ContentType.objects.clear_cache()
        return self.get_response(request)
