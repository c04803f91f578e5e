"""Every URL pattern of the site × every role, the ones test_permission_matrix.py leaves out.

test_permission_matrix.py walks event pages whose only parameter is the event. This file walks the rest:
- event pages with more parameters (an object id, a booth code, an action): each parameter is filled with a value
  that names nothing, so the page's role check is what answers. A caller without the role gets 403 (or the login
  page) before any object is looked up, so a guessed id never tells an outsider whether it exists; a caller with
  the role gets "not found" or a validation answer, never a refusal or a 500;
- every page outside an event (home, catalog, accounts, the scanner API, the Django admin), each with the
  reason written in NON_EVENT below. A new route without an entry fails ``test_every_route_is_in_the_matrix``.

The same table, with the reasoning per role, is in docs/security.md.
"""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import get_resolver

from eventsite.models import EventRole
from tests.factories import EventFactory, UserFactory, user_with_role
from tests.security.test_permission_matrix import walk

Role = EventRole.Role
ROLES = ["anonymous", Role.BUYER, Role.EXHIBITOR, Role.SPEAKER, Role.DESK_STAFF, Role.ORGANIZER, "other_organizer",
         "operator"]
EVENT = "e/<slug:event_slug>/"


ALL = sorted(walk(get_resolver().url_patterns), key=lambda rp: rp[0])

# Pages outside an event: who may open them and why.
PUBLIC, SIGNED_IN, DEVICE, OPERATOR, ALLAUTH, DEV_ONLY = "public", "signed in", "device", "operator", "allauth", "dev"
PLATFORM, TOKEN = "platform operator", "token"
NON_EVENT = {
    "": (PUBLIC, "the list of published events"),
    "i18n/setlang/": (PUBLIC, "language switch (Django's set_language)"),
    "catalog/": (PUBLIC, "approved OCOP products of published events"),
    "catalog/products/<id:product_id>/": (PUBLIC, "one approved product; unapproved ones answer 404"),
    "catalog/producers/<id:organization_id>/": (PUBLIC, "one producer with approved products"),
    "agreements/overview/": (PUBLIC, "counts of verified agreements across published events, never values"),
    "events/new/": (SIGNED_IN, "the event wizard: organizers of a department create its events; others get 403"),
    "invitations/<str:token>/": (TOKEN, "an invitation link: the token is the credential, single-use and expiring"),
    "operator/": (PLATFORM, "the platform operator's page in the app (superusers): departments, first organizers"),
    "operator/events/<id:event_id>/template/": (PLATFORM, "the operator marks an event as a template to copy"),
    "operator/invitations/<id:invitation_id>/<str:action>/": (PLATFORM, "the operator resends or revokes"),
    "^media/(?P<path>.*)$": (DEV_ONLY, "public uploads in development only (DEBUG); nginx serves them in scale mode"),
}
PREFIXES = {
    "admin/": (OPERATOR, "the Django admin: platform operators (staff) only; everyone else is sent to log in"),
    "accounts/": (ALLAUTH, "sign-in, sign-up, e-mail, password and two-factor pages of django-allauth"),
    "api/checkin/v1/": (DEVICE, "the scanner devices' API: a device token, never a browser session"),
}
# Event routes whose parameters are not ids or codes: a token in the URL is the credential.
TOKEN_ROUTES = {
    EVENT + "agenda/feed/<str:token>.ics": "a personal calendar feed: the token is the credential (404 when wrong)",
}


def kind_of(route: str) -> tuple[str, str] | None:
    if route in NON_EVENT:
        return NON_EVENT[route]
    for prefix, entry in PREFIXES.items():
        if route.startswith(prefix):
            return entry
    return None


def test_every_route_is_in_the_matrix():
    missing = []
    for route, pattern in ALL:
        if route.startswith(EVENT):
            if route not in TOKEN_ROUTES and not hasattr(pattern.callback, "required_roles"):
                missing.append(route)
        elif kind_of(route) is None:
            missing.append(route)
    assert not missing, f"routes with no entry in the permission matrix (who may open them, and why?): {missing}"


FILL = {"id": "987654321", "int": "987654321", "slug": "khong-co", "str": "khong-co", "path": "khong-co",
        "uuid": "00000000-0000-0000-0000-000000000000"}


def concrete(route: str, slug: str) -> str:
    route = route.replace("<slug:event_slug>", slug)
    return "/" + re.sub(r"<(?:(\w+):)?\w+>", lambda m: FILL.get(m.group(1) or "str", "khong-co"), route)


def sign_in(client, who: str, event) -> None:
    if who == "anonymous":
        return
    if who == "operator":
        client.force_login(UserFactory(is_staff=True, is_superuser=True))
    elif who == "other_organizer":
        client.force_login(user_with_role(EventFactory(slug="khac"), Role.ORGANIZER))
    else:
        client.force_login(user_with_role(event, who))


