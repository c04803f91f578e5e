"""Meeting check-in at the table by badge QR: the service (badge rules, slot, table, window) and the page."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from booths.models import Booking, BookingStatus
from eventsite.models import EventRole
from matchmaking.models import Meeting
from matchmaking.services import day, scheduling
from matchmaking.services.errors import InvalidRequest, NotAParticipant
from registration.models import RegistrationStatus
from registration.services import badges, tokens
from tests.booths.factories import BoothFactory, exhibitor
from tests.factories import user_with_role
from tests.matchmaking.factories import accepted_request, grid
from tests.registration.factories_checkin import CheckinRegistrationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def setup(fair):
    """Slot 0 started five minutes ago; buyer 0 meets producer 0 at table 0 in it."""
    slots, tables = grid(fair, slots=3, tables=2, start=timezone.now() - timedelta(minutes=5))
    request = accepted_request(fair, fair.buyers[0], fair.producers[0])
    meeting = scheduling.place_meeting(event=fair.event, request_id=request.pk, slot_id=slots[0].pk,
                                       table_id=tables[0].pk)
    return slots, tables, meeting


def badge_code(fair, party, **kwargs) -> str:
    fields = {"event": fair.event, "user": party.user, "organization": party.org, **kwargs}
    return badges.token_for(badges.ensure_badge(CheckinRegistrationFactory(**fields)))


def forge(code: str) -> str:
    """The same claims with one bit of the signature flipped: well-formed, but not signed by the event's key."""
    raw = bytearray(tokens.decode(code))
    raw[-1] ^= 0x01
    return tokens.encode(bytes(raw))


def scan(fair, table, code, user=None, **kwargs) -> day.TableScan:
    return day.check_in_by_badge(event=fair.event, table_id=table.pk, code=code, user=user or fair.desk, **kwargs)


def test_badge_at_the_right_table_checks_the_meeting_in_and_a_repeat_is_harmless(fair, setup):
    _slots, tables, meeting = setup
    code = badge_code(fair, fair.producers[0])
    result = scan(fair, tables[0], code)
    assert (result.status, result.meeting.pk) == (day.CHECKED_IN, meeting.pk)
    assert result.meeting.buyer == fair.buyers[0].org and result.registration.organization == fair.producers[0].org
    meeting.refresh_from_db()
    assert (meeting.status, meeting.checked_in_by) == (Meeting.Status.HELD, fair.desk)
    first_at = meeting.checked_in_at
    again = scan(fair, tables[0], code, user=fair.organizer)
    assert (again.status, again.meeting.pk) == (day.ALREADY, meeting.pk)
    meeting.refresh_from_db()
    assert (meeting.checked_in_at, meeting.checked_in_by) == (first_at, fair.desk)


def test_person_found_through_their_user_when_the_registration_names_no_organization(fair, setup):
    _slots, tables, meeting = setup
    result = scan(fair, tables[0], badge_code(fair, fair.buyers[0], organization=None))
    assert (result.status, result.meeting.pk) == (day.CHECKED_IN, meeting.pk)


def test_wrong_table_says_where_their_meeting_is_and_changes_nothing(fair, setup):
    _slots, tables, meeting = setup
    result = scan(fair, tables[1], badge_code(fair, fair.buyers[0]))
    assert (result.status, result.meeting.pk, result.meeting.table) == (day.ELSEWHERE, meeting.pk, tables[0])
    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.SCHEDULED


def test_no_meeting_in_this_slot(fair, setup):
    _slots, tables, _meeting = setup
    result = scan(fair, tables[0], badge_code(fair, fair.buyers[1]))
    assert (result.status, result.meeting) == (day.NO_MEETING, None)
    stranger = CheckinRegistrationFactory(event=fair.event)  # a visitor: no organization, no user
    assert scan(fair, tables[0], badges.token_for(badges.ensure_badge(stranger))).status == day.NOT_A_PARTICIPANT


def test_meeting_of_a_later_slot_is_not_checked_in_now_but_can_be_by_choosing_its_slot(fair, setup):
    slots, tables, _meeting = setup
    later = accepted_request(fair, fair.buyers[1], fair.producers[1])
    m2 = scheduling.place_meeting(event=fair.event, request_id=later.pk, slot_id=slots[2].pk, table_id=tables[1].pk)
    code = badge_code(fair, fair.buyers[1])
    assert scan(fair, tables[1], code).status == day.NO_MEETING  # slot 2 starts in 35 minutes: not yet open
    result = scan(fair, tables[1], code, slot_id=slots[2].pk)
    assert result.status == day.TOO_EARLY and result.meeting.pk == m2.pk and result.message
    opened = scan(fair, tables[1], code, slot_id=slots[2].pk, now=slots[2].starts_at - timedelta(minutes=10))
    assert opened.status == day.CHECKED_IN


