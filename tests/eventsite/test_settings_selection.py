"""Settings are chosen by environment variables; each case runs in a fresh interpreter."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from django.conf import settings

PROBE = (
    "import json; from eventsite import settings as s; "
    "print(json.dumps({'engine': s.DATABASES['default']['ENGINE'], "
    "'name': str(s.DATABASES['default']['NAME']), "
    "'options': {k: str(v) for k, v in s.DATABASES['default'].get('OPTIONS', {}).items()}, "
    "'layer': s.CHANNEL_LAYERS['default']['BACKEND'], 'cache': s.CACHES['default']['BACKEND'], "
    "'email': s.EMAIL_BACKEND, 'debug': s.DEBUG}))"
)


def probe(**env: str) -> dict:
    clean = {k: v for k, v in os.environ.items()
             if k not in {"DATABASE_URL", "REDIS_URL", "KETNOI_ENV", "EMAIL_FILE_PATH", "EMAIL_HOST",
                          "DJANGO_SETTINGS_MODULE"}}
    out = subprocess.run([sys.executable, "-c", PROBE], env={**clean, **env}, cwd=settings.BASE_DIR,
                         capture_output=True, text=True, check=True)
    return json.loads(out.stdout)


def test_settings_without_variables_embedded_default():
    s = probe()
    assert s["engine"] == "django.db.backends.sqlite3"
    assert s["options"]["transaction_mode"] == "IMMEDIATE"
    assert "journal_mode=WAL" in s["options"]["init_command"]
    assert "busy_timeout" in s["options"]["init_command"]
    assert s["layer"] == "channels.layers.InMemoryChannelLayer"
    assert s["cache"] == "django.core.cache.backends.locmem.LocMemCache"
    assert s["email"] == "django.core.mail.backends.console.EmailBackend"
    assert s["debug"] is True


def test_settings_database_url_selects_postgresql():
    s = probe(DATABASE_URL="postgres://postgres@127.0.0.1:5432/ketnoi")
    assert s["engine"] == "django.db.backends.postgresql"
    assert s["name"] == "ketnoi"
    assert s["layer"] == "channels.layers.InMemoryChannelLayer"


def test_settings_redis_url_selects_redis_layer_and_cache():
    s = probe(REDIS_URL="redis://127.0.0.1:6379/0")
    assert s["layer"] == "eventsite.channel_layer.HealingRedisChannelLayer"
    assert s["cache"] == "django.core.cache.backends.redis.RedisCache"
    assert s["engine"] == "django.db.backends.sqlite3"


def test_settings_production_requires_secret_key():
    clean = {k: v for k, v in os.environ.items() if k not in {"DJANGO_SECRET_KEY", "DJANGO_ALLOWED_HOSTS"}}
    result = subprocess.run([sys.executable, "-c", PROBE], env={**clean, "KETNOI_ENV": "production"},
                            cwd=settings.BASE_DIR, capture_output=True, text=True)
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY must be set" in result.stderr


def test_settings_production_check_deploy_clean():
    env = {
        **{k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"},
        "DJANGO_SETTINGS_MODULE": "eventsite.settings",
        "KETNOI_ENV": "production",
        "DJANGO_SECRET_KEY": "x7!Qp2#vL9@mZ4$kW8^tR1&yU6*oI3(eA5)sD0_fG-hJ+lK=cB|nM~",
        "DJANGO_ALLOWED_HOSTS": "ketnoi.example.vn",
        "KETNOI_BADGE_KEY_SECRET": "b4!dG3-kEy_0f-tH3-b4dG3s-n0t-tH3-s3cR3t-k3y-QwErTy",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        env=env, cwd=settings.BASE_DIR, capture_output=True, text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


@pytest.mark.parametrize("email_env,backend", [
    ({"EMAIL_FILE_PATH": "/tmp/ketnoi-mail"}, "django.core.mail.backends.filebased.EmailBackend"),
    ({"EMAIL_HOST": "smtp.example.vn"}, "django.core.mail.backends.smtp.EmailBackend"),
])
def test_settings_email_backend_by_env(email_env, backend):
    assert probe(**email_env)["email"] == backend


def test_settings_production_requires_badge_key_secret():
    clean = {k: v for k, v in os.environ.items() if k != "KETNOI_BADGE_KEY_SECRET"}
    env = {**clean, "KETNOI_ENV": "production", "DJANGO_SECRET_KEY": "p" * 50, "DJANGO_ALLOWED_HOSTS": "x.vn"}
    result = subprocess.run([sys.executable, "-c", PROBE], env=env, cwd=settings.BASE_DIR, capture_output=True,
                            text=True)
    assert result.returncode != 0
    assert "KETNOI_BADGE_KEY_SECRET must be set" in result.stderr
