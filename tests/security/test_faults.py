"""Failures at the edge: a database that is down answers 503 (not 500); admin login goes through allauth."""

from __future__ import annotations

import urllib.error
import urllib.request

import pytest

from tests.asgi_server import asgi_server


@pytest.mark.django_db
def test_admin_login_uses_the_protected_allauth_login(client):
    response = client.get("/admin/login/?next=/admin/")
    assert response.status_code == 302
    assert response.url.startswith("/accounts/login/")


def _get(url: str, accept: str = "text/html"):
    request = urllib.request.Request(url, headers={"Accept": accept})
    try:
        with urllib.request.urlopen(request, timeout=60) as response:  # a ceiling for a loaded CI machine
            return response.status, dict(response.headers), response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read().decode()


@pytest.mark.django_db
def test_database_down_gives_503_with_retry_after():
    # A real server process whose database does not answer (nothing listens on port 1).
    with asgi_server({"DATABASE_URL": "postgres://postgres@127.0.0.1:1/ketnoi"}) as server:
        status, headers, body = _get(server.url + "/")
        assert status == 503
        assert headers["Retry-After"] == "5"
        assert "Tạm thời gián đoạn" in body
        status, _, body = _get(server.url + "/e/ca-mau-2026/", accept="application/json")
        assert status == 503
        assert '"service_unavailable"' in body
