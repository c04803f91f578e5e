"""Offline check-in desk benchmarks: `python -m bench offline [--quick]`.

Everything runs for real: a scratch PostgreSQL database (``ketnoi_offline_bench``, created and dropped here) with
10,000 approved registrations and their badges, the app under Daphne on 127.0.0.1, and the desk page in the
Debian headless Chromium (Playwright) signed in as desk staff.

1. Initial sync of the whole list (10,000 badges) into IndexedDB: time measured in the page (fetch + store), bytes
   as transferred on the wire (gzip), from the browser's resource timing.
2. Delta sync after 100 registrations changed (saved through the ORM, so the change numbers are bumped).
3. Offline verify + record per scan: ``KetnoiDeskOffline.scanOffline`` (base32 + varints, Ed25519 with WebCrypto,
   IndexedDB look-ups and the queued write) over 1,000 different badges with the network emulated off.
4. Upload of those 1,000 queued scans on reconnect (batches of 200 through redeem_badge), then the server's
   count of live check-ins and the scan log (exactly once).
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PG = os.environ.get("BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432")
BENCH_DB = "ketnoi_offline_bench"
PASSWORD = "bench-pass-123"
EMPTY = re.compile(r"^0$")


def row(figure, value, unit, target="", note="", benchmark="offline") -> dict:
    return {"benchmark": benchmark, "figure": figure, "value": value, "unit": unit, "target": target, "note": note}


def _psql(sql: str, db: str = "postgres"):
    import psycopg

    with psycopg.connect(f"{PG}/{db}", autocommit=True) as conn:
        cur = conn.execute(sql)
        return cur.fetchall() if cur.description else None


def _child(args: list[str], url: str) -> dict:
    out = subprocess.run([sys.executable, str(Path(__file__)), *args], cwd=ROOT, check=True, capture_output=True,
                         text=True, env={**os.environ, "DATABASE_URL": url, "DJANGO_DEBUG": "0"})
    return json.loads(out.stdout.strip().splitlines()[-1])


def _serve(url: str):
    from bench.bench_checkin import _start

    return _start("daphne", {**os.environ, "DATABASE_URL": url, "DJANGO_DEBUG": "0",
                             "DJANGO_SETTINGS_MODULE": "eventsite.settings"})


_SYNC_ENTRY = """() => {
  const e = performance.getEntriesByType('resource').filter((x) => x.name.includes('/desk/sync/')).pop();
  return {transfer: e.transferSize, encoded: e.encodedBodySize, decoded: e.decodedBodySize, fetch_ms: e.duration,
          total_ms: Number(document.getElementById('desk').dataset.lastSyncMs)};
}"""

_SCAN_LOOP = """async (codes) => {
  const times = [];
  let ok = 0;
  for (const [i, code] of codes.entries()) {
    const t = performance.now();
    const r = await window.KetnoiDeskOffline.scanOffline(code, 'Bench', `bench-${i}-${Date.now()}`);
    times.push(performance.now() - t);
    if (r.status === 'ok') ok += 1;
  }
  times.sort((a, b) => a - b);
  return {ok, mean: times.reduce((a, b) => a + b, 0) / times.length, p95: times[Math.floor(times.length * 0.95)]};
}"""


def bench_desk(url: str, n: int, scans: int) -> list[dict]:
    from playwright.sync_api import sync_playwright

    from tests.browser.conftest import LAUNCH_ARGS
    from tests.services import CHROMIUM

    seeded = _child(["seed", str(n), str(scans)], url)
    server, base = _serve(url)
    rows = []
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
            ctx = browser.new_context(base_url=base, locale="vi-VN")
            ctx.set_default_timeout(60_000)
            page = ctx.new_page()
            page.goto("/accounts/login/")
            page.fill("input[name=login]", seeded["email"])
            page.fill("input[name=password]", PASSWORD)
            page.locator("main button[type=submit]").click()
            page.wait_for_load_state()
            page.goto(f"/e/{seeded['slug']}/desk/?gate=Bench")
            page.locator("#desk[data-list-version]").wait_for(state="attached")
            first = page.evaluate(_SYNC_ENTRY)
            count = page.evaluate("""async () => new Promise((resolve) => {
                const req = indexedDB.open(`ketnoi-desk:${document.getElementById('desk').dataset.event}`);
                req.onsuccess = () => { const c = req.result.transaction('badges').objectStore('badges').count();
                                        c.onsuccess = () => resolve(c.result); };
            })""")
            rows.append(row(f"initial sync, {n:,} badges", round(first["total_ms"]), "ms", "≤ 2,000 ms",
                            f"fetch {first['fetch_ms']:.0f} ms + IndexedDB store; {count:,} badges stored"))
            rows.append(row(f"initial sync transfer, {n:,} badges", round(first["transfer"] / 1024, 1), "KB",
                            "≤ 1,024 KB", f"gzip; JSON {first['decoded'] / 1024:.0f} KB before compression"))

            _child(["change", seeded["slug"], "100"], url)
            page.evaluate("window.KetnoiDeskOffline.sync()")
            delta = page.evaluate(_SYNC_ENTRY)
            rows.append(row("delta sync, 100 changed badges", round(delta["transfer"] / 1024, 1), "KB", "≤ 20 KB",
                            f"gzip; {delta['decoded'] / 1024:.1f} KB JSON; {delta['total_ms']:.0f} ms in the page"))

            ctx.set_offline(True)
            page.evaluate("window.KetnoiDeskOffline.scanOffline('WARMUP', 'Bench', 'warmup-0001')")
            timing = page.evaluate(_SCAN_LOOP, seeded["codes"])
            rows.append(row("offline verify + record per scan", round(timing["mean"], 2), "ms", "≤ 20 ms",
                            f"mean over {scans:,} scans, p95 {timing['p95']:.2f} ms; {timing['ok']} admitted; "
                            "headless Chromium, WebCrypto Ed25519, IndexedDB"))

            t0 = time.monotonic()
            ctx.set_offline(False)
            page.locator("#desk-status [data-queue]", has_text=EMPTY).wait_for(timeout=120_000)
            upload_s = time.monotonic() - t0
            page.evaluate("window.KetnoiDeskOffline.flush()")
            live = _psql("select count(*) from registration_checkin where annulled_at is null", BENCH_DB)[0][0]
            # the measured scans only: the malformed warm-up scan is queued and uploaded too (refused scans are
            # logged for the record), under its own nonce
            logged = _psql("select count(*), count(distinct nonce) from registration_scanlog "
                           "where scanned_at is not null and nonce like 'bench-%'", BENCH_DB)[0]
            rows.append(row(f"upload {scans:,} queued scans", round(upload_s, 2), "s", "≤ 10 s",
                            f"server: {live} live check-ins, {logged[0]} offline scans logged ({logged[1]} nonces); "
                            + ("exactly once" if live == scans == logged[0] == logged[1] else "NOT exactly once")))
            browser.close()
    finally:
        server.terminate()
        server.wait(timeout=10)
    return rows


# --- children (run with DATABASE_URL pointing at the scratch database) -----------------------------------------


def _setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "eventsite.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def child_seed(n: int, scans: int) -> dict:
    _setup_django()
    from eventsite.models import EventRole
    from registration.services.badges import ensure_badges, token_for
    from tests.factories import EventFactory, user_with_role
    from tests.registration.factories_checkin import bulk_registrations

    event = EventFactory(slug="bench-offline", name="Hội chợ OCOP — benchmark")
    desk = user_with_role(event, EventRole.Role.DESK_STAFF)
    desk.set_password(PASSWORD)
    desk.save()
    found = ensure_badges(bulk_registrations(event, n))
    codes = [token_for(b) for b in list(found.values())[:scans]]
    return {"slug": event.slug, "email": desk.email, "codes": codes}


def child_change(slug: str, n: int) -> dict:
    _setup_django()
    from registration.models import Registration

    for reg in Registration.objects.filter(event__slug=slug).order_by("-pk")[:n]:
        reg.company = f"{reg.company} (đổi tên)"
        reg.save(update_fields=["company", "search_text"])
    return {"changed": n}


def run(args) -> list[dict]:
    quick = getattr(args, "quick", False)
    _setup_django()
    _psql(f'DROP DATABASE IF EXISTS "{BENCH_DB}" WITH (FORCE)')
    _psql(f'CREATE DATABASE "{BENCH_DB}"')
    url = f"{PG}/{BENCH_DB}"
    try:
        subprocess.run([sys.executable, "manage.py", "migrate", "-v0", "--noinput"], cwd=ROOT, check=True,
                       env={**os.environ, "DATABASE_URL": url})
        return bench_desk(url, 1_000 if quick else 10_000, 200 if quick else 1_000)
    finally:
        _psql(f'DROP DATABASE IF EXISTS "{BENCH_DB}" WITH (FORCE)')


if __name__ == "__main__":
    command = sys.argv[1]
    if command == "seed":
        print(json.dumps(child_seed(int(sys.argv[2]), int(sys.argv[3]))))
    else:
        print(json.dumps(child_change(sys.argv[2], int(sys.argv[3]))))
