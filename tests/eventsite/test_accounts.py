"""Accounts: email sign-up with mandatory verification, login, TOTP for organizers, rate limits."""

from __future__ import annotations

import re

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import SECRET_SESSION_KEY, format_hotp_value, hotp_value
from django.core import mail
from django.core.cache import cache
from django.test import override_settings

from eventsite import settings as real_settings
from eventsite.models import EventRole, User
from tests.factories import PASSWORD, EventFactory, user_with_role

pytestmark = pytest.mark.django_db


def current_totp(secret: str) -> str:
    import time

    return format_hotp_value(hotp_value(secret, int(time.time()) // 30))


def test_signup_requires_email_verification_before_login(client):
    response = client.post("/accounts/signup/", {
        "email": "mua@coopmart.vn", "full_name": "Trần Thị Minh Thư",
        "password1": "Saigon-Coop-2026!", "password2": "Saigon-Coop-2026!",
    })
    assert response.status_code == 302
    assert response.url == "/accounts/confirm-email/"
    user = User.objects.get(email="mua@coopmart.vn")
    assert user.full_name == "Trần Thị Minh Thư"
    assert len(mail.outbox) == 1
    assert "confirm-email" in mail.outbox[0].body

    client.logout()
    response = client.post("/accounts/login/", {"login": "mua@coopmart.vn", "password": "Saigon-Coop-2026!"})
    assert response.status_code == 302
    assert response.url == "/accounts/confirm-email/"  # not logged in until verified
    assert "_auth_user_id" not in client.session

    key = re.search(r"/accounts/confirm-email/([^/\s]+)/", mail.outbox[-1].body).group(1)
    client.post(f"/accounts/confirm-email/{key}/")
    assert user.emailaddress_set.get().verified
    response = client.post("/accounts/login/", {"login": "mua@coopmart.vn", "password": "Saigon-Coop-2026!"})
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(user.pk)


def test_login_wrong_password_gives_form_error(client):
    user = user_with_role(EventFactory(), EventRole.Role.BUYER)
    response = client.post("/accounts/login/", {"login": user.email, "password": "sai-mat-khau"})
    assert response.status_code == 200
    assert response.context["form"].errors
    assert "_auth_user_id" not in client.session


def test_password_reset_sends_email(client):
    user = user_with_role(EventFactory(), EventRole.Role.BUYER)
    response = client.post("/accounts/password/reset/", {"email": user.email})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    assert "/accounts/password/reset/key/" in mail.outbox[0].body


def test_organizer_turns_on_totp_then_login_asks_for_code(client):
    organizer = user_with_role(EventFactory(), EventRole.Role.ORGANIZER)
    response = client.post("/accounts/login/", {"login": organizer.email, "password": PASSWORD})
    assert response.status_code == 302
    response = client.get("/accounts/2fa/totp/activate/")
    if response.status_code == 302:  # allauth asks for the password again before security changes
        assert response.url.startswith("/accounts/reauthenticate/")
        client.post(response.url, {"password": PASSWORD})
        response = client.get("/accounts/2fa/totp/activate/")
    assert response.status_code == 200
    secret = client.session[SECRET_SESSION_KEY]
    response = client.post("/accounts/2fa/totp/activate/", {"code": current_totp(secret)})
    assert response.status_code == 302
    assert Authenticator.objects.filter(user=organizer, type=Authenticator.Type.TOTP).exists()

    client.logout()
    response = client.post("/accounts/login/", {"login": organizer.email, "password": PASSWORD})
    assert response.url == "/accounts/2fa/authenticate/"
    assert "_auth_user_id" not in client.session
    response = client.post("/accounts/2fa/authenticate/", {"code": "000000"})
    assert "_auth_user_id" not in client.session
    client.post("/accounts/2fa/authenticate/", {"code": current_totp(secret)})
    assert client.session["_auth_user_id"] == str(organizer.pk)


def test_rate_limits_are_on_in_real_settings():
    assert real_settings.ACCOUNT_RATE_LIMITS["login_failed"]
    assert real_settings.ACCOUNT_RATE_LIMITS["signup"]


@override_settings(ACCOUNT_RATE_LIMITS={"login_failed": "3/m/ip"})
def test_rate_limit_blocks_repeated_failed_logins(client):
    cache.clear()
    user = user_with_role(EventFactory(), EventRole.Role.BUYER)
    responses = [client.post("/accounts/login/", {"login": user.email, "password": "sai"}) for _ in range(4)]
    codes = [e.code for e in responses[-1].context["form"].non_field_errors().as_data()]
    assert codes == ["too_many_login_attempts"]
    # Even the right password is refused while the limit holds.
    response = client.post("/accounts/login/", {"login": user.email, "password": PASSWORD})
    assert "_auth_user_id" not in client.session
    assert response.status_code == 200
    cache.clear()


def test_account_emails_name_the_service(client):
    client.post("/accounts/signup/", {
        "email": "ban@bachhoaxanh.vn", "full_name": "Lê Hoàng Phúc",
        "password1": "Mekong-Delta-2026!", "password2": "Mekong-Delta-2026!",
    })
    body = mail.outbox[-1].body
    assert "Kết Nối" in body
    assert "testserver" in body  # the link still points at the host the visitor used


def test_account_pages_keep_the_account_menu(client):
    user = user_with_role(EventFactory(), EventRole.Role.BUYER)
    client.force_login(user)
    page = client.get("/accounts/email/").content.decode()
    assert 'class="account-nav"' in page
    assert 'class="account-card"' in page
