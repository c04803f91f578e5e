"""Property test of agreement edit permissions (#16): whoever edits, whatever the parties, an edit is saved exactly
when the editor may edit the agreement (an organizer; or a member of the submitting organization while it awaits
verification) and, for a participant, its organization stays a party. Anything else changes nothing."""

from __future__ import annotations

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from agreements.models import Agreement
from agreements.services import AgreementError, PartyData, create_agreement, update_agreement
from eventsite.models import EventRole
from tests.factories import DAY2, EventFactory, UserFactory

from .factories import Role, data, member, producer, retailer

pytestmark = pytest.mark.django_db
R = EventRole.Role

EDITORS = ["organizer", "exhibitor of the submitter", "buyer of the submitter", "exhibitor of a partner",
           "other exhibitor", "no role"]


class Rollback(Exception):
    """Undo one example's writes (the fixture's world stays)."""


@pytest.fixture
def world():
    event = EventFactory()
    own, partner, third, elsewhere = producer(), retailer(), producer(), retailer()
    submitter = member(event, R.EXHIBITOR, own)
    return {"event": event, "orgs": [own, partner, third, elsewhere], "submitter": submitter}


def make_editor(world, editor: str):
    event, (own, partner, _third, _elsewhere) = world["event"], world["orgs"]
    if editor == "organizer":
        return member(event, R.ORGANIZER, event.organizer)
    if editor == "exhibitor of the submitter":
        return member(event, R.EXHIBITOR, own)
    if editor == "buyer of the submitter":
        return member(event, R.BUYER, own)
    if editor == "exhibitor of a partner":
        return member(event, R.EXHIBITOR, partner)
    if editor == "other exhibitor":
        return member(event, R.EXHIBITOR, producer())
    return UserFactory()


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(editor=st.sampled_from(EDITORS),
       verification=st.sampled_from(Agreement.Verification.values),
       cancelled=st.booleans(),
       picks=st.lists(st.integers(0, 3), min_size=2, max_size=4, unique=True))
def test_edit_is_saved_iff_the_editor_may_edit_and_its_organization_stays_a_party(
        world, editor, verification, cancelled, picks):
    event, orgs = world["event"], world["orgs"]
    own = orgs[0]
    outcome = {}
    try:
        with transaction.atomic():
            a = create_agreement(event=event, actor=world["submitter"], submitted_by_org=own,
                                 data=data(Agreement.Kind.OTHER, seller=own, buyer=orgs[1]), allow_duplicate=True)
            Agreement.objects.filter(pk=a.pk).update(
                verification=verification, status="cancelled" if cancelled else "signed",
                cancelled_on=DAY2.date() if cancelled else None)
            a.refresh_from_db()
            before = (a.version, sorted(a.parties.values_list("organization_id", flat=True)))
            user = make_editor(world, editor)
            parties = [PartyData(orgs[i], Role.SELLER if n == 0 else Role.BUYER) for n, i in enumerate(picks)]
            try:
                update_agreement(agreement=a, actor=user, expected_version=a.version, allow_duplicate=True,
                                 data=data(Agreement.Kind.OTHER, parties=parties, title="Bản sửa"))
            except AgreementError as error:
                outcome["error"] = error.code
            a.refresh_from_db()
            outcome["after"] = (a.version, sorted(a.parties.values_list("organization_id", flat=True)))
            outcome["before"] = before
            raise Rollback
    except Rollback:
        pass

    member_of_submitter = editor in ("exhibitor of the submitter", "buyer of the submitter")
    may_edit = not cancelled and (
        editor == "organizer" or (member_of_submitter and verification != Agreement.Verification.VERIFIED))
    stays_a_party = editor == "organizer" or 0 in picks
    if may_edit and stays_a_party:
        assert "error" not in outcome
        assert outcome["after"] == (outcome["before"][0] + 1, sorted(orgs[i].pk for i in picks))
    else:
        assert outcome["error"] in {"not_allowed", "not_a_party", "cancelled"}
        assert outcome["after"] == outcome["before"]
