"""Offline desks (issue 10): delta sync by change number, idempotent batch upload through redeem_badge,
earliest-admission-wins conflicts, the desk endpoints, and query counts that do not grow with the list."""

import json
import threading
import uuid
from datetime import timedelta

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from checkin.models import CheckIn, CheckinConflict, DeskReport, ScanStatus
from checkin.services import offline
from checkin.services.offline import OfflineError, OfflineScan
from eventsite.models import EventRole
from registration.models import Badge, RegistrationStatus
from registration.services import badge_changes, badges, registrations, tokens
from tests.checkin.scans import scan_answer, scan_log
from tests.factories import user_with_role
from tests.registration.factories_checkin import CheckinRegistrationFactory, bulk_registrations

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_key_cache():
    tokens.forget_cached_keys()
    yield
    tokens.forget_cached_keys()


@pytest.fixture
def reg():
    return CheckinRegistrationFactory()


@pytest.fixture
def desk(reg):
    return user_with_role(reg.event, EventRole.Role.DESK_STAFF)


def scan(code, at, gate="Cổng A", n=None):
    return OfflineScan(code=code, gate=gate, nonce=n or uuid.uuid4().hex, scanned_at=at)


# --- delta sync ------------------------------------------------------------------------------------------------


def test_full_list_is_compact_and_has_no_contact_details(reg):
    badge = badges.ensure_badge(reg)
    data = offline.desk_list(event=reg.event, since=0)
    assert data["full"] is True and data["e"] == reg.event_id and data["v"] >= 1
    assert data["b"] == [[badge.pk, reg.full_name, reg.company, "buyer", 1, 1]]
    text = json.dumps(data, ensure_ascii=False)
    assert reg.email not in text and reg.phone not in text
    assert len(tokens.public_key(reg.event_id)) == 32


def test_delta_carries_only_changes_after_the_version(reg):
    others = [CheckinRegistrationFactory(event=reg.event) for _ in range(5)]
    badges.ensure_badges([reg, *others])
    first = offline.desk_list(event=reg.event, since=0)
    assert len(first["b"]) == 6
    assert offline.desk_list(event=reg.event, since=first["v"])["b"] == []  # nothing changed

    registrations.reject(registration=others[0])  # a decision through the service
    badge = Badge.objects.get(registration=others[1])
    badges.reissue_badge(badge=badge)  # a new issue: the old token goes on the revocation list
    delta = offline.desk_list(event=reg.event, since=first["v"], revoked_after=first["rv"])
    assert delta["full"] is False and delta["v"] > first["v"]
    rows = {row[0]: row for row in delta["b"]}
    assert set(rows) == {Badge.objects.get(registration=others[0]).pk, badge.pk}
    assert rows[badge.pk][5] == 2 and rows[Badge.objects.get(registration=others[0]).pk][4] == 0
    assert delta["r"] == [[badge.pk, 1]]
    # The next delta after this one is empty again, and revocations are not sent twice.
    again = offline.desk_list(event=reg.event, since=delta["v"], revoked_after=delta["rv"])
    assert again["b"] == [] and again["r"] == []


def test_a_desk_ahead_of_the_server_gets_a_full_list(reg):
    badges.ensure_badge(reg)
    assert offline.desk_list(event=reg.event, since=10**9)["full"] is True


def test_sync_queries_do_not_grow_with_the_list(django_assert_max_num_queries, reg, client, desk):
    client.force_login(desk)
    url = reverse("checkin:desk_sync", kwargs={"event_slug": reg.event.slug})
    tokens.public_key(reg.event_id)
    for size in (10, 300):
        badges.ensure_badges(bulk_registrations(reg.event, size, start=size * 10))
        # session, user, event, roles, desk report (1 UPDATE), version, revocations, badges, the organizer's
        # choice on check-in outside the dates
        with django_assert_max_num_queries(9 if size == 300 else 13):
            response = client.post(url, {"desk": "desk-0001", "gate": "A", "queue": "3", "since": "0"})
        assert response.status_code == 200
        assert len(response.json()["b"]) == Badge.objects.filter(event=reg.event).count()


def test_sync_endpoint_records_the_desk_report_and_gzips(reg, client, desk):
    badges.ensure_badges(bulk_registrations(reg.event, 50))
    client.force_login(desk)
    url = reverse("checkin:desk_sync", kwargs={"event_slug": reg.event.slug})
    response = client.post(url, {"desk": "desk-0001", "gate": "Cổng B", "queue": "7", "since": "0"},
                           HTTP_ACCEPT_ENCODING="gzip")
    assert response.status_code == 200 and response["Content-Encoding"] == "gzip"
    report = DeskReport.objects.get(event=reg.event)
    assert (report.gate, report.queue_length, report.user) == ("Cổng B", 7, desk)
    assert client.post(url, {"desk": "x"}).json() == {"status": "error", "reason": "bad_desk"}


