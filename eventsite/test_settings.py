"""Settings for the test suite: the real settings, with a fast password hasher and a file test DB.

The SQLite test database is a file (not :memory:) so that browser tests can start a real
ASGI server process against the same data.
"""

import os

from .settings import *  # noqa: F403
from .settings import DATABASES, VAR_DIR

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"

_worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / f"test-{_worker}.sqlite3")}
ACCOUNT_RATE_LIMITS = False  # rate limits have their own tests, with their own settings
KETNOI_RATE_LIMITS_ENABLED = False  # likewise: tests/security/test_ratelimit.py turns them on
# Tasks still wait for commit, but run inline then, so tests see their effects without polling a thread
# (tests/security/test_tasks.py covers the thread and the database backends).
TASKS = {"default": {"BACKEND": "eventsite.task_backends.ThreadBackend", "QUEUES": ["default"],
                     "OPTIONS": {"THREAD": False}}}
# Private files (reports, import uploads) of this test run, away from the development server's var/private
# (on disk; tests of the object store configure their own buckets).
PRIVATE_MEDIA_ROOT = VAR_DIR / f"test-private-{_worker}"
if STORAGES["private"]["BACKEND"] == "eventsite.storage.LocalStorage":  # noqa: F405
    STORAGES = {**STORAGES, "private": {**STORAGES["private"],  # noqa: F405
                                       "OPTIONS": {**STORAGES["private"]["OPTIONS"], "location": PRIVATE_MEDIA_ROOT}}}  # noqa: F405