def test_meeting_about_to_start_is_found_without_choosing_its_slot(fair, setup):
    slots, tables, _meeting = setup
    soon = accepted_request(fair, fair.buyers[1], fair.producers[1])
    m2 = scheduling.place_meeting(event=fair.event, request_id=soon.pk, slot_id=slots[1].pk, table_id=tables[0].pk)
    result = scan(fair, tables[0], badge_code(fair, fair.producers[1]))  # slot 1 starts in 15 minutes
    assert (result.status, result.meeting.pk) == (day.CHECKED_IN, m2.pk)


def test_closed_window(fair, setup):
    slots, tables, meeting = setup
    result = scan(fair, tables[0], badge_code(fair, fair.buyers[0]), slot_id=slots[0].pk,
                  now=slots[0].ends_at + timedelta(hours=2, minutes=1))
    assert result.status == day.TOO_LATE
    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.SCHEDULED


def test_forged_malformed_and_foreign_codes_check_nothing_in(fair, setup):
    _slots, tables, meeting = setup
    code = badge_code(fair, fair.buyers[0])
    assert scan(fair, tables[0], forge(code)).status == "forged"
    assert scan(fair, tables[0], "KHONG-PHAI-MA-THE").status == "malformed"
    assert scan(fair, tables[0], "").status == "malformed"
    from tests.matchmaking.factories import fair as make_fair

    other = make_fair(buyers=1, producers=0)
    foreign = badges.token_for(badges.ensure_badge(CheckinRegistrationFactory(event=other.event)))
    assert scan(fair, tables[0], foreign).status == "wrong_event"
    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.SCHEDULED


def test_revoked_badge_is_refused_and_the_new_one_works(fair, setup):
    _slots, tables, meeting = setup
    registration = CheckinRegistrationFactory(event=fair.event, user=fair.buyers[0].user,
                                              organization=fair.buyers[0].org)
    badge = badges.ensure_badge(registration)
    old = badges.token_for(badge)
    badge = badges.reissue_badge(badge=badge)
    result = scan(fair, tables[0], old)
    assert (result.status, result.registration) == ("revoked", registration)
    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.SCHEDULED
    assert scan(fair, tables[0], badges.token_for(badge)).status == day.CHECKED_IN


def test_unapproved_registration_is_refused(fair, setup):
    _slots, tables, _meeting = setup
    code = badge_code(fair, fair.buyers[0], status=RegistrationStatus.PENDING)
    assert scan(fair, tables[0], code).status == "not_approved"


def test_no_slot_running(fair):
    _slots, tables = grid(fair, slots=1, tables=1, start=timezone.now() + timedelta(days=1))
    assert scan(fair, tables[0], badge_code(fair, fair.buyers[0])).status == day.NO_SLOT


@pytest.fixture
def host(fair, setup):
    """The exhibitor holding the booth where table 0 stands."""
    _slots, tables, _meeting = setup
    app = exhibitor(fair.event)
    booth = BoothFactory(hall__event=fair.event, code="B07")
    Booking.objects.create(event=fair.event, booth=booth, application=app, status=BookingStatus.CONFIRMED)
    tables[0].booth = booth
    tables[0].save()
    return app.applicant


def test_who_may_run_a_table(fair, setup, host):
    _slots, tables, meeting = setup
    code = badge_code(fair, fair.buyers[0])
    with pytest.raises(NotAParticipant):  # not the host of table 1
        scan(fair, tables[1], code, user=host)
    for outsider in (fair.buyers[1].user, fair.buyers[0].user, user_with_role(fair.event, EventRole.Role.SPEAKER)):
        with pytest.raises(NotAParticipant):
            scan(fair, tables[0], code, user=outsider)
    with pytest.raises(InvalidRequest):
        day.check_in_by_badge(event=fair.event, table_id=999999, code=code, user=fair.desk)
    result = scan(fair, tables[0], code, user=host)
    assert result.status == day.CHECKED_IN
    meeting.refresh_from_db()
    assert meeting.checked_in_by == host


# --- the page ------------------------------------------------------------------------------------------------


