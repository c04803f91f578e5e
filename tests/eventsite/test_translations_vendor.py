"""Vietnamese for django-allauth's own strings (locale_vendor/), which allauth does not ship.

The scope is computed from allauth's English catalog at test time, so upgrading allauth makes
these tests name every new or changed string that still needs Vietnamese.
"""

from __future__ import annotations

import importlib.util
import re
import shutil
from collections import Counter
from pathlib import Path

import allauth
import polib
import pytest
from django.conf import settings
from django.core import mail
from django.core.management import call_command
from django.utils.translation import reloader

from tests.factories import UserFactory

ALLAUTH_EN = Path(allauth.__file__).parent / "locale" / "en" / "LC_MESSAGES" / "django.po"
VENDOR_VI = Path(settings.BASE_DIR) / "locale_vendor" / "vi" / "LC_MESSAGES" / "django.po"
OUT_OF_SCOPE = ("socialaccount/", "headless/", "idp/")  # features Kết Nối does not install
PLACEHOLDER = re.compile(r"%\([^)]+\)[sdif]|%[sdif]|\{[A-Za-z_]\w*\}")
HTML_TAG = re.compile(r"<[^>]+>")
# Same in Vietnamese: a standard's name, and "Email" as Vietnamese officials write it.
KEPT_AS_IS = {"Email", "WebAuthn"}
SIGNUP = {
    "full_name": "Trần Thị Bưởi",
    "email": "buoi@htx-damdoi.vn",
    "password1": "Dam-Doi-2026-ocop!",
    "password2": "Dam-Doi-2026-ocop!",
}


@pytest.fixture(scope="session", autouse=True)
def compiled_catalogs():
    """Compile every catalog (polib), then drop translations a previous test may have cached without them."""
    call_command("compiletranslations", verbosity=0)
    reloader.translation_file_changed(sender=None, file_path=VENDOR_VI.with_suffix(".mo"))


def in_scope(entry: polib.POEntry) -> bool:
    """Used by allauth.account, mfa, usersessions, the allauth layouts/elements or allauth core."""
    return any(not path.startswith(OUT_OF_SCOPE) for path, _line in entry.occurrences)


def key(entry: polib.POEntry) -> tuple[str | None, str]:
    return entry.msgctxt, entry.msgid


def placeholders(text: str) -> Counter:
    return Counter(PLACEHOLDER.findall(text))


def tags(text: str) -> Counter:
    return Counter(HTML_TAG.findall(text))


def test_vendor_catalog_header_declares_vietnamese_single_plural_form():
    catalog = polib.pofile(str(VENDOR_VI))
    assert catalog.metadata["Language"] == "vi"
    assert catalog.metadata["Plural-Forms"] == "nplurals=1; plural=0;"
    assert "charset=UTF-8" in catalog.metadata["Content-Type"]


def test_every_allauth_string_in_scope_has_a_vietnamese_translation_with_same_placeholders():
    wanted = [e for e in polib.pofile(str(ALLAUTH_EN)) if not e.obsolete and in_scope(e)]
    assert len(wanted) > 250, "allauth's catalog looks truncated"
    have = {key(e): e for e in polib.pofile(str(VENDOR_VI)) if not e.obsolete}
    problems = []
    for en in wanted:
        vi = have.get(key(en))
        label = f"{en.msgctxt + ' | ' if en.msgctxt else ''}{en.msgid!r}"
        if vi is None:
            problems.append(f"missing: {label}")
            continue
        if vi.fuzzy:
            problems.append(f"fuzzy: {label}")
        if en.msgid_plural:
            if vi.msgid_plural != en.msgid_plural or set(vi.msgstr_plural) != {0}:
                problems.append(f"plural must have exactly msgstr[0] (nplurals=1): {label}")
                continue
            translations = [vi.msgstr_plural[0]]
            sources = [en.msgid, en.msgid_plural]
        else:
            translations, sources = [vi.msgstr], [en.msgid]
        for text in translations:
            if not text.strip():
                problems.append(f"empty: {label}")
            elif text.strip() == en.msgid.strip() and any(c.isalpha() for c in text) and text not in KEPT_AS_IS:
                problems.append(f"left in English: {label}")
            if not any(placeholders(text) == placeholders(src) for src in sources):
                problems.append(f"placeholders {dict(placeholders(text))} != "
                                f"{dict(placeholders(sources[-1]))}: {label}")
            if not any(tags(text) == tags(src) for src in sources):
                problems.append(f"HTML {dict(tags(text))} != {dict(tags(sources[-1]))}: {label}")
    assert not problems, f"{len(problems)} allauth strings lack proper Vietnamese:\n" + "\n".join(problems)



def test_vendor_catalog_does_not_silently_override_the_projects_own_translations():
    """LOCALE_PATHS outrank app catalogs: an app msgid equal to an allauth one must read the same."""
    vendor = {key(e): e.msgstr for e in polib.pofile(str(VENDOR_VI)) if e.msgstr}
    root = Path(settings.BASE_DIR)
    ours = sorted(p for p in root.glob("*/locale/vi/LC_MESSAGES/django.po") if "locale_vendor" not in p.parts)
    ours.append(root / "locale" / "vi" / "LC_MESSAGES" / "django.po")
    clashes = [
        f"{path.relative_to(root)}: {entry.msgid!r} is {entry.msgstr!r} there, "
        f"{vendor[key(entry)]!r} in locale_vendor"
        for path in ours if path.exists()
        for entry in polib.pofile(str(path))
        if entry.msgstr and key(entry) in vendor and vendor[key(entry)] != entry.msgstr
    ]
    assert not clashes, "use pgettext in the app, or align the wording:\n" + "\n".join(clashes)


