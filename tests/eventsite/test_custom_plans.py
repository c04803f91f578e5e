"""eventsite.db.custom_plans: reporting aggregates are planned for their own parameters on PostgreSQL (a pooled
connection's prepared statements would switch to a generic plan after five runs), and the pooled connection goes
back to PostgreSQL's default for the hot paths once the block's transaction ends."""

from __future__ import annotations

import pytest
from django.db import connection

from eventsite.db import custom_plans

pytestmark = pytest.mark.postgres


def _mode() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SHOW plan_cache_mode")
        return cursor.fetchone()[0]


@pytest.mark.django_db(transaction=True)
def test_custom_plans_hold_inside_the_block_and_end_with_its_transaction():
    assert _mode() == "auto"
    with custom_plans():
        assert _mode() == "force_custom_plan"
    assert _mode() == "auto"


@pytest.mark.django_db(transaction=True)
def test_the_follow_through_figures_are_planned_for_the_event_each_time(monkeypatch):
    from agreements.services import followup_board
    from tests.factories import EventFactory

    seen = []
    figures = followup_board._combinations
    monkeypatch.setattr(followup_board, "_combinations", lambda event: seen.append(_mode()) or figures(event))
    followup_board.followup_board(EventFactory())
    assert seen == ["force_custom_plan"] and _mode() == "auto"
