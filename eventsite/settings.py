"""Kết Nối settings, chosen by environment variables.

No variables: the embedded default (SQLite in WAL mode with IMMEDIATE transactions,
in-memory channel layer, local-memory cache, console email) so one command runs it all.
``DATABASE_URL=postgres://…`` switches to PostgreSQL; ``REDIS_URL=redis://…`` switches
the channel layer and cache to Redis. ``KETNOI_ENV=production`` turns DEBUG off and
requires ``DJANGO_SECRET_KEY``, ``DJANGO_ALLOWED_HOSTS`` and ``KETNOI_BADGE_KEY_SECRET``.
"""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from .db import grow_pool_again
from .storage_config import StorageConfigError, file_storages

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("KETNOI_VAR_DIR", BASE_DIR / "var"))

ENV = os.environ.get("KETNOI_ENV", "development")
PRODUCTION = ENV == "production"
DEBUG = not PRODUCTION and os.environ.get("DJANGO_DEBUG", "1") == "1"

if PRODUCTION:
    try:
        SECRET_KEY = os.environ["DJANGO_SECRET_KEY"]
        ALLOWED_HOSTS = [h.strip() for h in os.environ["DJANGO_ALLOWED_HOSTS"].split(",") if h.strip()]
    except KeyError as missing:
        raise ImproperlyConfigured(f"{missing.args[0]} must be set when KETNOI_ENV=production") from None
else:
    SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "dev-only-not-secret-ket-noi-0123456789abcdefghijklmnop")
    ALLOWED_HOSTS = [h for h in os.environ.get("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]").split(",") if h]

# Badge signing keys (registration/services/tokens.py) are encrypted with their own secret, so rotating SECRET_KEY
# never stops badges. Rotate it like SECRET_KEY: put the old value first in KETNOI_BADGE_KEY_FALLBACKS
# (comma-separated), set the new one, run `manage.py rekey_badge_keys`, then drop the old value.
KETNOI_BADGE_KEY_FALLBACKS = [k.strip() for k in os.environ.get("KETNOI_BADGE_KEY_FALLBACKS", "").split(",")
                              if k.strip()]
if PRODUCTION:
    try:
        KETNOI_BADGE_KEY_SECRET = os.environ["KETNOI_BADGE_KEY_SECRET"]
    except KeyError:
        raise ImproperlyConfigured("KETNOI_BADGE_KEY_SECRET must be set when KETNOI_ENV=production") from None
else:  # development only: derived from SECRET_KEY (tokens.py runs every secret through HKDF)
    KETNOI_BADGE_KEY_SECRET = os.environ.get("KETNOI_BADGE_KEY_SECRET", SECRET_KEY)

CSRF_TRUSTED_ORIGINS = [o for o in os.environ.get("DJANGO_CSRF_TRUSTED_ORIGINS", "").split(",") if o]
# Mixed into the offline check-in desk's release id (a hash of its cached files): a deploy may set it to make every
# desk replace its cached copy even when no desk file changed.
DESK_RELEASE_SALT = os.environ.get("KETNOI_DESK_RELEASE", "")

INSTALLED_APPS = [
    "daphne",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "csp",
    "channels",
    "django_tasks",
    "django_tasks_db",
    "rules.apps.AutodiscoverRulesConfig",  # imports each app's rules.py (permissions as predicates)
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "eventsite",
    "catalog",
    "booths",
    "registration",
    "checkin",
    "agenda",
    "agreements",
    "matchmaking",
    "reporting",
    "leads",
    "demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "eventsite.middleware.VietnameseFirstLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "eventsite.ratelimit.UploadRateLimitMiddleware",  # the one place uploads are limited (after CSRF and login)
    "eventsite.middleware.ClearSiteDataOnLogoutMiddleware",
    "eventsite.middleware.DatabaseUnavailableMiddleware",
    "eventsite.storage.StorageErrorMiddleware",
]

