"""Which real services this run can reach, and how to react when one is missing.

``REQUIRE_SERVICES=1`` (set by .ci/run) turns every "service absent" skip into a failure,
so CI can never go green by skipping the PostgreSQL, Redis or browser tests.
"""

from __future__ import annotations

import os
import shutil
import socket
from functools import cache
from urllib.parse import urlparse

import pytest
from django.conf import settings

REQUIRE = os.environ.get("REQUIRE_SERVICES") == "1"
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/lib/chromium/chromium")
REDIS_URL = os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/0"


def _reachable(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=1):
            return True
    except OSError:
        return False


@cache
def redis_available() -> bool:
    url = urlparse(REDIS_URL)
    return _reachable(url.hostname or "127.0.0.1", url.port or 6379)


def uses_postgres() -> bool:
    return settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"


def chromium_available() -> bool:
    return os.path.exists(CHROMIUM) and shutil.which("pdftoppm") is not None


def missing(reason: str) -> None:
    """Skip, or fail when the run promised every service."""
    if REQUIRE:
        pytest.fail(f"REQUIRE_SERVICES=1 but {reason}", pytrace=False)
    pytest.skip(reason)
