"""The check-in desk keeps working when the venue network drops (issue 10): local Ed25519 verification, a durable
queue in IndexedDB that survives a reload, upload on reconnect through the same redeem service, and the earliest
admission winning when two offline desks let the same badge in."""

from __future__ import annotations

import base64
import re
from datetime import UTC, datetime

import pytest
from django.conf import settings
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import expect

from checkin.models import CheckIn, CheckinConflict, DeskReport
from eventsite.models import EventRole
from registration.models import Badge
from registration.services import badge_changes
from registration.services.badges import ensure_badge, reissue_badge, token_for
from tests.asgi_server import asgi_server, free_port
from tests.browser.conftest import STEP_TIMEOUT_MS, assert_accessible, log_in, screenshot
from tests.checkin.scans import scan_log
from tests.factories import PASSWORD, EventFactory, EventRoleFactory, user_with_role
from tests.registration.factories_checkin import CheckinRegistrationFactory

pytestmark = pytest.mark.browser
EMPTY = re.compile(r"^0$")  # the queue length shown, exactly (not "10")


def forge(code: str) -> str:
    """The same claims with one bit of the signature flipped: well-formed, not genuine."""
    raw = bytearray(base64.b32decode(code + "=" * (-len(code) % 8)))
    raw[-5] ^= 0x01
    return base64.b32encode(bytes(raw)).decode().rstrip("=")


def open_desk(page, event, user, gate: str) -> None:
    log_in(page, user.email, PASSWORD)
    page.goto(f"/e/{event.slug}/desk/?gate={gate}")
    page.locator("#desk[data-list-version]").wait_for(state="attached", timeout=30_000)  # list in IndexedDB
    # The service worker is active, controls the page and has cached it for offline reloads.
    # (page.evaluate, not wait_for_function: the page's CSP forbids the eval the latter uses)
    assert page.evaluate("""async () => {
        await navigator.serviceWorker.ready;
        for (let i = 0; i < 100 && !navigator.serviceWorker.controller; i += 1) {
            await new Promise((r) => setTimeout(r, 50));
        }
        return Boolean(navigator.serviceWorker.controller) && (await caches.keys()).length > 0;
    }""")


def scan(page, code: str) -> dict:
    """Type a code as a keyboard-wedge scanner does (characters, then Enter) and read the answer shown."""
    page.evaluate("document.getElementById('scan-result').replaceChildren()")
    page.locator("#scan-code").focus()
    page.keyboard.type(code, delay=0)
    page.keyboard.press("Enter")
    box = page.locator("#scan-result-box")
    box.wait_for()
    return {"status": box.get_attribute("data-status"), "offline": box.get_attribute("data-offline"),
            "text": box.inner_text()}


def accessible_offline(page, name: str) -> None:
    """assert_accessible without fetching axe-core (already loaded while online: the network is off now)."""
    result = page.evaluate(
        "async () => await axe.run(document, {runOnly: ['wcag2a','wcag2aa','wcag21a','wcag21aa','wcag22aa']})"
    )
    screenshot(page, name)
    bad = [(v["id"], [n["target"] for n in v["nodes"][:5]]) for v in result["violations"]
           if v["impact"] in ("serious", "critical")]
    assert not bad, bad


def watch_csp(page) -> list[str]:
    found: list[str] = []
    page.on("console", lambda m: found.append(m.text) if "Content Security Policy" in m.text else None)
    return found


