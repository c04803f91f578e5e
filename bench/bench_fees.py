"""Booth fees: reconcile a bank statement of 5,000 lines against 2,000 reservations (issue #19: ≤ 2 s), then upload
the same statement again (nothing may change).

The event has 2,000 reserved booths, each with an open payment request. The statement (Vietcombank layout, CSV,
built here with a title block as the bank exports it) holds 5,000 credit lines: 1,500 exact transfers (reference
and amount), 150 with the reference cut short by the bank, 150 with one character mistyped, 200 second transfers
of an already exact-paid reference (duplicates), and 3,000 unrelated credits (other income, no reference). The
timing is of ``booths.services.reconcile.reconcile_statement`` (the view calls it) from bytes to committed result:
parsing, hashing, storing lines, matching, and 1,500 payments each recorded through ``fees.record_payment`` (the
one path: locks, payment, activity log, confirming the booking).

Each backend runs in a child process on scratch data: a temporary SQLite file, and a scratch PostgreSQL database
(``FEES_BENCH_PG``, default ``postgres://postgres@127.0.0.1:5432/ketnoi_fees_bench``, created and dropped here).

``python -m bench fees`` or alone: ``python -m bench.bench_fees``.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PG_URL = os.environ.get("FEES_BENCH_PG", "postgres://postgres@127.0.0.1:5432/ketnoi_fees_bench")
TARGET_S = 2.0
BOOKINGS, LINES = 2000, 5000
EXACT, PARTIAL, MISTYPED, DUPLICATE = 1500, 150, 150, 200


def _build(size: int):
    from datetime import datetime, timedelta
    from zoneinfo import ZoneInfo

    from booths.models import (
        ApplicationStatus,
        Booking,
        BookingStatus,
        Booth,
        ExhibitorApplication,
        Hall,
        PaymentRequest,
    )
    from booths.services import fees
    from booths.services.payment_requests import ALPHABET, PREFIX
    from eventsite.models import Event, Organization

    vn = ZoneInfo("Asia/Ho_Chi_Minh")
    day1 = datetime.now(vn).replace(hour=8, minute=0, second=0, microsecond=0) + timedelta(days=30)
    organizer = Organization.objects.create(name="Sở Công Thương Cà Mau", kind="government", province_code=96)
    event = Event.objects.create(name="Hội chợ OCOP Cà Mau", slug="hoi-cho-ocop-ca-mau", organizer=organizer,
                                 province_at_event="Cà Mau", province_code=96, venue="Trung tâm Hội chợ Cà Mau",
                                 starts_at=day1, ends_at=day1 + timedelta(days=2), status=Event.Status.PUBLISHED)
    fees.save_payee(event=event, bank_bin="970436", account_number="0011001234567",
                    account_name="SO CONG THUONG TINH CA MAU", pay_within_days=7)
    hall = Hall.objects.create(event=event, name="Nhà A", width_m=400, depth_m=400)
    orgs = Organization.objects.bulk_create([Organization(name=f"HTX số {i}", kind="cooperative", province_code=96)
                                             for i in range(size)])
    apps = ExhibitorApplication.objects.bulk_create([
        ExhibitorApplication(event=event, organization=o, contact_name="Nguyễn Thị Xa", contact_phone="0290 383 1234",
                             contact_email=f"htx{i}@example.vn", status=ApplicationStatus.APPROVED)
        for i, o in enumerate(orgs)])
    booths = Booth.objects.bulk_create([
        Booth(event=event, hall=hall, code=f"A-{i:04d}", price=5_000_000 + (i % 7) * 500_000, x=(i % 100) * 4,
              y=(i // 100) * 4, w=3, h=3) for i in range(size)])
    bookings = Booking.objects.bulk_create([Booking(event=event, booth=b, application=a, status=BookingStatus.RESERVED)
                                            for b, a in zip(booths, apps, strict=True)])
    import random

    rng = random.Random(19)  # references as random as the app's (secrets), but the same every run
    refs = set()
    requests = []
    for booking, booth in zip(bookings, booths, strict=True):
        ref = PREFIX + "".join(rng.choice(ALPHABET) for _ in range(6))
        while ref in refs:
            ref = PREFIX + "".join(rng.choice(ALPHABET) for _ in range(6))
        refs.add(ref)
        requests.append(PaymentRequest(event=event, booking=booking, amount=booth.price, reference=ref,
                                       due_at=day1))
    PaymentRequest.objects.bulk_create(requests)
    return event, requests


def _statement(requests) -> bytes:
    import csv
    import io

    out = io.StringIO()
    out.write("NGÂN HÀNG TMCP NGOẠI THƯƠNG VIỆT NAM\nSAO KÊ TÀI KHOẢN\nSố tài khoản: 0011001234567\n\n")
    writer = csv.writer(out)
    writer.writerow(["STT", "Ngày giao dịch", "Số tham chiếu", "Số tiền ghi nợ", "Số tiền ghi có", "Mô tả"])
    n = 0

    def line(amount: int, text: str) -> None:
        nonlocal n
        n += 1
        writer.writerow([n, f"{1 + n % 28:02d}/11/2026", f"5213 - {40000 + n}", "", f"{amount:,}", text])

    for r in requests[:EXACT]:
        line(r.amount, f"MBVCB.{10_000_000 + n}.{r.reference}.CT tu 0451000123456 HTX toi 0011001234567")
    for r in requests[EXACT:EXACT + PARTIAL]:
        line(r.amount, f"IBFT HTX THANH TOAN GIAN HANG {r.reference[:6]}")
    for r in requests[EXACT + PARTIAL:EXACT + PARTIAL + MISTYPED]:
        wrong = "2" if r.reference[5] != "2" else "3"
        line(r.amount, f"CTY TNHH TT GIAN HANG {r.reference[:5]}{wrong}{r.reference[6:]} HOI CHO")
    for r in requests[:DUPLICATE]:
        line(r.amount, f"MBVCB.{20_000_000 + n}.{r.reference}.CT lan 2")
    while n < LINES:
        line(100_000 + n * 1000, f"NOP TIEN MAT QUAY {n} LAI TIEN GUI")
    return ("\ufeff" + out.getvalue()).encode()


def _child() -> list[dict]:
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    from booths.models import Booking, Payment, PaymentRequest, StatementLine
    from booths.services.reconcile import reconcile_statement

    backend = connection.vendor
    event, requests = _build(BOOKINGS)
    data = _statement(requests)
    if backend == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")

    def state():
        return (sorted(StatementLine.objects.values_list("pk", "status", "request_id", "payment")),
                sorted(PaymentRequest.objects.values_list("pk", "status", "paid_amount")),
                Payment.objects.count(), sorted(Booking.objects.values_list("pk", "status")))

    started, cpu = time.perf_counter(), time.process_time()
    first = reconcile_statement(event=event, data=data, filename="sao-ke.csv")
    first_s, first_cpu = time.perf_counter() - started, time.process_time() - cpu
    load = os.getloadavg()[0]
    counts = dict(StatementLine.objects.values_list("status").annotate(n=__import__("django").db.models.Count("pk")))
    before = state()
    started = time.perf_counter()
    second = reconcile_statement(event=event, data=data, filename="sao-ke.csv")
    second_s = time.perf_counter() - started
    unchanged = state() == before and second.lines_new == 0
    expected = {"matched": EXACT, "proposed": PARTIAL + MISTYPED, "duplicate": DUPLICATE,
                "unmatched": LINES - EXACT - PARTIAL - MISTYPED - DUPLICATE}
    outcome_ok = counts == expected and Payment.objects.count() == EXACT
    return [
        {"benchmark": "fees", "figure": f"reconcile {LINES} lines vs {BOOKINGS} bookings ({backend})",
         "value": round(first_s, 3), "unit": "s", "target": f"≤ {TARGET_S:g} s",
         "note": f"{first.lines_new} new lines; {counts.get('matched', 0)} paid, {counts.get('proposed', 0)} proposed, "
                 f"{counts.get('duplicate', 0)} duplicates, {counts.get('unmatched', 0)} unmatched; this process's "
                 f"CPU {first_cpu:.3f} s; load average {load:.1f} on {os.cpu_count()} cores"},
        {"benchmark": "fees", "figure": f"  outcome as built ({backend})", "value": "PASS" if outcome_ok else "FAIL",
         "unit": "", "target": "exact paid, near proposed, duplicates flagged", "note": json.dumps(counts)},
        {"benchmark": "fees", "figure": f"same statement again ({backend})", "value": round(second_s, 3), "unit": "s",
         "target": "changes nothing", "note": "PASS: 0 new lines, nothing changed" if unchanged else "FAIL"},
        {"benchmark": "fees", "figure": f"  unchanged ({backend})", "value": "PASS" if unchanged else "FAIL",
         "unit": "", "target": "", "note": ""},
    ]


def _run_child(env: dict) -> list[dict]:
    out = subprocess.run([sys.executable, "-m", "bench.bench_fees", "--child"], cwd=ROOT,
                         env={**os.environ, "DJANGO_SETTINGS_MODULE": "eventsite.settings", "REDIS_URL": "", **env},
                         capture_output=True, text=True, check=False)
    if out.returncode != 0:
        tail = out.stderr.strip().splitlines()[-1] if out.stderr.strip() else "?"
        return [{"benchmark": "fees", "figure": "child failed", "value": "FAIL", "unit": "", "target": "",
                 "note": tail}]
    return json.loads(out.stdout.strip().splitlines()[-1])


def _pg_admin(sql: str) -> bool:
    try:
        import psycopg
    except ImportError:
        return False
    server = PG_URL.rsplit("/", 1)[0] + "/postgres"
    try:
        with psycopg.connect(server, autocommit=True, connect_timeout=3) as conn:
            conn.execute(sql)
        return True
    except psycopg.Error:
        return False


def run(args) -> list[dict]:
    rows: list[dict] = []
    with tempfile.TemporaryDirectory(prefix="ketnoi-bench-fees-") as tmp:
        rows += _run_child({"DATABASE_URL": "", "SQLITE_PATH": str(Path(tmp) / "bench.sqlite3")})
    name = PG_URL.rsplit("/", 1)[1]
    _pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    if _pg_admin(f'CREATE DATABASE "{name}"'):
        try:
            rows += _run_child({"DATABASE_URL": PG_URL})
        finally:
            _pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    else:
        rows.append({"benchmark": "fees", "figure": "PostgreSQL", "value": "", "unit": "", "target": "",
                     "note": f"skipped: cannot create {PG_URL}"})
    return rows


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    if len(sys.argv) >= 2 and sys.argv[1] == "--child":
        print(json.dumps(_child()))
    else:
        from bench.__main__ import print_table

        print_table(run(None))
