from __future__ import annotations

import os

import pytest

from .services import REDIS_URL, chromium_available, missing, redis_available, uses_postgres


def pytest_configure(config):
    # Playwright's sync API runs an event loop in the test thread; the ORM calls the tests
    # make between browser steps are still plain synchronous code.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def pytest_collection_modifyitems(config, items):
    # Browser tests last: Playwright's sync API leaves an event loop on the main thread for the
    # whole session, after which asgiref's async_to_sync refuses to run there.
    items.sort(key=lambda item: item.get_closest_marker("browser") is not None)


def pytest_runtest_setup(item):
    if item.get_closest_marker("postgres") and not uses_postgres():
        pytest.skip("needs PostgreSQL: this pass runs on SQLite; `make test` runs a second pass with "
                    "DATABASE_URL=postgres://postgres@127.0.0.1:5432/ketnoi")
    if item.get_closest_marker("redis") and not redis_available():
        missing(f"needs Redis at {REDIS_URL}, which does not answer")
    if item.get_closest_marker("browser") and not chromium_available():
        missing("needs Debian's chromium (/usr/lib/chromium/chromium) and poppler-utils; "
                "`make test` installs them")


@pytest.fixture
def redis_url() -> str:
    return REDIS_URL
