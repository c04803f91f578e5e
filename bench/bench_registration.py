"""Registration benchmark: sign-ups, parallel approvals, the organizer list at 10,000 registrations,
exports and imports of 5,000 rows — on a scratch PostgreSQL database (ketnoi_reg_bench), created and
dropped here, in a child process so its settings never mix with other benchmarks'.

`python -m bench registration [--quick]`
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DB_NAME = os.environ.get("BENCH_REGISTRATION_DB", "ketnoi_reg_bench")
PG = "postgres://postgres@127.0.0.1:5432"


def run(args) -> list[dict]:
    quick = bool(getattr(args, "quick", False))
    env = {**os.environ, "DATABASE_URL": f"{PG}/{DB_NAME}", "DJANGO_SETTINGS_MODULE": "eventsite.settings",
           "EMAIL_FILE_PATH": tempfile.mkdtemp(prefix="bench-reg-mail-"), "PYTHONPATH": str(ROOT)}
    out = subprocess.run([sys.executable, "-m", "bench.bench_registration", "--child"] + (["--quick"] if quick else []),
                         cwd=ROOT, env=env, capture_output=True, text=True, check=False)
    if out.returncode != 0:
        return [{"benchmark": "registration", "figure": "failed", "value": "", "unit": "", "target": "",
                 "note": out.stderr.strip().splitlines()[-1] if out.stderr.strip() else "no output"}]
    return json.loads(out.stdout.strip().splitlines()[-1])


# --- child process ---------------------------------------------------------------------------


def _admin_sql(sql: str) -> None:
    import psycopg

    with psycopg.connect(f"{PG}/postgres", autocommit=True) as conn:
        conn.execute(sql)


def _row(figure, value, unit, target, note=""):
    return {"benchmark": "registration", "figure": figure, "value": value, "unit": unit, "target": target,
            "note": note}


def _child(quick: bool) -> list[dict]:
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from eventsite.models import EventRole, User
    from eventsite.provinces import fold
    from registration.models import Registration, RegistrationSettings, RegistrationStatus
    from registration.services import exports, imports
    from registration.services import registrations as svc
    from registration.services.queries import RegistrationFilter, filter_registrations
    from tests.factories import EventFactory, OrganizationFactory

    call_command("migrate", verbosity=0)
    rows: list[dict] = []
    signups = 100 if quick else 400
    listed = 2_000 if quick else 10_000
    filesize = 1_000 if quick else 5_000

    # 1. Sign-ups through the service, one after another (settings row locked each time), each confirmed from its
    #    address as the registrant does with the emailed link (only then does it take a place).
    event = EventFactory(organizer=OrganizationFactory())
    RegistrationSettings.objects.create(event=event, approval_required=False, buyer_capacity=signups // 2)
    start = time.perf_counter()
    for i in range(signups):
        svc.claim(registration=svc.register_buyer(
            event=event, full_name=f"Nguyễn Văn Đức {i}", company="Saigon Co.op", email=f"duc{i}@coop.vn",
            phone="0903123456", buyer_type="supermarket", province_code=79, product_groups=["food"]))
    elapsed = time.perf_counter() - start
    rows.append(_row("sign-ups, sequential", round(signups / elapsed), "per s", "≥ 100",
                     f"{signups} sign-ups confirmed, auto-approval, capacity {signups // 2}"))

    # 2. Parallel approvals: 8 threads, own connections, capacity must hold.
    event2 = EventFactory(organizer=OrganizationFactory())
    RegistrationSettings.objects.create(event=event2, buyer_capacity=signups // 4)
    pending = Registration.objects.bulk_create([
        Registration(event=event2, full_name=f"Lê Thị {i}", company="Lotte", email=f"le{i}@x.vn", phone="0",
                     search_text=f"le thi {i}") for i in range(signups)
    ])
    chunks = [pending[i::8] for i in range(8)]
    barrier = threading.Barrier(8)

    def approve_all(chunk):
        barrier.wait()
        for registration in chunk:
            svc.approve(registration=registration)
        connection.close()

    threads = [threading.Thread(target=approve_all, args=(c,)) for c in chunks]
    start = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - start
    approved = svc.approved_buyers(event2)
    rows.append(_row("approvals, 8 threads", round(signups / elapsed), "per s", "≥ 100",
                     f"{signups} approvals, capacity {signups // 4}: approved {approved} (must equal capacity)"))

    # 3. Organizer list at `listed` registrations.
    event3 = EventFactory(organizer=OrganizationFactory())
    RegistrationSettings.objects.create(event=event3)
    statuses = list(RegistrationStatus.values)
    batch = []
    for i in range(listed):
        r = Registration(event=event3, full_name=f"Trần Thị Minh Thư {i}", company=f"Công ty Đặc sản {i % 97}",
                         email=f"thu{i}@x.vn", phone=f"09{i:08d}", status=statuses[i % 5], province_code=96,
                         buyer_type="distributor", product_groups=["food"], needs="Khô cá khoai")
        r.search_text = fold(" ".join(p for p in r.searchable_parts() if p))
        batch.append(r)
    Registration.objects.bulk_create(batch, batch_size=2000)
    organizer = User.objects.create_user(email="bench-organizer@x.vn", password="x")
    EventRole.objects.create(event=event3, user=organizer, role=EventRole.Role.ORGANIZER)
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(organizer)
    list_url = f"/e/{event3.slug}/registrations/"
    searches = (("list page", {}), ("list page, search 'thu 12' + status", {"q": "thu 12", "status": "approved"}))
    for label, params in searches:
        client.get(list_url, params)
        times, cpu = [], []
        for _ in range(15 if quick else 40):
            start, start_cpu = time.perf_counter(), time.process_time()
            response = client.get(list_url, params)
            times.append((time.perf_counter() - start) * 1000)
            cpu.append((time.process_time() - start_cpu) * 1000)
            assert response.status_code == 200
        with CaptureQueriesContext(connection) as queries:
            client.get(list_url, params)
        p95 = sorted(times)[int(len(times) * 0.95) - 1]
        rows.append(_row(f"{label}, median", round(statistics.median(times), 1), "ms", "≤ 150 (p95)",
                         f"{listed} registrations; p95 {p95:.1f} ms; CPU median {statistics.median(cpu):.1f} ms "
                         f"(this process); {len(queries)} queries"))

    # 4. Exports of `filesize` rows.
    subset = filter_registrations(event3, RegistrationFilter())[:filesize]
    start = time.perf_counter()
    headers, table = exports.export_table(subset.iterator(chunk_size=1000), [])
    xlsx = exports.render_xlsx(headers, table, "Bench")
    rows.append(_row("export XLSX", round(time.perf_counter() - start, 2), "s", "≤ 3",
                     f"{filesize} rows, {len(xlsx) // 1024} KiB"))
    start = time.perf_counter()
    headers, table = exports.export_table(subset.iterator(chunk_size=1000), [])
    exports.render_csv(headers, table)
    rows.append(_row("export CSV", round(time.perf_counter() - start, 2), "s", "≤ 1", f"{filesize} rows"))

    # 5. Import preview and confirmation of the exported file into a fresh event.
    event4 = EventFactory(organizer=OrganizationFactory())
    RegistrationSettings.objects.create(event=event4)
    start = time.perf_counter()
    batch = imports.preview_import(event=event4, data=xlsx, filename="bench.xlsx", by=organizer)
    rows.append(_row("import preview (XLSX)", round(time.perf_counter() - start, 2), "s", "≤ 5",
                     f"{filesize} rows, {batch.error_count} with errors"))
    start = time.perf_counter()
    created = imports.confirm_import(batch=batch, by=organizer, notify=False)
    rows.append(_row("import confirm", round(time.perf_counter() - start, 2), "s", "≤ 10",
                     f"{len(created)} registrations in one transaction"))
    return rows


def _main() -> None:
    quick = "--quick" in sys.argv
    _admin_sql(f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)')
    _admin_sql(f'CREATE DATABASE "{DB_NAME}"')
    try:
        rows = _child(quick)
    finally:
        from django.db import connections

        connections.close_all()
        _admin_sql(f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)')
    print(json.dumps(rows, ensure_ascii=False))


if __name__ == "__main__" and "--child" in sys.argv:
    _main()