def ask(client, url: str):
    response = client.get(url)
    if response.status_code == 405:  # a POST-only action: ask it the way a form would (empty body)
        response = client.post(url)
    return response


EVENT_ROUTES = [(r, p) for r, p in ALL if r.startswith(EVENT) and (r.count("<") > 1 or r in TOKEN_ROUTES)]


@pytest.mark.django_db
@pytest.mark.parametrize("route,pattern", EVENT_ROUTES, ids=[r for r, _ in EVENT_ROUTES])
def test_event_routes_with_parameters(route, pattern):
    event = EventFactory(slug="matrix")
    for who in ROLES:
        client = Client()
        sign_in(client, who, event)
        check_event_route(route, pattern, who, ask(client, concrete(route, event.slug)))


def check_event_route(route, pattern, who, response) -> None:
    url = response.request["PATH_INFO"]
    assert response.status_code < 500, (url, who, response.status_code)
    if route in TOKEN_ROUTES:
        assert response.status_code == 404, (url, who, response.status_code)  # a token that names nothing
        return
    required = pattern.callback.required_roles
    # A platform operator counts as an organizer at every event (eventsite.rules), no more.
    allowed = required is None or who in required or (who == "operator" and Role.ORGANIZER in required)
    if allowed:
        assert response.status_code not in (401, 403), (url, who, response.status_code)
        if response.status_code == 302 and not (required is None and who == "anonymous"):
            # a public page may send the anonymous to log in for an action; nobody with the role
            assert "/accounts/login/" not in response.url, (url, who)
    elif who == "anonymous":
        assert response.status_code == 302 and response.url.startswith("/accounts/login/"), (url, response)
    else:
        assert response.status_code == 403, (url, who, response.status_code)


NON_EVENT_ROUTES = [(r, p) for r, p in ALL if not r.startswith(EVENT) and kind_of(r) is not None
                    and kind_of(r)[0] not in (DEV_ONLY, OPERATOR)]
ADMIN_ROUTES = [r for r, _ in ALL if kind_of(r) and kind_of(r)[0] == OPERATOR]


@pytest.mark.django_db
def test_the_admin_shows_itself_to_platform_operators_only():
    """Every admin URL (filled with ids that name nothing) sends anyone but a platform operator to log in; the
    admin pages themselves are rendered for an operator in tests/eventsite/test_admin.py."""
    event = EventFactory(slug="matrix")
    for who in ("anonymous", Role.BUYER, Role.ORGANIZER):
        client = Client()
        sign_in(client, who, event)
        for route in ADMIN_ROUTES:
            check_outside_route(route, who, client)


@pytest.mark.django_db
@pytest.mark.parametrize("route,pattern", NON_EVENT_ROUTES, ids=[r for r, _ in NON_EVENT_ROUTES])
def test_routes_outside_events(route, pattern):
    event = EventFactory(slug="matrix")
    for who in ["anonymous", Role.BUYER, Role.ORGANIZER, "operator"]:
        client = Client()
        sign_in(client, who, event)
        check_outside_route(route, who, client)


def check_outside_route(route, who, client) -> None:
    if "(?P<" in route or route.startswith("^"):
        url = "/" + re.sub(r"\(\?P<\w+>[^)]*\)|[\^$]", "khong-co", route)
    else:
        url = concrete(route, "matrix")
    response = ask(client, url)
    kind = kind_of(route)[0]
    assert response.status_code < 500, (url, who, response.status_code)
    if kind == PUBLIC:
        assert response.status_code not in (401, 403), (url, who, response.status_code)
    elif kind == OPERATOR:
        if who == "operator":  # every admin page itself is rendered for an operator in tests/eventsite/test_admin.py
            assert response.status_code not in (401, 403), (url, who, response.status_code)
        elif route not in ("admin/login/", "admin/logout/"):  # the way in and out (sent to allauth's login)
            # the admin never shows itself to anyone but a platform operator
            assert response.status_code in (302, 404), (url, who, response.status_code)
            if response.status_code == 302:
                assert "/login/" in response.url, (url, who, response.url)
    elif kind == SIGNED_IN:
        if who == "anonymous":
            assert response.status_code == 302 and response.url.startswith("/accounts/login/"), (url, response)
    elif kind == PLATFORM:
        if who == "operator":
            assert response.status_code not in (401, 403), (url, who, response.status_code)
        elif who == "anonymous":
            assert response.status_code == 302 and response.url.startswith("/accounts/login/"), (url, response)
        else:
            assert response.status_code == 403, (url, who, response.status_code)
    elif kind == TOKEN:  # a token that names nothing: gone (an invitation link never worked or no longer works)
        assert response.status_code in (404, 410), (url, who, response.status_code)
    elif kind == DEVICE:
        if url.endswith(("/openapi.json", "/v1/")):
            return  # the API's description is public, like any API documentation
        assert response.status_code in (401, 403, 404, 405), (url, who, response.status_code)  # no device token