def element_text(html: str, tag: str) -> str:
    match = re.search(rf"<{tag}[^>]*>(.*?)</{tag}>", html, re.S)
    assert match, f"page has no <{tag}>"
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", match.group(1))).strip()


def h1(html: str) -> str:
    return element_text(html, "h1")


def title(html: str) -> str:
    return element_text(html, "title")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("url", "heading", "english"),
    [
        ("/accounts/login/", "Đăng nhập", ["Sign In", "Remember Me", "Forgot your password?", "sign up"]),
        ("/accounts/signup/", "Tạo tài khoản", ["Sign Up", "Already have an account", "Password (again)"]),
        ("/accounts/password/reset/", "Đặt lại mật khẩu",
         ["Password Reset", "Reset My Password", "Forgotten your password?"]),
    ],
)
def test_allauth_pages_render_in_vietnamese_by_default(client, url, heading, english):
    response = client.get(url)
    assert response.status_code == 200
    html = response.content.decode()
    assert h1(html) == heading
    assert title(html) == f"{heading} · Kết Nối"
    for text in english:
        assert text not in html, f"{url} still shows English {text!r}"


@pytest.mark.django_db
def test_login_page_form_labels_and_errors_are_vietnamese(client):
    html = client.get("/accounts/login/").content.decode()
    assert "Quên mật khẩu?" in html
    assert "Ghi nhớ đăng nhập" in html
    response = client.post("/accounts/login/", {"login": "khong-co@example.vn", "password": "sai-mat-khau"})
    assert response.status_code == 200
    assert "Địa chỉ email hoặc mật khẩu không đúng." in response.content.decode()


@pytest.mark.django_db
def test_english_visitors_still_get_allauths_english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = client.get("/accounts/login/").content.decode()
    assert h1(html) == "Sign In"
    assert "Đăng nhập" not in html.split("<main", 1)[1]


@pytest.mark.django_db
def test_signup_sends_the_verification_email_in_vietnamese(client):
    response = client.post("/accounts/signup/", SIGNUP)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [SIGNUP["email"]]
    assert message.subject == "[Kết Nối] Vui lòng xác nhận địa chỉ email"
    body = message.body
    assert "Kính gửi Quý vị, đây là thư từ" in body
    assert "Quý vị nhận được thư này vì người dùng" in body
    assert "/accounts/confirm-email/" in body
    assert "Trân trọng cảm ơn Quý vị đã sử dụng" in body
    for english in ("Hello from", "You're receiving", "To confirm this is correct", "Thank you for using"):
        assert english not in body

    # The flash message on the next page is Vietnamese too.
    page = client.get(response["Location"]).content.decode()
    assert f"Đã gửi email xác nhận đến {SIGNUP['email']}." in page
    assert "Xác nhận địa chỉ email" in page


@pytest.mark.django_db
def test_signup_password_rules_and_errors_are_vietnamese(client):
    """Django's own vi catalog is out of date for "too short": locale_vendor supplies it."""
    help_html = client.get("/accounts/signup/").content.decode()
    assert "Mật khẩu phải có ít nhất 8 ký tự." in help_html
    response = client.post("/accounts/signup/", {**SIGNUP, "password1": "1234", "password2": "1234"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Mật khẩu quá ngắn. Mật khẩu phải có ít nhất 8 ký tự." in html
    assert "Mật khẩu này chỉ gồm chữ số." in html
    assert "too short" not in html
    assert not mail.outbox


@pytest.mark.django_db
def test_password_reset_email_is_vietnamese(client):
    user = UserFactory(email="lan@socongthuong.camau.gov.vn")
    response = client.post("/accounts/password/reset/", {"email": user.email})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.subject == "[Kết Nối] Thư đặt lại mật khẩu"
    assert "nhận được yêu cầu đặt lại mật khẩu cho tài khoản của Quý vị" in message.body
    assert "/accounts/password/reset/key/" in message.body
    assert "password reset" not in message.body.lower()


def load_sync_script():
    spec = importlib.util.spec_from_file_location("sync_allauth", VENDOR_VI.parents[2] / "sync_allauth.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_sync_script_adds_new_allauth_strings_and_retires_dropped_ones(tmp_path):
    sync = load_sync_script().sync
    copy = tmp_path / "django.po"
    shutil.copy(VENDOR_VI, copy)
    assert sync(copy, ALLAUTH_EN) == (0, 0)
    assert copy.read_bytes() == VENDOR_VI.read_bytes()

    catalog = polib.pofile(str(copy))
    catalog.remove(next(e for e in catalog if e.msgid == "Sign In"))
    catalog.append(polib.POEntry(msgid="A string allauth no longer has", msgstr="Chuỗi cũ",
                                 occurrences=[("account/views.py", "1")]))
    catalog.save(str(copy))
    assert sync(copy, ALLAUTH_EN) == (1, 1)
    synced = polib.pofile(str(copy))
    sign_in = next(e for e in synced if e.msgid == "Sign In")
    assert sign_in.msgstr == "" and sign_in.occurrences
    assert next(e for e in synced if e.msgid == "A string allauth no longer has").obsolete
    assert next(e for e in synced if e.msgid == "This password is too common.").msgstr  # Django's stay
