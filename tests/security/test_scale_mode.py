"""deploy/scale_mode.py: the nginx configuration it writes and the worker commands (the stack itself runs in
bench/bench_eventday.py and bench/bench_faults.py)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def scale_mode():
    spec = importlib.util.spec_from_file_location("scale_mode_under_test", ROOT / "deploy" / "scale_mode.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_nginx_forwards_host_with_port_and_every_worker(tmp_path):
    # Django compares Origin with Host for CSRF: nginx on :8080 must pass "127.0.0.1:8080", not "127.0.0.1".
    conf = scale_mode().write_nginx_conf(tmp_path, [8101, 8102], "127.0.0.1", 8080, "/srv/static").read_text()
    assert "proxy_set_header Host $host;" not in conf
    assert conf.count("proxy_set_header Host $http_host;") == 2
    assert "server 127.0.0.1:8101 max_fails=0;" in conf and "server 127.0.0.1:8102 max_fails=0;" in conf
    assert "listen 127.0.0.1:8080;" in conf
    assert "proxy_set_header Upgrade $http_upgrade;" in conf


def test_worker_commands():
    module = scale_mode()
    daphne = module.worker_command("daphne", 8101)
    assert daphne[1:3] == ["-m", "daphne"] and "--proxy-headers" in daphne and "8101" in daphne
    uvicorn = module.worker_command("uvicorn", 8102)
    assert uvicorn[1:3] == ["-m", "uvicorn"] and "8102" in uvicorn
    with pytest.raises(SystemExit):
        module.worker_command("gunicorn", 8103)


def test_nginx_lets_idle_worker_connections_go_before_the_worker_does(tmp_path):
    module = scale_mode()
    conf = module.write_nginx_conf(tmp_path, [8101], "127.0.0.1", 8080, "/srv/static").read_text()
    upstream = conf[conf.index("upstream ketnoi {"):conf.index("map $http_upgrade")]
    assert f"keepalive_timeout {module.UPSTREAM_IDLE}s;" in upstream
    command = module.worker_command("uvicorn", 8101)
    worker_keepalive = int(command[command.index("--timeout-keep-alive") + 1])
    assert worker_keepalive > module.UPSTREAM_IDLE


def test_scale_env_defaults_keep_given_values():
    env = scale_mode().scale_env(base={"REDIS_URL": "redis://127.0.0.1:6399/7", "DJANGO_ALLOW_ASYNC_UNSAFE": "1"})
    assert env["REDIS_URL"] == "redis://127.0.0.1:6399/7"
    assert env["KETNOI_ENV"] == "production" and env["KETNOI_TASKS"] == "database"
    assert "DJANGO_ALLOW_ASYNC_UNSAFE" not in env


def test_nginx_serves_media_from_the_media_root_with_safe_headers(tmp_path):
    conf = scale_mode().write_nginx_conf(tmp_path, [8101], "127.0.0.1", 8080, "/srv/static", "/srv/media").read_text()
    block = conf[conf.index("location /media/ {"):conf.index("location /ws/")]
    assert "alias /srv/media/;" in block
    assert 'add_header X-Content-Type-Options "nosniff" always;' in block
    assert "sandbox" in block and "default_type application/octet-stream;" in block
    assert "types { image/jpeg jpg jpeg; image/png png; image/webp webp; image/gif gif; }" in block
    env = scale_mode().scale_env(base={"KETNOI_VAR_DIR": "/srv/ketnoi"})
    assert env["MEDIA_ROOT"] == "/srv/ketnoi/media"


# --- the real stack: nginx in front of a uvicorn worker (deploy/scale_mode.py), PostgreSQL, Redis -----------------

CHILD = """
import json, sys
import django
sys.path.insert(0, {root!r})
django.setup()
from django.test import Client
from eventsite.models import Event, EventRole
from tests.factories import EventFactory, UserFactory, user_with_role
event = EventFactory(slug="media-check", status=Event.Status.PUBLISHED)
cookies = {{}}
for who, user in (("exhibitor", UserFactory()), ("organizer", user_with_role(event, EventRole.Role.ORGANIZER))):
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(user)
    cookies[who] = client.cookies["sessionid"].value