def test_offline_scans_survive_reload_and_upload_once(page, context, live_app):
    event = EventFactory(slug="hau-giang-offline", name="Hội chợ OCOP Hậu Giang")
    registrations = [CheckinRegistrationFactory(event=event) for _ in range(18)]
    codes = [token_for(ensure_badge(r)) for r in registrations]
    revoked_code = codes.pop()  # the last badge is reissued: its old code is revoked
    reissue_badge(badge=Badge.objects.get(registration=registrations[-1]))
    valid = codes  # 17 genuine, current badges
    desk_user = user_with_role(event, EventRole.Role.DESK_STAFF)

    open_desk(page, event, desk_user, "Cổng 1")
    assert_accessible(page, "offline-desk-online")  # also loads axe-core while the network is there
    assert page.locator("#desk-status [data-net]").inner_text() == "Trực tuyến"
    context.set_offline(True)
    page.locator("#desk-status[data-online='0']").wait_for()

    plan = [(c, "ok") for c in valid[:8]] + [(revoked_code, "revoked"), (valid[3], "already_checked_in"),
                                               (forge(valid[9]), "forged")] + [(c, "ok") for c in valid[8:]]
    assert len(plan) == 20
    for code, expected in plan:
        answer = scan(page, code)
        assert answer["status"] == expected, (expected, answer)
        assert answer["offline"] == "1" and "NGOẠI TUYẾN" in answer["text"]
    # Every scan waits to upload: 17 admissions and the 3 refusals (logged by the server, never counted).
    assert page.locator("#desk-status [data-queue]").inner_text() == "20"
    screenshot(page, "offline-desk-queue")
    assert CheckIn.objects.filter(event=event).count() == 0  # nothing reached the server

    # Reloading while offline keeps the queue and the local log.
    accessible_offline(page, "offline-desk-offline")
    page.reload()
    page.locator("#desk-status [data-queue]", has_text=re.compile(r"^20$")).wait_for()
    assert scan(page, valid[0])["status"] == "already_checked_in"

    # Back online: the queue goes up in order, once.
    context.set_offline(False)
    page.locator("#desk-status [data-queue]", has_text=EMPTY).wait_for(timeout=STEP_TIMEOUT_MS)
    live = CheckIn.objects.filter(event=event, annulled_at__isnull=True)
    assert live.count() == 17
    assert sorted(live.values_list("badge__registration_id", flat=True)) == sorted(r.pk for r in registrations[:17])
    offline_log = [e.after for e in scan_log(event) if e.after["scanned_at"]]  # the 20 + 1 after the reload
    assert len(offline_log) == 21
    assert sorted(a["status"] for a in offline_log if a["status"] != "ok") == [
        "already_checked_in", "already_checked_in", "forged", "revoked"]
    # A second upload of the same queue (e.g. a lost answer) changes nothing: the nonces were seen.
    page.evaluate("window.KetnoiDeskOffline.flush()")
    assert CheckIn.objects.filter(event=event).count() == 17
    # Online scanning carries on as before.
    assert scan(page, valid[1])["status"] == "already_checked_in"


def test_two_offline_desks_admit_same_badge_one_checkin_one_conflict(browser, live_app, transactional_db):
    event = EventFactory(slug="soc-trang-offline", name="Hội chợ OCOP Sóc Trăng")
    registration = CheckinRegistrationFactory(event=event, full_name="Thạch Thị Sà Rươl")
    code = token_for(ensure_badge(registration))
    organizer = user_with_role(event, EventRole.Role.ORGANIZER)
    contexts, pages, violations = [], [], []
    try:
        for gate in ("Cổng A", "Cổng B"):
            ctx = browser.new_context(base_url=live_app.url, viewport={"width": 1280, "height": 900},
                                      locale="vi-VN")
            ctx.set_default_timeout(STEP_TIMEOUT_MS)
            tab = ctx.new_page()
            violations.append(watch_csp(tab))
            open_desk(tab, event, user_with_role(event, EventRole.Role.DESK_STAFF), gate)
            ctx.set_offline(True)
            tab.locator("#desk-status[data-online='0']").wait_for()
            contexts.append(ctx)
            pages.append(tab)
        desk_a, desk_b = pages
        assert scan(desk_a, code)["status"] == "ok"  # first admission, at gate A
        desk_a.wait_for_timeout(20)
        assert scan(desk_b, code)["status"] == "ok"  # desk B cannot know: it admits too

        # B reconnects first: its (later) admission is recorded, then A's earlier one replaces it.
        contexts[1].set_offline(False)
        desk_b.locator("#desk-status [data-queue]", has_text=EMPTY).wait_for(timeout=STEP_TIMEOUT_MS)
        assert CheckIn.objects.get(event=event, annulled_at__isnull=True).gate == "Cổng B"
        contexts[0].set_offline(False)
        desk_a.locator("#desk-status [data-queue]", has_text=EMPTY).wait_for(timeout=STEP_TIMEOUT_MS)

        live = CheckIn.objects.filter(event=event, annulled_at__isnull=True)
        assert live.count() == 1 and live.get().gate == "Cổng A"
        conflict = CheckinConflict.objects.get(event=event)
        assert conflict.kept == live.get() and conflict.other_gate == "Cổng B"

        ctx = browser.new_context(base_url=live_app.url, viewport={"width": 1280, "height": 900}, locale="vi-VN")
        contexts.append(ctx)
        dash = ctx.new_page()
        violations.append(watch_csp(dash))
        log_in(dash, organizer.email, PASSWORD)
        dash.goto(f"/e/{event.slug}/checkin/")
        assert dash.locator("#checked-in-total").inner_text() == "1"
        conflicts = dash.locator("#checkin-conflicts")
        assert "Thạch Thị Sà Rươl" in conflicts.inner_text() and "Cổng B" in conflicts.inner_text()
        assert "Cổng A" in dash.locator(".desk-list").inner_text()
        assert_accessible(dash, "offline-conflicts-dashboard")
        assert not any(violations), violations
    finally:
        for ctx in contexts:
            ctx.close()


