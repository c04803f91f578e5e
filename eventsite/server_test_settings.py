"""Settings for the ASGI server child process that browser and cross-process tests start.

The real settings, plus the test suite's fast MD5 hasher as an accepted scheme, so users made by the
factories can sign in through the real login page. Never used outside tests/asgi_server.py.
"""

from .settings import *  # noqa: F403
from .settings import PASSWORD_HASHERS as _DEFAULT_HASHERS

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    *[h for h in _DEFAULT_HASHERS if "PBKDF2PasswordHasher" not in h],
    "django.contrib.auth.hashers.MD5PasswordHasher",
]

MIDDLEWARE = ["eventsite.test_server_middleware.ForgetContentTypesMiddleware", *MIDDLEWARE]  # noqa: F405