print(json.dumps({{"slug": event.slug, "cookies": cookies}}))
"""


def _http(base: str, path: str, *, cookie: str = "", data: dict | None = None, files: dict | None = None):
    """One request to the stack (plain http.client, so that a path such as /media/../x is sent as written)."""
    import http.client
    import uuid
    from urllib.parse import urlencode, urlsplit

    headers = {"Host": urlsplit(base).netloc}
    if cookie:
        headers["Cookie"] = cookie
    body = None
    if files is not None:
        boundary = uuid.uuid4().hex
        parts = []
        for name, value in (data or {}).items():
            parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode())
        for name, (filename, content, content_type) in files.items():
            parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{filename}"\r\n'
                         f"Content-Type: {content_type}\r\n\r\n".encode() + content + b"\r\n")
        body = b"".join(parts) + f"--{boundary}--\r\n".encode()
        headers["Content-Type"] = f"multipart/form-data; boundary={boundary}"
    elif data is not None:
        body = urlencode(data).encode()
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    connection = http.client.HTTPConnection(urlsplit(base).hostname, urlsplit(base).port, timeout=60)
    connection.request("POST" if body is not None else "GET", path, body=body, headers=headers)
    response = connection.getresponse()
    result = response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
    connection.close()
    return result


def _csrf(base: str, path: str, session: str) -> tuple[str, str]:
    """(cookie header with session and CSRF cookie, the form's CSRF token) from a GET of the page."""
    import re

    status, headers, body = _http(base, path, cookie=f"sessionid={session}")
    assert status == 200, (path, status)
    cookie = re.search(r"csrftoken=([^;]+)", headers.get("set-cookie", "")).group(1)
    token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', body).group(1).decode()
    return f"sessionid={session}; csrftoken={cookie}", token


@pytest.mark.postgres
@pytest.mark.redis
def test_scale_mode_serves_uploaded_photos_through_nginx_and_never_runs_or_leaks_files(redis_url):
    import json
    import secrets
    import subprocess
    import sys

    from bench.scale_stack import PG, Stack, port_open
    from tests.services import missing
    from tests.uploads import png_bytes

    if not port_open(5432):
        missing("needs PostgreSQL at 127.0.0.1:5432 for the scale-mode stack")
    stack = Stack(pg_url=PG, database=f"ketnoi_storage_scale_{secrets.token_hex(3)}", redis_url=redis_url,
                  workers=1)
    media, private = stack.prefix / "media", stack.prefix / "private"
    stack.env.update(PRIVATE_MEDIA_ROOT=str(private), KETNOI_VAR_DIR=str(stack.prefix))
    stack.create_database()
    try:
        stack.start()
        seeded = subprocess.run([sys.executable, "-c", CHILD.format(root=str(ROOT))], cwd=ROOT, env=stack.env,
                                capture_output=True, text=True, timeout=600)
        assert seeded.returncode == 0, seeded.stderr[-3000:]
        seed = json.loads(seeded.stdout.strip().splitlines()[-1])
        base, slug = stack.base, seed["slug"]

        # An exhibitor applies and uploads a product photo through nginx → the worker.
        cookie, token = _csrf(base, f"/e/{slug}/booths/apply/", seed["cookies"]["exhibitor"])
        status, _, _ = _http(base, f"/e/{slug}/booths/apply/", cookie=cookie, data={
            "csrfmiddlewaretoken": token, "org_name": "HTX Mật ong U Minh", "org_kind": "cooperative",
            "tax_code": "1900123456", "province_code": "96", "contact_name": "Lê Thị Bé Tư",
            "contact_phone": "0290 3831 234", "contact_email": "betu@example.vn", "booths_wanted": "1"})
        assert status == 302
        photo = png_bytes((10, 120, 60))
        cookie, token = _csrf(base, f"/e/{slug}/booths/apply/product/", seed["cookies"]["exhibitor"])
        status, _, body = _http(base, f"/e/{slug}/booths/apply/product/", cookie=cookie, data={
            "csrfmiddlewaretoken": token, "name": "Mật ong rừng", "group": "food", "subgroup": "raw", "stars": "4",
            "certificate_number": "2025/OCOP-CM-001", "certifying_authority": "province",
            "certificate_issued_on": "2025-01-10", "certificate_expires_on": "2028-01-10"},
            files={"photo": ("mat-ong.png", photo, "image/png")})
        assert status == 302, body[:2000]
        [stored] = list(media.rglob("*.png"))
        status, headers, body = _http(base, f"/media/{stored.relative_to(media).as_posix()}")
        assert (status, body, headers["content-type"]) == (200, photo, "image/png")
        assert headers["x-content-type-options"] == "nosniff" and "sandbox" in headers["content-security-policy"]
        assert "content-disposition" not in headers

        # An .html or .svg under media (whatever put it there) is a download that cannot run script.
        (media / "products" / "page.html").write_text("<script>alert(document.cookie)</script>")
        (media / "products" / "logo.svg").write_text('<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>')
        for name in ("page.html", "logo.svg"):
            status, headers, _ = _http(base, f"/media/products/{name}")
            assert status == 200 and headers["content-type"] == "application/octet-stream", (name, headers)
            assert headers["content-disposition"] == "attachment"
            assert headers["x-content-type-options"] == "nosniff"
            assert "default-src 'none'" in headers["content-security-policy"]
            assert "sandbox" in headers["content-security-policy"]

        # Private files (here a report and a signed scan) are not under /media/, by any spelling of the path.
        (private / "reports").mkdir(parents=True, exist_ok=True)
        (private / "reports" / "event-1-report-1.pdf").write_bytes(b"%PDF-1.7 private report")
        (media / "products" / ".upload-x.part").write_bytes(b"half a photo")
        for path in ("/media/reports/event-1-report-1.pdf", "/media/../private/reports/event-1-report-1.pdf",
                     "/media/%2e%2e/private/reports/event-1-report-1.pdf", "/private/reports/event-1-report-1.pdf",
                     "/private-files-have-no-url/reports/event-1-report-1.pdf", "/media/products/.upload-x.part"):
            status, _, body = _http(base, path)
            assert status == 404, (path, status)
            assert b"private report" not in body and b"half a photo" not in body
    finally:
        stack.stop()
        stack.drop_database()


def test_scale_mode_starts_the_periodic_jobs_beside_the_worker(monkeypatch):
    monkeypatch.delenv("SITE_URL", raising=False)
    command = scale_mode().periodic_command(["python", "manage.py"], "127.0.0.1", 8080)
    assert command[2:4] == ["periodic", "--loop"]
    assert command[command.index("--site") + 1] == "http://127.0.0.1:8080"