# --- what the browser holds --------------------------------------------------------------------------------------

_IDB = """async (name) => {
    if (!(await indexedDB.databases()).some((d) => d.name === name)) return null;
    const db = await new Promise((ok, ko) => {
        const r = indexedDB.open(name);
        r.onsuccess = () => ok(r.result);
        r.onerror = () => ko(r.error);
    });
    const count = (store, q) => new Promise((ok) => {
        const s = db.transaction(store).objectStore(store);
        const r = q === undefined ? s.count() : s.index("q").count(q);
        r.onsuccess = () => ok(r.result);
    });
    const out = {badges: await count("badges"), meta: await count("meta"), queued: await count("scans", 1),
                 answered: await count("scans", 0)};
    db.close();
    return out;
}"""

_SITE = """async () => ({
    databases: (await indexedDB.databases()).map((d) => d.name).sort(),
    caches: (await caches.keys()).sort(),
    workers: (await navigator.serviceWorker.getRegistrations()).map((r) => new URL(r.scope).pathname).sort(),
    local: Object.keys(localStorage).sort(),
})"""


def idb(page, slug: str) -> dict | None:
    """Counts in the event's desk database (None when the browser has no such database)."""
    return page.evaluate(_IDB, f"ketnoi-desk:{slug}")


def site(page) -> dict:
    return page.evaluate(_SITE)


def test_logout_from_another_page_leaves_no_desk_data(page, context, live_app):
    event = EventFactory(slug="ca-mau-logout", name="Hội chợ OCOP Cà Mau")
    code = token_for(ensure_badge(CheckinRegistrationFactory(event=event)))
    desk_user = user_with_role(event, EventRole.Role.DESK_STAFF)
    context.add_cookies([{"name": settings.LANGUAGE_COOKIE_NAME, "value": "vi", "url": live_app.url}])
    open_desk(page, event, desk_user, "Cổng 1")
    assert idb(page, event.slug)["badges"] == 1
    # The server stops answering: the desk admits on its own and queues the scan.
    page.evaluate("window.KetnoiDeskOffline.unreachable()")
    assert scan(page, code)["status"] == "ok"
    page.locator("#desk-status [data-queue]", has_text=re.compile(r"^1$")).wait_for()

    # Logging out from another page's header warns first: those scans would be lost.
    page.goto(f"/e/{event.slug}/")
    asked: list[str] = []
    page.once("dialog", lambda dialog: (asked.append(dialog.message), dialog.dismiss()))
    logout = page.locator("form[data-logout] button")
    logout.click()
    assert asked and "chưa được gửi" in asked[0]
    assert page.locator("form[data-logout]").count() == 1  # still signed in
    assert idb(page, event.slug)["queued"] == 1

    page.once("dialog", lambda dialog: dialog.accept())
    logout.click()
    page.locator("form[data-logout]").wait_for(state="detached")
    # Clear-Site-Data: "storage" on the logout answer: no database, cache, worker or local data is left ...
    assert site(page) == {"databases": [], "caches": [], "workers": [], "local": []}
    # ... and the language cookie is kept.
    assert any(c["name"] == settings.LANGUAGE_COOKIE_NAME for c in context.cookies())
    # Offline, the desk address opens nothing (no cached signed-in copy of the page).
    context.set_offline(True)
    with pytest.raises(PlaywrightError):
        page.goto(f"/e/{event.slug}/desk/")


