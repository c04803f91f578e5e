"""Two workers run the follow-through job at the same moment on PostgreSQL: every request is sent once."""

from __future__ import annotations

import threading
from collections import Counter

import pytest
from django.db import connection

from agreements.models import FollowupNotice
from agreements.services.followup_job import run_followup_job
from tests.factories import EventFactory

from .followup_helpers import followed

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _race(workers) -> list:
    barrier = threading.Barrier(len(workers))
    results: list = [None] * len(workers)

    def run(i, fn):
        try:
            barrier.wait(timeout=10)
            results[i] = fn()
        except Exception as error:  # noqa: BLE001 - collected and asserted below
            results[i] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, fn)) for i, fn in enumerate(workers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return results


def test_two_workers_at_once_send_each_request_once(mailoutbox):
    event = EventFactory()
    for i in range(40):
        followed(event, days=40, title=f"Biên bản {i}", seller_email=f"ban{i}@htx.vn", buyer_email=f"mua{i}@st.vn")
    for _round in range(2):
        results = _race([lambda: run_followup_job(site="http://test")] * 2)
        assert not [r for r in results if isinstance(r, Exception)], results
    sent = Counter(m.to[0] for m in mailoutbox)
    assert len(sent) == 80
    assert set(sent.values()) == {1}
    assert Counter(FollowupNotice.objects.values_list("status", "attempts")) == Counter({("sent", 1): 80})
    assert sum(r.claimed for r in results) == 0  # the second round found nothing left


def test_a_worker_holding_its_claim_open_is_skipped_not_repeated(mailoutbox, monkeypatch):
    """Worker A has claimed the requests and not yet committed (it waits inside its transaction) while worker B
    runs: B must skip A's rows, not read them as still pending and send them again after A commits."""
    from agreements import tasks
    from agreements.services.followup_job import find_due

    event = EventFactory()
    for i in range(10):
        followed(event, days=40, title=f"Biên bản {i}", seller_email=f"ban{i}@htx.vn", buyer_email=f"mua{i}@st.vn")
    find_due()
    inside = threading.Event()
    release = threading.Event()
    real = tasks.send_followup_notices

    class Slow:
        """The real task, entered only after a pause: enqueue runs inside the claiming transaction."""

        @staticmethod
        def enqueue(*args, **kwargs):
            inside.set()
            release.wait(timeout=5)
            return real.enqueue(*args, **kwargs)

    monkeypatch.setattr(tasks, "send_followup_notices", Slow)

    def worker_a():
        return run_followup_job(site="http://test")

    def worker_b():
        assert inside.wait(timeout=10)
        try:
            return run_followup_job(site="http://test")
        finally:
            release.set()

    results = _race([worker_a, worker_b])
    assert not [r for r in results if isinstance(r, Exception)], results
    assert sorted(r.claimed for r in results) == [0, 20]
    assert len(mailoutbox) == 20 and len({m.to[0] for m in mailoutbox}) == 20