def test_desk_endpoints_are_for_desk_staff_only(reg, client):
    outsider = user_with_role(reg.event, EventRole.Role.BUYER)
    client.force_login(outsider)
    for name in ("desk_sync", "desk_upload"):
        assert client.post(reverse(f"checkin:{name}", kwargs={"event_slug": reg.event.slug})).status_code == 403


# --- upload ---------------------------------------------------------------------------------------------------


def test_batch_upload_is_idempotent(reg, desk):
    others = [CheckinRegistrationFactory(event=reg.event) for _ in range(3)]
    codes = [badges.token_for(badges.ensure_badge(r)) for r in [reg, *others]]
    at = timezone.now() - timedelta(minutes=5)
    batch = [scan(c, at + timedelta(seconds=i)) for i, c in enumerate(codes)]
    first = offline.upload_scans(event=reg.event, user=desk, scans=batch)
    again = offline.upload_scans(event=reg.event, user=desk, scans=batch)
    assert [r.status for r in first] == ["ok"] * 4
    assert [r.status for r in again] == ["ok"] * 4 and all(r.replayed for r in again)
    assert CheckIn.objects.filter(event=reg.event).count() == 4
    assert scan_log(reg.event).count() == 4
    checkin = CheckIn.objects.get(badge__registration=reg)
    assert checkin.at == at  # dated when the desk scanned, not when it uploaded
    assert not CheckinConflict.objects.exists()


def test_earliest_offline_admission_wins_and_the_other_is_a_conflict(reg, desk):
    code = badges.token_for(badges.ensure_badge(reg))
    other_desk = user_with_role(reg.event, EventRole.Role.DESK_STAFF)
    t0 = timezone.now() - timedelta(minutes=10)
    # Desk B (later scan) reconnects first, then desk A (earlier scan).
    (b,) = offline.upload_scans(event=reg.event, user=other_desk, scans=[scan(code, t0 + timedelta(minutes=2),
                                                                             gate="Cổng B")])
    (a,) = offline.upload_scans(event=reg.event, user=desk, scans=[scan(code, t0, gate="Cổng A")])
    assert b.status == a.status == ScanStatus.OK
    live = CheckIn.objects.get(event=reg.event, annulled_at__isnull=True)
    assert (live.gate, live.at, live.by_user) == ("Cổng A", t0, desk)
    assert CheckIn.objects.filter(event=reg.event).count() == 2  # the later one is annulled, not counted
    conflict = CheckinConflict.objects.get()
    assert (conflict.kept, conflict.other_gate, conflict.other_by) == (live, "Cổng B", other_desk)
    badge = Badge.objects.get(registration=reg)
    assert (badge.checked_in_at, badge.checked_in_gate) == (t0, "Cổng A")
    # A third, later offline admission: already in, recorded as a conflict, still one check-in.
    (c,) = offline.upload_scans(event=reg.event, user=desk, scans=[scan(code, t0 + timedelta(minutes=5),
                                                                       gate="Cổng C")])
    assert c.status == ScanStatus.ALREADY
    assert CheckIn.objects.filter(event=reg.event, annulled_at__isnull=True).count() == 1
    assert CheckinConflict.objects.count() == 2
    assert offline.conflicts(reg.event)[0].other_gate == "Cổng C"


def test_offline_scan_after_an_online_checkin_is_a_conflict_not_a_second_count(reg, desk):
    from checkin.services import checkin

    code = badges.token_for(badges.ensure_badge(reg))
    assert checkin.redeem_badge(code=code, gate="Online", nonce=uuid.uuid4().hex, device_or_user=desk,
                                event=reg.event).ok
    (late,) = offline.upload_scans(event=reg.event, user=desk, scans=[scan(code, timezone.now())])
    assert late.status == ScanStatus.ALREADY
    assert CheckIn.objects.filter(event=reg.event, annulled_at__isnull=True).get().gate == "Online"
    assert CheckinConflict.objects.count() == 1


def test_uploaded_bad_codes_get_their_status(reg, desk):
    code = badges.token_for(badges.ensure_badge(reg))
    forged = code[:-3] + ("A" if code[-3] != "A" else "B") + code[-2:]
    results = offline.upload_scans(event=reg.event, user=desk, scans=[
        scan("HELLO", timezone.now()), scan(forged, timezone.now()), scan(code, timezone.now(), gate="")])
    assert [r.status for r in results][:2] in (["malformed", "forged"], ["malformed", "malformed"])
    assert results[2].status == "error"
    assert not CheckIn.objects.exists()