def test_desk_signed_out_drops_its_list_and_keeps_unsent_scans(page, context, live_app):
    event = EventFactory(slug="bac-lieu-signed-out", name="Hội chợ OCOP Bạc Liêu")
    codes = [token_for(ensure_badge(CheckinRegistrationFactory(event=event))) for _ in range(2)]
    desk_user = user_with_role(event, EventRole.Role.DESK_STAFF)
    open_desk(page, event, desk_user, "Cổng 1")
    context.set_offline(True)
    page.locator("#desk-status[data-online='0']").wait_for()
    assert scan(page, codes[0])["status"] == "ok"

    # The desk role is taken away (a session that expired answers the same way: not allowed).
    EventRole.objects.filter(event=event, user=desk_user).delete()
    context.set_offline(False)
    notice = page.locator("#desk-notice")
    notice.filter(has_text="không còn đăng nhập").wait_for()
    assert idb(page, event.slug) == {"badges": 0, "meta": 0, "queued": 1, "answered": 0}
    assert page.locator("#desk-status [data-queue]").inner_text() == "1"  # the admission waits for a user
    assert site(page)["caches"] == []  # no copy of the signed-in page either
    screenshot(page, "offline-desk-signed-out")
    assert CheckIn.objects.filter(event=event).count() == 0

    context.set_offline(True)
    page.locator("#desk-status[data-online='0']").wait_for()
    assert scan(page, codes[1])["status"] == "no_list"  # nothing left to check against


def test_opening_another_events_desk_removes_the_first_events_data(page, context, live_app):
    first = EventFactory(slug="vinh-long-a", name="Hội chợ OCOP Vĩnh Long")
    second = EventFactory(slug="tra-vinh-b", name="Hội chợ OCOP Trà Vinh")
    code = token_for(ensure_badge(CheckinRegistrationFactory(event=first)))
    ensure_badge(CheckinRegistrationFactory(event=second))
    desk_user = user_with_role(first, EventRole.Role.DESK_STAFF)
    EventRoleFactory(event=second, user=desk_user, role=EventRole.Role.DESK_STAFF)

    open_desk(page, first, desk_user, "Cổng 1")
    page.evaluate("window.KetnoiDeskOffline.unreachable()")  # the server does not answer: admitted locally
    assert scan(page, code)["status"] == "ok"
    role = EventRole.objects.get(event=first, user=desk_user)
    role.delete()  # its upload will be refused while the second event's desk opens

    page.goto(f"/e/{second.slug}/desk/?gate=Cổng 2")
    page.locator("#desk[data-list-version]").wait_for(state="attached", timeout=30_000)
    notice = page.locator("#desk-notice")
    notice.filter(has_text=first.slug).wait_for()
    assert page.locator("#desk").get_attribute("data-held") == "1"
    assert "1 lượt quét" in notice.inner_text()
    # The first event's list, key and page copy are gone; its unsent admission is kept, in its own database.
    assert idb(page, first.slug) == {"badges": 0, "meta": 0, "queued": 1, "answered": 0}
    left = site(page)
    assert not [k for k in left["caches"] if first.slug in k] and f"/e/{first.slug}/desk/" not in left["workers"]
    assert idb(page, second.slug)["badges"] == 1
    assert_accessible(page, "offline-desk-held-scans")

    # Allowed again: the next start uploads the held scan, then deletes the first event's database.
    EventRoleFactory(event=first, user=desk_user, role=EventRole.Role.DESK_STAFF)
    page.reload()
    page.locator("#desk[data-held='0']").wait_for(state="attached", timeout=STEP_TIMEOUT_MS)
    assert page.locator("#desk-notice").is_hidden()
    assert CheckIn.objects.filter(event=first, annulled_at__isnull=True).count() == 1
    assert idb(page, first.slug) is None


