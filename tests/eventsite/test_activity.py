"""The one activity log (eventsite/activity.py) and the event-role predicates (eventsite/rules.py)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction
from django.template import Context, Template

from eventsite import rules as event_rules
from eventsite.activity import action_label, build_entry, history_of, log_action, log_many, snapshot
from eventsite.models import ActivityEntry, EventRole
from tests.factories import EventFactory, EventRoleFactory, OrganizationFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_log_action_records_actor_object_and_changed_fields():
    event = EventFactory()
    org = OrganizationFactory(name="HTX Một")
    user = UserFactory(full_name="Trần Thị Lan")
    before = snapshot(org, ["name", "kind", "province_code"])
    org.name = "HTX Hai"
    org.save()
    entry = log_action(action="eventsite.event_updated", obj=org, event=event, actor=user, before=before,
                       after=snapshot(org, ["name", "kind", "province_code"]), note="đổi tên")
    entry.refresh_from_db()
    assert entry.event_id == event.pk
    assert entry.actor == user and entry.who == "Trần Thị Lan"
    assert entry.object_repr == "HTX Hai"
    assert entry.changed_fields() == [("name", "HTX Một", "HTX Hai")]
    assert list(history_of(org)) == [entry]


def test_log_action_takes_the_event_from_the_object_and_names_a_non_user_actor():
    event = EventFactory()
    role = EventRoleFactory(event=event)
    entry = log_action(action="eventsite.role_granted", obj=role, actor="Máy quét cổng A",
                       after={"when": date(2026, 12, 9), "fee": Decimal("1500000")})
    assert entry.event_id == event.pk
    assert entry.actor is None and entry.who == "Máy quét cổng A"
    entry.refresh_from_db()
    assert entry.after == {"when": "2026-12-09", "fee": "1500000"}


def test_a_key_is_unique_per_event_so_a_retried_write_is_refused():
    event, other = EventFactory(), EventFactory()
    log_action(action="x.scan", event=event, key="nonce-12345678")
    log_action(action="x.scan", event=other, key="nonce-12345678")  # another event: allowed
    log_action(action="x.scan", event=event)  # no key: never unique
    log_action(action="x.scan", event=event)
    with pytest.raises(IntegrityError), transaction.atomic():
        log_action(action="x.scan", event=event, key="nonce-12345678")
    assert ActivityEntry.objects.filter(event=event).count() == 3


def test_log_many_writes_in_bulk():
    event = EventFactory()
    entries = log_many(build_entry(action="eventsite.role_granted", obj=EventRoleFactory(event=event))
                       for _ in range(3))
    assert len(entries) == 3
    assert ActivityEntry.objects.filter(event=event, action="eventsite.role_granted").count() == 3


def test_action_label_comes_from_the_app_config_and_falls_back_to_the_code():
    assert action_label("eventsite.role_removed") != "eventsite.role_removed"
    assert action_label("nobody.knows") == "nobody.knows"


def test_history_partial_lists_entries_with_their_changes():
    org = OrganizationFactory(name="Cũ")
    log_action(action="eventsite.event_updated", obj=org, before={"name": "Cũ"}, after={"name": "Mới"},
               actor=UserFactory(full_name="Lê Văn Tám"))
    html = Template("{% load ketnoi %}{% activity_history org %}").render(Context({"org": org}))
    assert "Lê Văn Tám" in html and "Cũ → Mới" in html


def test_role_predicates_follow_the_event_roles():
    event, other = EventFactory(), EventFactory()
    organizer = EventRoleFactory(event=event, role=EventRole.Role.ORGANIZER).user
    desk = EventRoleFactory(event=event, role=EventRole.Role.DESK_STAFF).user
    assert event_rules.is_organizer(organizer, event)
    assert not event_rules.is_organizer(organizer, other)
    assert event_rules.is_event_staff(desk, event) and not event_rules.is_organizer(desk, event)
    assert organizer.has_perm("eventsite.manage_event", event)
    assert not desk.has_perm("eventsite.manage_event", event)


def test_role_cache_is_per_user_object_and_can_be_forgotten():
    event = EventFactory()
    user = UserFactory()
    assert not event_rules.is_buyer(user, event)
    EventRoleFactory(event=event, user=user, role=EventRole.Role.BUYER)
    assert not event_rules.is_buyer(user, event)  # cached on this object
    event_rules.forget_roles(user)
    assert event_rules.is_buyer(user, event)
