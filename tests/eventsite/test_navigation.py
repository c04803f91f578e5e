"""The event navigation of issue #15: organizers get their links grouped in a few sections, everyone else a short
row of just their links; no section is shown without a link; order is kept; no link leads to a refusal."""

from __future__ import annotations

import re

import pytest
from django.urls import resolve, reverse
from django.utils import translation

from eventsite.apps import NAV_SECTION_TITLES, NavSection
from eventsite.models import EventRole
from eventsite.navigation import GROUP_ABOVE, event_nav
from tests.factories import EventFactory, user_with_role

Role = EventRole.Role
SLUG = "hoi-cho-ocop"
ROLES = ["anonymous", Role.BUYER, Role.EXHIBITOR, Role.SPEAKER, Role.DESK_STAFF, Role.ORGANIZER]


def roles_of(who: str) -> frozenset[str]:
    return frozenset() if who == "anonymous" else frozenset({who})


def names(nav) -> list[str]:
    return [link.name for link in nav.links]


def test_event_nav_organizer_gets_sections_in_order():
    nav = event_nav(SLUG, frozenset({Role.ORGANIZER}), f"/e/{SLUG}/organizer/")
    assert nav.grouped
    assert [g.key for g in nav.groups] == [s.value for s in NavSection]
    assert [link.name for link in nav.top] == ["event_home", "organizer_home"]
    sections = {g.key: [link.name for link in g.links] for g in nav.sections}
    assert sections == {
        "setup": ["event_setup", "event_edit", "team", "registration:settings"],
        "people": ["registration:signup", "registration:list"],
        "booths": ["catalog:event_catalog", "booths:floor_plan", "booths:apply", "booths:manage",
                   "booths:applications", "leads:report"],
        "agenda": ["agenda:agenda", "agenda:edit", "agenda:control"],
        "checkin": ["checkin:desk", "checkin:dashboard", "registration:badge_print",
                    "checkin:devices"],
        "agreements": ["agreements:list", "agreements:dashboard", "agreements:followup"],
        "matchmaking": ["matchmaking:organize", "matchmaking:board", "matchmaking:table_checkin"],
        "reports": ["matchmaking:report", "reports", "reporting:official_report"],
    }


def test_event_nav_sections_keep_the_links_order():
    nav = event_nav(SLUG, frozenset({Role.ORGANIZER}), "/")
    position = {name: i for i, name in enumerate(names(nav))}
    for group in nav.groups:
        in_group = [position[link.name] for link in group.links]
        assert in_group == sorted(in_group), group.key
    assert sum(len(g.links) for g in nav.groups) == len(nav.links)


def test_event_nav_section_titles_in_vietnamese():
    nav = event_nav(SLUG, frozenset({Role.ORGANIZER}), "/")
    with translation.override("vi"):
        titles = [str(g.title) for g in nav.sections]
    assert titles == ["Thiết lập", "Người tham gia", "Gian hàng", "Chương trình", "Check-in", "Ký kết",
                      "Kết nối B2B", "Báo cáo"]
    assert set(NAV_SECTION_TITLES) == set(NavSection)


@pytest.mark.parametrize("who,expected", [
    ("anonymous", ["event_home", "catalog:event_catalog", "booths:floor_plan", "registration:signup", "booths:apply",
                   "agenda:agenda", "agreements:dashboard"]),
    (Role.BUYER, ["event_home", "catalog:event_catalog", "booths:floor_plan", "agenda:agenda",
                  "matchmaking:recommendations", "matchmaking:requests", "matchmaking:schedule", "agreements:list",
                  "agreements:dashboard", "registration:my_badge", "registration:my_event"]),
    (Role.EXHIBITOR, ["event_home", "catalog:event_catalog", "booths:floor_plan", "booths:apply", "agenda:agenda",
                      "matchmaking:recommendations", "matchmaking:requests", "matchmaking:schedule", "leads:list",
                      "agreements:list", "agreements:dashboard", "registration:my_badge", "registration:my_event"]),
    (Role.DESK_STAFF, ["event_home", "catalog:event_catalog", "booths:floor_plan", "agenda:agenda",
                       "matchmaking:board", "matchmaking:table_checkin", "checkin:desk",
                       "agreements:dashboard"]),
])
def test_event_nav_few_links_stay_one_row(who, expected):
    nav = event_nav(SLUG, roles_of(who), f"/e/{SLUG}/")
    assert names(nav) == expected
    assert not nav.grouped and len(nav.links) <= GROUP_ABOVE


