"""The check-in desk keeps working when the venue network drops (issue 10): local Ed25519 verification, a durable
queue in IndexedDB that survives a reload, upload on reconnect through the same redeem service, and the earliest
admission winning when two offline desks let the same badge in."""

from __future__ import annotations

import base64
import re

import pytest

from eventsite.models import EventRole
from registration.models import Badge, CheckIn, CheckinConflict, ScanLog
from registration.services.badges import ensure_badge, reissue_badge, token_for
from tests.browser.conftest import assert_accessible, log_in, screenshot
from tests.factories import PASSWORD, EventFactory, user_with_role
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
    page.locator("#desk-status [data-queue]", has_text=EMPTY).wait_for(timeout=15_000)
    live = CheckIn.objects.filter(event=event, annulled_at__isnull=True)
    assert live.count() == 17
    assert sorted(live.values_list("badge__registration_id", flat=True)) == sorted(r.pk for r in registrations[:17])
    offline_log = ScanLog.objects.filter(event=event, scanned_at__isnull=False)  # the 20 + 1 after the reload
    assert offline_log.count() == 21
    assert sorted(offline_log.exclude(status="ok").values_list("status", flat=True)) == [
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
            ctx.set_default_timeout(10_000)
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
        desk_b.locator("#desk-status [data-queue]", has_text=EMPTY).wait_for(timeout=15_000)
        assert CheckIn.objects.get(event=event, annulled_at__isnull=True).gate == "Cổng B"
        contexts[0].set_offline(False)
        desk_a.locator("#desk-status [data-queue]", has_text=EMPTY).wait_for(timeout=15_000)

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
