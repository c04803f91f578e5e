"""Two phones of one booth scanning the same badge at once (PostgreSQL, real row locks): one lead, and a nonce
sent twice at once counts once."""

from __future__ import annotations

import pytest

from leads.models import Lead, LeadScan
from leads.services import capture
from tests.registration.test_approval_race import run_parallel

from .setup import make_buyer, make_fair

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_parallel_scans_of_one_badge_make_one_lead():
    fair = make_fair()
    _reg, code = make_buyer(fair.event, 1, consent=True)
    results = run_parallel(lambda i: capture.capture_lead(event=fair.event, booth_id=fair.booth.pk, code=code,
                                                          nonce=f"nonce-race-{i:03d}", user=fair.staff), 8)
    assert all(isinstance(r, capture.Capture) for r in results), results
    assert Lead.objects.count() == 1 and Lead.objects.get().scans == 8
    assert sum(r.created for r in results) == 1


def test_parallel_retries_of_one_nonce_count_once():
    fair = make_fair()
    _reg, code = make_buyer(fair.event, 1, consent=True)
    results = run_parallel(lambda i: capture.capture_lead(event=fair.event, booth_id=fair.booth.pk, code=code,
                                                          nonce="nonce-same-retry", user=fair.staff), 6)
    assert all(isinstance(r, capture.Capture) for r in results), results
    assert LeadScan.objects.count() == 1 and Lead.objects.get().scans == 1
    assert len({r.lead.pk for r in results}) == 1