ROOT_URLCONF = "eventsite.urls"
ASGI_APPLICATION = "eventsite.asgi.application"
WSGI_APPLICATION = "eventsite.wsgi.application"
AUTH_USER_MODEL = "eventsite.User"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "eventsite.context_processors.site",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------
SQLITE_PATH = Path(os.environ.get("SQLITE_PATH", VAR_DIR / "ketnoi.sqlite3"))
if os.environ.get("DATABASE_URL"):
    DATABASES = {"default": dj_database_url.parse(os.environ["DATABASE_URL"], conn_max_age=0)}
    if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
        DATABASES["default"].setdefault("OPTIONS", {})
        DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
        # Server-side binding lets psycopg prepare a statement a connection has run prepare_threshold times, so
        # the hot paths (booking, check-in) are planned once per pooled connection instead of at every call.
        # DB_PREPARED_STATEMENTS=0 turns both off, for a connection pooler in transaction mode that cannot keep
        # prepared statements.
        if os.environ.get("DB_PREPARED_STATEMENTS", "1") != "0":
            DATABASES["default"]["OPTIONS"].setdefault("server_side_binding", True)
            DATABASES["default"]["OPTIONS"].setdefault("prepare_threshold", 5)
        # A pool per process (psycopg_pool): a request borrows a connection and gives it back, instead of opening
        # one (a new server process on PostgreSQL's side) per request, and the connection keeps what it has
        # prepared. It also caps each process at DB_POOL_MAX connections, so a rush of requests waits here
        # rather than running the server out of its (default 100) connections. DB_POOL_MAX=0: no pool.
        pool_max = int(os.environ.get("DB_POOL_MAX", "10"))
        if pool_max > 0:
            DATABASES["default"]["OPTIONS"].setdefault("pool", {
                "min_size": int(os.environ.get("DB_POOL_MIN", "2")),
                "max_size": pool_max,
                "timeout": float(os.environ.get("DB_POOL_TIMEOUT", "5")),
                # After a PostgreSQL restart, reconnect within about a second however long the outage lasted: a
                # failed connection attempt gives up after 2 s (not the default 300 s of growing backoff) and
                # starts again at once (eventsite.db.grow_pool_again; bench faults, drill c).
                "reconnect_timeout": float(os.environ.get("DB_POOL_RECONNECT_TIMEOUT", "2")),
                "reconnect_failed": grow_pool_again,
            })
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": SQLITE_PATH,
            "OPTIONS": {
                # IMMEDIATE takes the write lock at BEGIN, so two writers queue instead of
                # failing with "database is locked" half-way through a transaction.
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
                "init_command": (
                    "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
                    "PRAGMA busy_timeout=20000; PRAGMA foreign_keys=ON;"
                ),
            },
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Channels and cache ------------------------------------------------------------
REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "eventsite.channel_layer.HealingRedisChannelLayer",  # receive survives Redis restarts
            "CONFIG": {
                # channels-redis blocks up to 5 s waiting for messages; redis-py 8's default 5 s socket
                # timeout would cut that wait and drop idle websockets (channels_redis issue #422).
                # redis-py 8's async pool refuses a 101st connection (MaxConnectionsError) instead of waiting: 500
                # websockets closing or reconnecting at once (a worker restart) each need one for group_discard /
                # group_add (bench/bench_eventday.py logged ~1,500 such errors per run at 100).
                "hosts": [{"address": REDIS_URL, "socket_timeout": 30, "socket_connect_timeout": 5,
                           "max_connections": int(os.environ.get("KETNOI_REDIS_MAX_CONNECTIONS", "1000"))}],
                "prefix": os.environ.get("KETNOI_CHANNEL_PREFIX", "ketnoi"),
            },
        }
    }
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": os.environ.get("KETNOI_CHANNEL_PREFIX", "ketnoi"),
        }
    }
else:
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Live pages: every websocket sends the current version this often and re-checks the session and roles
# (eventsite/consumers.py); a page whose heartbeat is late says "reconnecting" and opens a new socket.
LIVE_HEARTBEAT_SECONDS = float(os.environ.get("KETNOI_LIVE_HEARTBEAT_SECONDS", "5"))

# --- Background tasks (django-tasks; docs/architecture-tasks.md) -----------------------
# KETNOI_TASKS=thread (default): a daemon thread of the web process runs each task after commit, no worker.
# KETNOI_TASKS=database (scale mode): tasks are rows written in the caller's transaction; `manage.py db_worker`
# runs them.
KETNOI_TASKS = os.environ.get("KETNOI_TASKS", "thread")
if KETNOI_TASKS == "database":
    TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
elif KETNOI_TASKS == "thread":
    TASKS = {"default": {"BACKEND": "eventsite.task_backends.ThreadBackend", "QUEUES": ["default"]}}
else:
    raise ImproperlyConfigured(f"KETNOI_TASKS must be 'thread' or 'database', not {KETNOI_TASKS!r}")
# A running background job renews a lease on its row as it makes progress; one silent for longer lost its worker
# (killed, out of memory) and is failed visibly instead of showing "running" forever (registration/services/jobs.py).
KETNOI_JOB_LEASE_SECONDS = float(os.environ.get("KETNOI_JOB_LEASE_SECONDS", "120"))

# --- Rate limits (eventsite/ratelimit.py; defaults there) ------------------------------
# KETNOI_RATE_LIMITS="checkin_api=50/s,registration=60/m,upload=30/m" overrides them.
KETNOI_RATE_LIMITS = dict(
    item.strip().split("=", 1) for item in os.environ.get("KETNOI_RATE_LIMITS", "").split(",") if "=" in item
)