def test_event_nav_leaves_out_sections_without_links():
    nav = event_nav(SLUG, frozenset({Role.DESK_STAFF}), "/")
    assert [g.key for g in nav.groups] == ["event", "booths", "agenda", "checkin", "agreements", "matchmaking"]
    assert all(g.links for g in nav.groups)


@pytest.mark.parametrize("path,current", [
    (f"/e/{SLUG}/team/", {"team": "page"}),
    (f"/e/{SLUG}/registrations/settings/", {"registration:settings": "page"}),  # not its parent "Registrations"
    (f"/e/{SLUG}/booths/manage/editor/", {"booths:manage": "true"}),  # a sub-page: the link it belongs to
    (f"/e/{SLUG}/", {"event_home": "page"}),
    (f"/e/{SLUG}/setup/copy/", {"event_setup": "true"}),
    (f"/e/{SLUG}/no-such-page/", {}),  # the event's home is not the parent of every page
])
def test_event_nav_marks_the_current_page_and_its_section(path, current):
    nav = event_nav(SLUG, frozenset({Role.ORGANIZER}), path)
    assert {link.name: link.current for link in nav.links if link.current} == current
    assert [g.key for g in nav.groups if g.current] == [g.key for g in nav.groups
                                                        if any(link.name in current for link in g.links)]


@pytest.mark.parametrize("who", ROLES)
def test_event_nav_links_are_pages_the_role_may_open(who):
    roles = roles_of(who)
    for link in event_nav(SLUG, roles, "/").links:
        required = resolve(link.url).func.required_roles
        assert required is None or roles & required, (who, link.name, required)


@pytest.mark.django_db
@pytest.mark.parametrize("who", ROLES)
def test_event_nav_links_open_for_the_role(client, who):
    event = EventFactory(slug=SLUG)
    if who != "anonymous":
        client.force_login(user_with_role(event, who))
    page = client.get(reverse("event_home", args=[SLUG])).content.decode()
    nav = re.search(r'<nav class="container event-nav[^"]*" aria-label="[^"]+">(.*?)</nav>', page, re.S).group(1)
    urls = re.findall(r'href="([^"]+)"', nav)
    nav = event_nav(SLUG, roles_of(who), "/")
    shown = [link for group in nav.groups for link in group.links] if nav.grouped else nav.links
    assert urls == [link.url for link in shown]
    for url in urls:
        response = client.get(url)
        if who == "anonymous" and response.status_code == 302:  # a form for signed-in people: log in first
            assert response.url.startswith(reverse("account_login")), (url, response.url)
            continue
        assert response.status_code == 200, (who, url, response.status_code)


@pytest.mark.django_db
def test_layout_organizer_sections_and_buyer_row(client):
    event = EventFactory(slug=SLUG)
    client.force_login(user_with_role(event, Role.ORGANIZER))
    page = client.get(reverse("team", args=[SLUG]), HTTP_ACCEPT_LANGUAGE="vi").content.decode()
    assert 'aria-controls="event-menu"' in page and 'aria-expanded="false"' in page and 'id="event-menu"' in page
    sections = re.findall(r'<details class="dropdown nav-section" data-section="(\w+)">(.*?)</details>', page, re.S)
    assert [key for key, _ in sections] == [s.value for s in NavSection if s != NavSection.EVENT]
    assert all("<a href=" in body for _, body in sections)
    current = [key for key, body in sections if 'class="current-section"' in body]
    assert current == ["setup"]
    assert f'<a href="/e/{SLUG}/team/" aria-current="page">' in page

    client.force_login(user_with_role(event, Role.BUYER))
    page = client.get(reverse("event_home", args=[SLUG])).content.decode()
    assert "nav-section" not in page and 'aria-controls="event-menu"' in page
    assert f'<a href="/e/{SLUG}/" aria-current="page">' in page
