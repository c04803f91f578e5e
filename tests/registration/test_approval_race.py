"""Concurrent approvals and sign-ups on PostgreSQL, with real parallel connections (one per thread)."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from registration.models import Registration, RegistrationStatus
from registration.services import registrations as svc
from tests.factories import EventFactory

from .factories import RegistrationFactory, RegistrationSettingsFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def run_parallel(work, count: int) -> list:
    """Run ``work(i)`` in ``count`` threads released together; return results or raised errors."""
    barrier = threading.Barrier(count)
    results: list = [None] * count

    def target(i: int) -> None:
        try:
            barrier.wait(timeout=10)
            results[i] = work(i)
        except Exception as exc:  # collected and asserted by the test
            results[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=target, args=(i,)) for i in range(count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return results


def test_parallel_approvals_never_exceed_capacity():
    event = EventFactory()
    RegistrationSettingsFactory(event=event, buyer_capacity=5)
    pending = [RegistrationFactory(event=event) for _ in range(20)]

    results = run_parallel(lambda i: svc.approve(registration=pending[i]).status, 20)

    assert not [r for r in results if isinstance(r, Exception)], results
    assert sorted(results).count(RegistrationStatus.APPROVED) == 5
    assert sorted(results).count(RegistrationStatus.WAITLISTED) == 15
    assert Registration.objects.filter(event=event, status=RegistrationStatus.APPROVED).count() == 5


def test_parallel_cancellations_promote_each_waiting_buyer_once():
    event = EventFactory()
    RegistrationSettingsFactory(event=event, buyer_capacity=6)
    approved = [RegistrationFactory(event=event, status=RegistrationStatus.APPROVED) for _ in range(6)]
    [RegistrationFactory(event=event, status=RegistrationStatus.WAITLISTED) for _ in range(4)]

    results = run_parallel(lambda i: svc.cancel(registration=approved[i]).status, 6)

    assert results == [RegistrationStatus.CANCELLED] * 6
    counts = svc.counts_by_status(event)
    assert counts[RegistrationStatus.APPROVED] == 4
    assert counts[RegistrationStatus.WAITLISTED] == 0


def test_parallel_duplicate_signups_of_the_owner_make_one_registration():
    """The address's verified owner, signed in, double-submits ten times at once: one registration."""
    from allauth.account.models import EmailAddress

    from tests.factories import UserFactory

    event = EventFactory()
    RegistrationSettingsFactory(event=event, approval_required=False, buyer_capacity=100)
    owner = UserFactory(email="ngan@lotte.vn")
    EmailAddress.objects.update_or_create(user=owner, email="ngan@lotte.vn",
                                          defaults={"verified": True, "primary": True})

    def sign_up(i: int):
        return svc.register_buyer(event=event, full_name="Võ Thị Kim Ngân", company="Lotte Mart",
                                  email="ngan@lotte.vn", phone="0900000000", buyer_type="supermarket",
                                  user=owner).pk

    results = run_parallel(sign_up, 10)

    created = [r for r in results if isinstance(r, int)]
    duplicates = [r for r in results if isinstance(r, svc.DuplicateRegistration)]
    assert len(created) == 1
    assert len(duplicates) == 9
    assert Registration.objects.filter(event=event).count() == 1


def test_parallel_confirmations_of_one_address_leave_one_registration():
    """Ten unconfirmed sign-ups with one address (anyone may type any address) are confirmed at once from ten
    links: exactly one claims the address, the nine others are cancelled."""
    event = EventFactory()
    RegistrationSettingsFactory(event=event, approval_required=False, buyer_capacity=100)
    pending = [svc.register_buyer(event=event, full_name=f"Người {i}", company="Lotte Mart", email="ngan@lotte.vn",
                                  phone="0900000000", buyer_type="supermarket") for i in range(10)]
    assert all(r is not None and not r.email_claimed for r in pending)

    results = run_parallel(lambda i: svc.claim(registration=pending[i]).pk, 10)

    assert not [r for r in results if isinstance(r, Exception)], results
    live = Registration.objects.filter(event=event, email_claimed=True).exclude(status=RegistrationStatus.CANCELLED)
    assert live.count() == 1
    assert Registration.objects.filter(event=event, status=RegistrationStatus.CANCELLED).count() == 9