# --- Accounts (django-allauth) --------------------------------------------------------
AUTHENTICATION_BACKENDS = [
    "rules.permissions.ObjectPermissionBackend",
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
ACCOUNT_ADAPTER = "eventsite.adapter.AccountAdapter"
ACCOUNT_SIGNUP_FORM_CLASS = "eventsite.forms.SignupExtraForm"
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[Kết Nối] "
ACCOUNT_RATE_LIMITS = {
    "login": "30/m/ip",
    "login_failed": "10/m/ip,5/5m/key",
    "signup": "20/m/ip",
    "confirm_email": "1/3m/key",
    "reset_password": "20/m/ip,5/m/key",
}
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "Kết Nối"
LOGIN_REDIRECT_URL = "/"
LOGIN_URL = "account_login"

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.BCryptSHA256PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# --- Email ----------------------------------------------------------------------------
# Scheme and host of links in emails sent by background jobs (no request to take them from).
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000").rstrip("/")
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Kết Nối <no-reply@ketnoi.local>")
if os.environ.get("EMAIL_FILE_PATH"):
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = os.environ["EMAIL_FILE_PATH"]
elif os.environ.get("EMAIL_HOST"):
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_HOST = os.environ["EMAIL_HOST"]
    EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "587"))
    EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
    EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
    EMAIL_USE_TLS = os.environ.get("EMAIL_USE_TLS", "1") == "1"
else:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"

# --- Language, time, formats ----------------------------------------------------------
LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", _("Vietnamese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale", BASE_DIR / "locale_vendor"]
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_I18N = True
USE_TZ = True
FORMAT_MODULE_PATH = ["eventsite.formats"]
LANGUAGE_COOKIE_NAME = "ketnoi_language"
LANGUAGE_COOKIE_SAMESITE = "Lax"

# --- Static and media -------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))
NODE_MODULES = BASE_DIR / "node_modules"
STATICFILES_DIRS = [
    BASE_DIR / "static",
    ("vendor/htmx", NODE_MODULES / "htmx.org" / "dist"),
    ("vendor/htmx-ext-ws", NODE_MODULES / "htmx-ext-ws" / "dist"),
    ("vendor/pico", NODE_MODULES / "@picocss" / "pico" / "css"),
    ("vendor/be-vietnam-pro", NODE_MODULES / "@fontsource" / "be-vietnam-pro"),
    ("vendor/jsqr", NODE_MODULES / "jsqr" / "dist"),
    ("vendor/axe-core", NODE_MODULES / "axe-core"),
]
# --- Stored files (eventsite/storage.py; README "Configuration") -------------------------------------------------
# Two aliases: "default" holds public media (product and speaker photos), "private" holds generated reports, import
# files, signed agreement scans and badge sheets, which have no public URL and are served only by views that check
# the caller's role. Without KETNOI_S3_BUCKET both are folders on this machine (MEDIA_ROOT, PRIVATE_MEDIA_ROOT; in
# scale mode nginx serves MEDIA_ROOT at /media/). With it, both live in an S3-compatible object store, so every
# machine of a multi-machine deployment sees every upload.
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", VAR_DIR / "media"))
PRIVATE_MEDIA_ROOT = Path(os.environ.get("PRIVATE_MEDIA_ROOT", VAR_DIR / "private"))
try:
    _file_storages, MEDIA_ORIGIN = file_storages(os.environ, private_root=PRIVATE_MEDIA_ROOT)
except StorageConfigError as error:
    raise ImproperlyConfigured(str(error)) from None
STORAGES = {
    **_file_storages,
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = not PRODUCTION
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024

# --- Security ------------------------------------------------------------------------------
# No inline scripts anywhere (page code lives in static files); inline style attributes are allowed
# because SVG plans and HTMX's indicator styles use them.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:", "blob:", *([MEDIA_ORIGIN] if MEDIA_ORIGIN else [])],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "media-src": ["'self'", "blob:"],
        "worker-src": ["'self'", "blob:"],
        "manifest-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
    }
}
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False  # HTMX reads the token from the page, not the cookie
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if PRODUCTION:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = os.environ.get("DJANGO_SECURE_SSL_REDIRECT", "1") == "1"
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    LANGUAGE_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = int(os.environ.get("DJANGO_HSTS_SECONDS", str(60 * 60 * 24 * 365)))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}

# --- The official report's PDF font (reporting/pdf_report.py) --------------------------------------------------------
# Liberation Serif from Debian's fonts-liberation2 (metric-compatible with Times New Roman, which the decree asks for
# and which cannot be installed here); `make setup` installs it.
OFFICIAL_REPORT_FONT_DIR = Path(os.environ.get("OFFICIAL_REPORT_FONT_DIR", "/usr/share/fonts/truetype/liberation2"))