def test_parse_scans_validates_and_clamps_clock():
    now = timezone.now()
    future = (now + timedelta(hours=2)).isoformat()
    (one,) = offline.parse_scans([{"code": "X", "gate": "A", "nonce": "n" * 10, "scanned_at": future}], now=now)
    assert one.scanned_at == now
    for bad in (None, [], "x", [1], [{"code": "X"}], [{"code": "X", "gate": "A", "nonce": "n" * 10,
                                                       "scanned_at": "yesterday"}]):
        with pytest.raises(OfflineError):
            offline.parse_scans(bad)
    with pytest.raises(OfflineError) as error:
        offline.parse_scans([{"code": "X", "gate": "A", "nonce": "n" * 10, "scanned_at": future}] * 501)
    assert error.value.code == "batch_too_large"


def test_upload_endpoint(reg, client, desk):
    code = badges.token_for(badges.ensure_badge(reg))
    client.force_login(desk)
    url = reverse("checkin:desk_upload", kwargs={"event_slug": reg.event.slug})
    body = {"scans": [{"code": code, "gate": "Cổng A", "nonce": "nonce-0001",
                       "scanned_at": (timezone.now() - timedelta(minutes=1)).isoformat()}]}
    for _ in range(2):
        response = client.post(url, json.dumps(body), content_type="application/json")
        assert response.status_code == 200
        assert response.json()["results"][0]["s"] == "ok"
    assert CheckIn.objects.count() == 1
    assert client.post(url, "not json", content_type="application/json").json()["reason"] == "bad_batch"
    assert client.post(url, json.dumps({"scans": "x"}), content_type="application/json").status_code == 400


def test_upload_queries_per_scan_are_constant(django_assert_max_num_queries, reg, desk):
    regs = bulk_registrations(reg.event, 40)
    codes = [badges.token_for(b) for b in badges.ensure_badges(regs).values()]
    tokens.public_key(reg.event_id)
    now = timezone.now()
    for chunk in (codes[:10], codes[10:40]):
        # per scan: lock the badge + read the nonce, insert the check-in, update the badge, log the scan, and the
        # scan's savepoint (2); per batch: the live-update-free outer transaction
        with django_assert_max_num_queries(6 * len(chunk) + 2):
            offline.upload_scans(event=reg.event, user=desk, scans=[scan(c, now) for c in chunk])
    assert CheckIn.objects.count() == 40


def test_status_change_reaches_the_desk_list(reg):
    badges.ensure_badge(reg)
    v = offline.desk_list(event=reg.event)["v"]
    reg.status = RegistrationStatus.CANCELLED
    reg.save()
    assert offline.desk_list(event=reg.event, since=v)["b"][0][4] == 0


# --- PostgreSQL: real parallel uploads -------------------------------------------------------------------------


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_parallel_uploads_from_many_desks_keep_one_checkin_the_earliest():
    reg = CheckinRegistrationFactory()
    code = badges.token_for(badges.ensure_badge(reg))
    desks = [user_with_role(reg.event, EventRole.Role.DESK_STAFF) for _ in range(8)]
    t0 = timezone.now() - timedelta(minutes=30)
    barrier = threading.Barrier(8)
    errors = []

    def worker(i):
        try:
            barrier.wait()
            offline.upload_scans(event=reg.event, user=desks[i],
                                 scans=[scan(code, t0 + timedelta(seconds=i), gate=f"Cổng {i}")])
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    live = CheckIn.objects.filter(event=reg.event, annulled_at__isnull=True)
    assert live.count() == 1 and live.get().gate == "Cổng 0"
    assert CheckinConflict.objects.filter(event=reg.event).count() == 7


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_parallel_changes_get_distinct_versions_in_commit_order():
    regs = [CheckinRegistrationFactory() for _ in range(1)]
    event = regs[0].event
    many = bulk_registrations(event, 20)
    found = badges.ensure_badges(many)
    barrier = threading.Barrier(10)

    def worker(i):
        barrier.wait()
        for badge in list(found.values())[i * 2:i * 2 + 2]:
            badges.reissue_badge(badge=badge)
        connection.close()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(10)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    versions = list(Badge.objects.filter(event=event).values_list("sync_version", flat=True))
    assert len(set(versions)) == 20 and max(versions) == badge_changes.current_version(event.pk)


# --- installable desk: service worker and manifest ---------------------------------------------------------------


