"""An event's navigation as the layout shows it: the links the caller may use, which one is the current page,
and, for callers with many links (organizers), the links grouped by ``NavSection``."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.urls import reverse

from .apps import NAV_SECTION_TITLES, NavSection, collect_nav

# A caller with more links than this gets them grouped by section (organizers, about thirty links); everyone
# else (visitors, buyers, exhibitors with their booth leads, speakers, desk staff: 13 at most) gets one short row.
GROUP_ABOVE = 16


@dataclass
class NavLink:
    label: Any
    url: str
    name: str
    current: str = ""  # "page" for the current page, "true" for the link a sub-page belongs to, else ""


@dataclass
class NavGroup:
    key: str
    title: Any
    links: list[NavLink] = field(default_factory=list)

    @property
    def current(self) -> bool:
        return any(link.current for link in self.links)


@dataclass
class EventNav:
    links: list[NavLink]
    groups: list[NavGroup]
    grouped: bool

    @property
    def top(self) -> list[NavLink]:
        """The links shown ungrouped beside the section menus: the public and attendee pages (EVENT)."""
        return next((g.links for g in self.groups if g.key == NavSection.EVENT), [])

    @property
    def sections(self) -> list[NavGroup]:
        return [g for g in self.groups if g.key != NavSection.EVENT]


def _mark_current(links: list[NavLink], path: str) -> None:
    """The link whose URL is the path is the current page; on a page with no link of its own (a booth, the plan
    editor), the link with the longest URL the path starts with is the part of the site it belongs to. The
    event's home page, a prefix of every page, counts only for itself."""
    best = None
    for link in links:
        if link.url == path:
            link.current = "page"
            return
        if path.startswith(link.url) and link.name != "event_home" and (best is None or len(link.url) > len(best.url)):
            best = link
    if best is not None:
        best.current = "true"


def event_nav(event_slug: str, roles: frozenset[str], path: str) -> EventNav:
    """The navigation of ``event_slug`` for holders of ``roles`` on the page at ``path``: every link in order and
    the same links grouped by section, in the sections' order, leaving out sections with no link."""
    links = []
    by_section: dict[NavSection, list[NavLink]] = {}
    for item in collect_nav(roles):
        link = NavLink(item.label, reverse(item.url_name, kwargs={"event_slug": event_slug}), item.url_name)
        links.append(link)
        by_section.setdefault(item.section, []).append(link)
    _mark_current(links, path)
    groups = [NavGroup(section.value, NAV_SECTION_TITLES[section], by_section[section])
              for section in NavSection if section in by_section]
    return EventNav(links=links, groups=groups, grouped=len(links) > GROUP_ABOVE)