def test_delta_sync_revokes_and_deletes_and_the_status_bar_ages(page, context, live_app):
    event = EventFactory(slug="kien-giang-delta", name="Hội chợ OCOP Kiên Giang")
    registrations = [CheckinRegistrationFactory(event=event) for _ in range(3)]
    codes = [token_for(ensure_badge(r)) for r in registrations]
    desk_user = user_with_role(event, EventRole.Role.DESK_STAFF)
    context.clock.install()  # time flows, and can jump ahead
    open_desk(page, event, desk_user, "Cổng 1")
    status = page.locator("#desk-status")
    assert re.fullmatch(r"\d{2}:\d{2} \(vừa xong\)", status.locator("[data-synced]").inner_text())
    assert status.locator("[data-age]").inner_text() == "vừa xong"

    # On the server, after the desk took its list: one badge reissued (old code revoked), one registration removed.
    reissue_badge(badge=Badge.objects.get(registration=registrations[0]))
    registrations[1].delete()
    context.set_offline(True)
    status.locator("[data-net]", has_text="NGOẠI TUYẾN").wait_for()
    context.clock.fast_forward("05:00")  # five minutes without a network (the 30 s timer fires, offline)
    status.locator("[data-age]", has_text="5 phút trước").wait_for()
    assert status.locator("[data-synced]").inner_text().endswith("(5 phút trước)")
    assert scan(page, codes[0])["status"] == "ok"  # the desk does not know yet
    page.evaluate("document.getElementById('scan-result').replaceChildren()")

    # Back online: the delta (version after the desk's) brings the revocation and the deletion.
    context.set_offline(False)
    page.locator(f"#desk[data-list-version='{badge_changes.current_version(event.pk)}']").wait_for(state="attached")
    status.locator("[data-age]", has_text="vừa xong").wait_for()
    context.set_offline(True)
    status.locator("[data-net]", has_text="NGOẠI TUYẾN").wait_for()
    assert scan(page, codes[0])["status"] == "revoked"
    assert scan(page, codes[1])["status"] == "unknown"  # deleted on the server: not admittable
    assert scan(page, codes[2])["status"] == "ok"


def test_a_new_release_replaces_the_cached_desk(browser, transactional_db, settings):
    from checkin.views import offline as views

    event = EventFactory(slug="dong-thap-release", name="Hội chợ OCOP Đồng Tháp")
    ensure_badge(CheckinRegistrationFactory(event=event))
    desk_user = user_with_role(event, EventRole.Role.DESK_STAFF)
    names = {}
    for salt in ("release-one", "release-two"):  # what two deploys would advertise
        settings.DESK_RELEASE_SALT = salt
        views.release.cache_clear()
        names[salt] = f"ketnoi-desk-{event.slug}-{views.release()[0]}"
    assets = views.release()[1]
    views.release.cache_clear()
    port = free_port()
    ctx = None
    try:
        with asgi_server({"KETNOI_DESK_RELEASE": "release-one"}, port=port) as server:
            ctx = browser.new_context(base_url=server.url, viewport={"width": 1280, "height": 900}, locale="vi-VN")
            ctx.set_default_timeout(STEP_TIMEOUT_MS)
            tab = ctx.new_page()
            open_desk(tab, event, desk_user, "Cổng 1")
            assert tab.evaluate("async () => await caches.keys()") == [names["release-one"]]
        with asgi_server({"KETNOI_DESK_RELEASE": "release-two"}, port=port):
            tab.reload()  # the browser checks the worker script on navigation: it changed, so it replaces it
            found = tab.evaluate("""async (wanted) => {
                for (let i = 0; i < 150; i += 1) {
                    const keys = await caches.keys();
                    if (keys.length === 1 && keys[0] === wanted) return keys;
                    await new Promise((r) => setTimeout(r, 100));
                }
                return await caches.keys();
            }""", names["release-two"])
            assert found == [names["release-two"]]  # the old cache is gone
            cached = tab.evaluate("""async (name) => (await (await caches.open(name)).keys())
                .map((r) => new URL(r.url).pathname)""", names["release-two"])
            assert f"/e/{event.slug}/desk/" in cached and len(set(cached)) == len(assets) + 1
            tab.locator("#desk[data-list-version]").wait_for(state="attached")
        # The server is gone: the new release's copy serves the desk.
        ctx.set_offline(True)
        tab.reload()
        tab.locator("#desk-status[data-online='0']").wait_for()
        assert tab.locator("h1").inner_text() == "Bàn check-in"
    finally:
        if ctx is not None:
            ctx.close()