def test_service_worker_is_versioned_by_its_assets(reg, client, monkeypatch):
    from checkin.views import offline as views

    url = reverse("checkin:desk_sw", kwargs={"event_slug": reg.event.slug})
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"].startswith("text/javascript")
    assert response["Service-Worker-Allowed"] == f"/e/{reg.event.slug}/desk/"
    config = json.loads(response.content.decode().split("self.KETNOI_DESK = ", 1)[1].split(";\n", 1)[0])
    assert config["page"] == f"/e/{reg.event.slug}/desk/"
    assert "/static/checkin/desk-offline.js" in config["assets"]
    assert any(a.endswith(".woff2") for a in config["assets"])  # the fonts the CSS loads, too
    # A changed asset is a new release (new cache name; the old cache is deleted on activation).
    original = views.read_asset
    views.release.cache_clear()
    monkeypatch.setattr(views, "read_asset", lambda name: original(name) + (b"/* v2 */" if name.endswith("desk.js")
                                                                      else b""))
    try:
        assert views.release()[0] != config["release"]
    finally:
        views.release.cache_clear()


def test_manifest_makes_the_desk_installable(reg, client):
    response = client.get(reverse("checkin:desk_manifest", kwargs={"event_slug": reg.event.slug}),
                          HTTP_ACCEPT_LANGUAGE="vi")
    data = response.json()
    assert response["Content-Type"] == "application/manifest+json"
    assert data["start_url"] == data["scope"] == f"/e/{reg.event.slug}/desk/"
    assert data["display"] == "standalone" and {i["sizes"] for i in data["icons"]} == {"192x192", "512x512"}


# --- deletions (tombstones) ------------------------------------------------------------------------------------


def test_a_deleted_registration_leaves_a_tombstone_in_the_delta(reg):
    others = [CheckinRegistrationFactory(event=reg.event) for _ in range(3)]
    issued = badges.ensure_badges([reg, *others])
    first = offline.desk_list(event=reg.event, since=0)
    gone = issued[others[0].pk].pk
    others[0].delete()  # the registration is removed: its badge goes with it
    delta = offline.desk_list(event=reg.event, since=first["v"], revoked_after=first["rv"])
    assert delta["full"] is False and delta["d"] == [gone] and delta["v"] > first["v"]
    assert offline.desk_list(event=reg.event, since=delta["v"])["d"] == []  # told once
    full = offline.desk_list(event=reg.event, since=0)
    assert gone not in {row[0] for row in full["b"]} and full["d"] == []


def test_a_desk_behind_the_pruned_tombstones_gets_a_full_list(reg):
    from registration.models import DeskSyncCounter, DeskTombstone

    others = [CheckinRegistrationFactory(event=reg.event) for _ in range(2)]
    badges.ensure_badges([reg, *others])
    old = offline.desk_list(event=reg.event, since=0)
    others[0].delete()
    DeskTombstone.objects.update(created_at=timezone.now() - timedelta(days=badge_changes.TOMBSTONE_DAYS + 1))
    others[1].delete()  # writing a tombstone prunes the old ones and raises the floor
    assert DeskTombstone.objects.filter(event=reg.event).count() == 1
    assert DeskSyncCounter.objects.get(event=reg.event).floor > old["v"]
    behind = offline.desk_list(event=reg.event, since=old["v"])
    assert behind["full"] is True and [row[0] for row in behind["b"]] == [Badge.objects.get(registration=reg).pk]


def test_deleting_an_event_writes_no_tombstone(reg):
    from registration.models import DeskTombstone

    badges.ensure_badge(reg)
    reg.event.delete()
    assert not DeskTombstone.objects.exists()


# --- refused scans are uploaded for the record -------------------------------------------------------------------


