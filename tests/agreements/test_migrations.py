"""The migration that turns the plain ceremony session id into a foreign key keeps what it can."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("agreements", "0002_tally_covering_indexes"), ("agenda", "0001_initial")]
AFTER = [("agreements", "0003_ceremony_session_foreign_key")]


@pytest.mark.django_db(transaction=True)
def test_old_session_ids_of_the_same_event_are_kept_others_become_null():
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps
    Organization = old.get_model("eventsite", "Organization")
    Event = old.get_model("eventsite", "Event")
    Session = old.get_model("agenda", "Session")
    Agreement = old.get_model("agreements", "Agreement")
    from tests.factories import EventFactory

    ids = [EventFactory().pk for _ in range(2)]
    mine, other = Event.objects.get(pk=ids[0]), Event.objects.get(pk=ids[1])
    assert Organization.objects.exists()
    start = mine.starts_at
    own = Session.objects.create(event=mine, title="Lễ ký", type="signing", starts_at=start, ends_at=mine.ends_at)
    foreign = Session.objects.create(event=other, title="Khác", type="signing", starts_at=other.starts_at,
                                     ends_at=other.ends_at)

    def make(title: str, session_id: int | None):
        return Agreement.objects.create(event=mine, kind="other", title=title, signed_at=start,
                                        signed_on=start.date(), party_key=title,
                                        ceremony_session_id=session_id).pk

    keep, missing, wrong_event, none = (make("giữ", own.pk), make("không có", 999999),
                                        make("sự kiện khác", foreign.pk), make("trống", None))
    buyer = Organization.objects.first()
    old.get_model("agreements", "AgreementParty").objects.create(agreement_id=keep, organization=buyer,
                                                                 role="buyer")
    old.get_model("agreements", "AgreementProductGroup").objects.create(agreement_id=keep, group="food")
    old.get_model("agreements", "AgreementProductGroup").objects.create(agreement_id=keep, group="beverage")
    executor = MigrationExecutor(connection)
    executor.migrate(AFTER)
    new = executor.loader.project_state(AFTER).apps.get_model("agreements", "Agreement")
    after = dict(new.objects.values_list("pk", "ceremony_session_id"))
    assert after == {keep: own.pk, missing: None, wrong_event: None, none: None}
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())  # back to the latest state for the next tests
    # 0004 stores each agreement's row in the buyer and product-group breakdowns
    from agreements.models import Agreement as Current

    assert Current.objects.get(pk=keep).buyer_key == str(buyer.pk)
    assert Current.objects.get(pk=keep).group_key == "several"
    assert Current.objects.get(pk=none).buyer_key == "none" == Current.objects.get(pk=none).group_key


@pytest.mark.django_db(transaction=True)
def test_the_audit_trail_moves_into_the_activity_log_and_back():
    """0007 copies every AuditEntry (who, when, action, before, after, note) into eventsite.ActivityEntry with the
    agreement as its object, then drops the table; going back restores the rows."""
    from datetime import UTC, datetime

    before, after = [("agreements", "0006_followup")], [("agreements", "0007_audit_into_activity_log")]
    executor = MigrationExecutor(connection)
    executor.migrate(before)
    old = executor.loader.project_state(before).apps
    from tests.factories import EventFactory, UserFactory

    event_id, user_id = EventFactory().pk, UserFactory().pk
    Agreement, AuditEntry = old.get_model("agreements", "Agreement"), old.get_model("agreements", "AuditEntry")
    signed = datetime(2025, 6, 1, 3, 0, tzinfo=UTC)
    agreement = Agreement.objects.create(event_id=event_id, kind="other", title="Biên bản cũ", signed_at=signed,
                                         signed_on=signed.date(), party_key="x")
    AuditEntry.objects.create(agreement=agreement, actor_id=user_id, action="created", after={"title": "Biên bản cũ"})
    AuditEntry.objects.create(agreement=agreement, action="rejected", before={"verification": "pending"},
                              after={"verification": "rejected"}, note="thiếu chữ ký")
    times = list(AuditEntry.objects.order_by("id").values_list("at", flat=True))

    executor = MigrationExecutor(connection)
    executor.migrate(after)
    new = executor.loader.project_state(after).apps
    entries = list(new.get_model("eventsite", "ActivityEntry").objects.filter(object_id=agreement.pk)
                   .order_by("at", "id").values("event_id", "actor_id", "action", "at", "before", "after", "note",
                                                "object_repr", "content_type__model"))
    assert entries == [
        {"event_id": event_id, "actor_id": user_id, "action": "agreements.created", "at": times[0], "before": None,
         "after": {"title": "Biên bản cũ"}, "note": "", "object_repr": "Biên bản cũ",
         "content_type__model": "agreement"},
        {"event_id": event_id, "actor_id": None, "action": "agreements.rejected", "at": times[1],
         "before": {"verification": "pending"}, "after": {"verification": "rejected"}, "note": "thiếu chữ ký",
         "object_repr": "Biên bản cũ", "content_type__model": "agreement"},
    ]

    executor = MigrationExecutor(connection)
    executor.migrate(before)
    back = executor.loader.project_state(before).apps.get_model("agreements", "AuditEntry")
    assert list(back.objects.order_by("at", "id").values_list("action", "actor_id", "at", "note")) == [
        ("created", user_id, times[0], ""), ("rejected", None, times[1], "thiếu chữ ký")]
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())  # back to the latest state for the next tests