def test_dashboard_desk_table_follows_desk_syncs(browser, context, page, live_app):
    event = EventFactory(slug="an-giang-dashboard", name="Hội chợ OCOP An Giang")
    codes = [token_for(ensure_badge(CheckinRegistrationFactory(event=event))) for _ in range(2)]
    organizer = user_with_role(event, EventRole.Role.ORGANIZER)
    dash_ctx = browser.new_context(base_url=live_app.url, viewport={"width": 1280, "height": 900}, locale="vi-VN")
    try:
        dash = dash_ctx.new_page()
        log_in(dash, organizer.email, PASSWORD)
        dash.goto(f"/e/{event.slug}/checkin/")
        dash.locator("body[data-live='open']").wait_for()
        assert "Chưa có bàn nào đồng bộ." in dash.locator(".desk-list").inner_text()

        context.clock.install()
        open_desk(page, event, user_with_role(event, EventRole.Role.DESK_STAFF), "Cổng Đông")
        # Stop the desk's clock: its 30 s timer must not upload the queue before the dashboard is read.
        now_ms = page.evaluate("Date.now()")
        context.clock.pause_at(datetime.fromtimestamp(now_ms / 1000 + 1, tz=UTC))
        row = dash.locator(".desk-list tbody tr", has_text="Cổng Đông")
        queue = row.locator("td").nth(2)  # after the staff name and the last sync
        expect(queue).to_have_text("0")  # its first sync, queue empty
        page.evaluate("window.KetnoiDeskOffline.unreachable()")  # two scans the server does not get yet
        for code in codes:
            assert scan(page, code)["status"] == "ok"
        page.evaluate("window.KetnoiDeskOffline.sync()")  # the desk reports its queue
        assert DeskReport.objects.get(event=event).queue_length == 2
        # The dashboard hears of the sync and re-reads its desk table: no reload, no check-in needed.
        expect(queue).to_have_text("2")
        assert CheckIn.objects.filter(event=event).count() == 0
        assert_accessible(dash, "offline-dashboard-desk-queue")
    finally:
        dash_ctx.close()


_NO_ED25519 = """(() => {
    const original = SubtleCrypto.prototype.importKey;
    SubtleCrypto.prototype.importKey = function (format, data, algorithm, ...rest) {
        const name = typeof algorithm === "string" ? algorithm : algorithm && algorithm.name;
        if (name === "Ed25519") return Promise.reject(new DOMException("Unrecognized name.", "NotSupportedError"));
        return original.call(this, format, data, algorithm, ...rest);
    };
})();"""


def test_a_browser_without_ed25519_says_offline_checking_is_unavailable(page, context, live_app):
    event = EventFactory(slug="ben-tre-no-crypto", name="Hội chợ OCOP Bến Tre")
    code = token_for(ensure_badge(CheckinRegistrationFactory(event=event)))
    context.add_init_script(script=_NO_ED25519)  # as in a browser whose WebCrypto lacks Ed25519
    open_desk(page, event, user_with_role(event, EventRole.Role.DESK_STAFF), "Cổng 1")
    page.locator("#desk-notice", has_text="Không thể kiểm tra ngoại tuyến").wait_for()
    assert_accessible(page, "offline-desk-no-ed25519-notice")  # also loads axe-core for the offline check below
    context.set_offline(True)
    page.locator("#desk-status[data-online='0']").wait_for()
    answer = scan(page, code)
    assert answer["status"] == "no_crypto" and "KHÔNG KIỂM TRA NGOẠI TUYẾN ĐƯỢC" in answer["text"]
    assert "không kiểm tra được chữ ký" in answer["text"]
    accessible_offline(page, "offline-desk-no-ed25519")
    # Online, the server decides as usual.
    context.set_offline(False)
    page.locator("#desk-status[data-online='1']").wait_for()
    assert scan(page, code)["status"] == "ok"