def test_refused_offline_scans_are_logged_never_counted(reg, desk):
    badge = badges.ensure_badge(reg)
    code = badges.token_for(badge)
    other = CheckinRegistrationFactory(event=reg.event)
    old_code = badges.token_for(badges.ensure_badge(other))
    badges.reissue_badge(badge=Badge.objects.get(registration=other))
    forged = code[:-3] + ("A" if code[-3] != "A" else "B") + code[-2:]
    now = timezone.now()
    items = [
        {"code": code, "local": "ok"},
        {"code": code, "local": "already_checked_in"},  # scanned twice at the desk
        {"code": old_code, "local": "revoked"},
        {"code": forged, "local": "forged"},
        {"code": "HELLO", "local": "malformed"},
    ]
    scans = offline.parse_scans([{**item, "gate": "Cổng A", "nonce": uuid.uuid4().hex,
                                  "scanned_at": (now - timedelta(seconds=10 - i)).isoformat()}
                                 for i, item in enumerate(items)], now=now)
    results = offline.upload_scans(event=reg.event, user=desk, scans=scans)
    assert [r.status for r in results][:3] == ["ok", "already_checked_in", "revoked"]
    assert results[3].status in ("forged", "malformed") and results[4].status == "malformed"
    assert CheckIn.objects.filter(event=reg.event).count() == 1
    logged = {entry.key: entry.after["status"] for entry in scan_log(reg.event)}
    assert [logged[s.nonce] for s in scans][:3] == ["ok", "already_checked_in", "revoked"]
    assert scan_answer(scans[2].nonce)["local"] == "revoked"
    assert not CheckinConflict.objects.exists()  # a repeated scan at one desk is not a double admission
    # Uploaded again (a lost answer): the same answers, nothing more.
    again = offline.upload_scans(event=reg.event, user=desk, scans=scans)
    assert [r.status for r in again] == [r.status for r in results]
    assert scan_log(reg.event).count() == 5


def test_a_refused_scan_the_server_would_admit_is_not_a_checkin(reg, desk):
    code = badges.token_for(badges.ensure_badge(reg))  # e.g. approved after the desk's list was taken
    (refused,) = offline.parse_scans([{"code": code, "gate": "A", "nonce": "n" * 12, "local": "not_approved",
                                       "scanned_at": timezone.now().isoformat()}])
    (result,) = offline.upload_scans(event=reg.event, user=desk, scans=[refused])
    assert result.status == ScanStatus.REFUSED_OFFLINE and not result.ok
    assert not CheckIn.objects.exists() and Badge.objects.get(registration=reg).checked_in_at is None
    log = scan_answer("n" * 12)
    assert log["status"] == ScanStatus.REFUSED_OFFLINE and log["local"] == "not_approved"


def test_parse_scans_rejects_an_unknown_local_verdict():
    with pytest.raises(OfflineError):
        offline.parse_scans([{"code": "X", "gate": "A", "nonce": "n" * 10, "local": "refused_offline",
                              "scanned_at": timezone.now().isoformat()}])


# --- organizers hear of each desk sync; logout clears the browser's copy ---------------------------------------


def test_a_desk_sync_is_broadcast_to_the_dashboard(reg, client, desk, monkeypatch):
    from checkin.views import offline as views

    sent = []
    monkeypatch.setattr(views, "broadcast_on_commit", lambda event_id, topic, message: sent.append(
        (event_id, topic, message)))
    client.force_login(desk)
    url = reverse("checkin:desk_sync", kwargs={"event_slug": reg.event.slug})
    client.post(url, {"desk": "desk-0001", "gate": "A", "queue": "4", "since": "0"})
    assert sent == [(reg.event_id, "checkin", {"type": "checkin.changed", "delta": 0, "desk": True})]
    client.post(url, {"desk": "bad"})  # a refused report announces nothing
    assert len(sent) == 1


def test_logout_answer_clears_site_storage_but_not_cookies(client, desk):
    client.force_login(desk)
    response = client.post(reverse("account_logout"))
    assert response.status_code == 302
    assert response["Clear-Site-Data"] == '"storage"'
    assert client.get("/").get("Clear-Site-Data") is None  # only the logout answer


def test_the_dashboard_lists_one_desk_per_gate_and_person(reg, client, desk):
    """A desk reopened in a fresh browser reports under a new id; the organizer sees one desk, its queues summed."""
    other = user_with_role(reg.event, EventRole.Role.DESK_STAFF)
    offline.report_desk(event=reg.event, user=desk, desk_id="old-browser", gate="Cổng A", queue_length=2,
                        list_version=1)
    offline.report_desk(event=reg.event, user=desk, desk_id="new-browser", gate="Cổng A", queue_length=1,
                        list_version=2)
    offline.report_desk(event=reg.event, user=other, desk_id="third-browser", gate="Cổng A", queue_length=0,
                        list_version=2)
    rows = offline.desk_reports(reg.event)
    assert sorted((r.user.pk, r.gate, r.queue_length, r.browsers) for r in rows) == sorted(
        [(desk.pk, "Cổng A", 3, 2), (other.pk, "Cổng A", 0, 1)])

    client.force_login(user_with_role(reg.event, EventRole.Role.ORGANIZER))
    page = client.get(reverse("checkin:dashboard", kwargs={"event_slug": reg.event.slug}))
    assert page.status_code == 200
    assert page.content.decode().count("<th scope=\"row\">Cổng A</th>") == 2