def url(fair, **query):
    base = reverse("matchmaking:table_checkin", args=[fair.event.slug])
    return base + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def test_page_scans_by_fetch_and_answers_with_a_word(client, fair, setup):
    _slots, tables, meeting = setup
    client.force_login(fair.desk)
    page = client.get(url(fair, table=tables[0].pk))
    assert page.status_code == 200
    html = page.content.decode()
    assert 'id="tc-code"' in html and "checkin/qr-camera.js" in html and fair.buyers[0].org.name in html
    answer = client.post(url(fair), {"table": tables[0].pk, "slot": "", "code": badge_code(fair, fair.buyers[0])},
                         headers={"X-Requested-With": "fetch"})
    assert answer.status_code == 200 and answer["X-Scan-Status"] == "checked_in"
    box = answer.content.decode()
    assert 'data-status="checked_in"' in box and fair.producers[0].org.name in box
    assert 'id="tc-meetings"' in box and "mm-status-held" in box  # the table's meetings as they stand now
    assert "ĐÃ ĐIỂM DANH" in box  # the word, in the page language
    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.HELD


def test_page_without_javascript_shows_the_whole_page_with_the_answer(client, fair, setup):
    _slots, tables, meeting = setup
    client.force_login(fair.organizer)
    response = client.post(url(fair), {"table": tables[1].pk, "code": badge_code(fair, fair.buyers[0])})
    html = response.content.decode()
    assert response.status_code == 200 and 'data-status="elsewhere"' in html and 'id="tc-code"' in html
    assert str(tables[0]) in html  # where their meeting is


def test_page_answers_forged_and_revoked_codes(client, fair, setup):
    _slots, tables, meeting = setup
    client.force_login(fair.desk)
    registration = CheckinRegistrationFactory(event=fair.event, user=fair.buyers[0].user,
                                              organization=fair.buyers[0].org)
    badge = badges.ensure_badge(registration)
    old = badges.token_for(badge)
    badges.reissue_badge(badge=badge)
    for code, status in ((forge(old), "forged"), (old, "revoked")):
        answer = client.post(url(fair), {"table": tables[0].pk, "code": code}, headers={"X-Requested-With": "fetch"})
        assert answer["X-Scan-Status"] == status and f'data-status="{status}"' in answer.content.decode()
    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.SCHEDULED


@pytest.mark.parametrize("who,expected", [
    ("anonymous", 302), ("buyer", 403), ("exhibitor", 403), ("speaker", 403), ("host", 200), ("desk", 200),
    ("organizer", 200), ("other_organizer", 403),
])
def test_permission_matrix(client, fair, setup, host, who, expected):
    from tests.matchmaking.factories import fair as make_fair

    users = {"buyer": fair.buyers[0].user, "exhibitor": fair.producers[0].user,
             "speaker": user_with_role(fair.event, EventRole.Role.SPEAKER), "host": host, "desk": fair.desk,
             "organizer": fair.organizer, "other_organizer": make_fair(buyers=0, producers=0).organizer}
    if who != "anonymous":
        client.force_login(users[who])
    _slots, tables, meeting = setup
    assert client.get(url(fair)).status_code == expected
    response = client.post(url(fair), {"table": tables[0].pk, "code": badge_code(fair, fair.buyers[0])},
                           headers={"X-Requested-With": "fetch"})
    assert response.status_code == expected
    meeting.refresh_from_db()
    assert (meeting.status == Meeting.Status.HELD) == (expected == 200)


def test_host_sees_only_its_tables_and_cannot_post_for_another(client, fair, setup, host):
    _slots, tables, meeting = setup
    client.force_login(host)
    html = client.get(url(fair)).content.decode()
    table_select = html[html.index('id="tc-table"'):html.index('id="tc-slot"')]
    assert f'<option value="{tables[0].pk}"' in table_select and f'<option value="{tables[1].pk}"' not in table_select
    response = client.post(url(fair), {"table": tables[1].pk, "code": badge_code(fair, fair.buyers[0])},
                           headers={"X-Requested-With": "fetch"})
    assert response.status_code == 400 and response["X-Scan-Status"] == "error"
    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.SCHEDULED


def test_table_check_in_is_linked_for_staff_and_hosts(client, fair, setup, host):
    page = reverse("matchmaking:table_checkin", args=[fair.event.slug])
    client.force_login(host)
    assert page in client.get(reverse("matchmaking:schedule", args=[fair.event.slug])).content.decode()
    client.force_login(fair.producers[0].user)  # an exhibitor hosting no table
    assert page not in client.get(reverse("matchmaking:schedule", args=[fair.event.slug])).content.decode()
    client.force_login(fair.desk)
    assert page in client.get(reverse("matchmaking:board", args=[fair.event.slug])).content.decode()
