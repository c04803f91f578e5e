"""Real parallel connections on PostgreSQL: one stale edit loses, one duplicate is caught."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from agreements.models import Agreement
from agreements.services import DuplicateSuspected, StaleEdit, create_agreement, update_agreement
from eventsite.activity import history_of
from tests.factories import EventFactory

from .factories import agreement, data, producer, retailer

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
        t.join(timeout=30)
    return results


def test_two_simultaneous_edits_of_the_same_version():
    event = EventFactory()
    a = agreement(event, value=1)
    seller = a.parties.get(role="seller").organization
    buyer = a.parties.get(role="buyer").organization

    def edit(value):
        return lambda: update_agreement(agreement=a, actor=None, expected_version=1,
                                        data=data(seller=seller, buyer=buyer, value=value))

    results = _race([edit(2), edit(3)])
    assert sum(isinstance(r, Agreement) for r in results) == 1
    assert sum(isinstance(r, StaleEdit) for r in results) == 1
    a.refresh_from_db()
    assert a.version == 2 and a.estimated_value in (2, 3) and history_of(a).count() == 2


def test_two_desks_enter_the_same_agreement_at_once():
    event = EventFactory()
    seller, buyer = producer(), retailer()

    def enter():
        return create_agreement(event=event, actor=None, data=data(seller=seller, buyer=buyer))

    results = _race([enter, enter, enter])
    assert sum(isinstance(r, Agreement) for r in results) == 1
    assert sum(isinstance(r, DuplicateSuspected) for r in results) == 2
    assert Agreement.objects.filter(event=event).count() == 1
