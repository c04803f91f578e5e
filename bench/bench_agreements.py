"""Agreement tallies over 10,000 agreements: server time of the full dashboard and its query count.

Each backend runs in a child process against scratch data: a temporary SQLite file, and a scratch
PostgreSQL database (``ketnoi_agreements_bench``, created and dropped here). The development database
is never touched. Target: ≤ 100 ms per dashboard, computed with SQL aggregates, query count constant.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PG_ADMIN = os.environ.get("BENCH_PG_ADMIN", "postgres://postgres@127.0.0.1:5432/postgres")
PG_DB = "ketnoi_agreements_bench"
TARGET_MS = 100.0


def _child(sizes: list[int], repeats: int) -> list[dict]:
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    call_command("migrate", verbosity=0)
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from agreements.models import Agreement, AgreementParty, AgreementProductGroup
    from agreements.services.tally import dashboard
    from eventsite.models import Event, Organization

    vn = ZoneInfo("Asia/Ho_Chi_Minh")
    organizer = Organization.objects.create(name="Sở Công Thương", kind="government", province_code=96)
    provinces = [1, 4, 8, 11, 12, 14, 15, 19, 20, 22, 24, 25, 31, 33, 37, 38, 40, 42, 44, 46, 48, 51, 52, 56, 66,
                 68, 75, 79, 80, 82, 86, 91, 92, 96]
    sellers = Organization.objects.bulk_create(
        [Organization(name=f"HTX {i}", kind="cooperative", province_code=96, search_text=f"htx {i}")
         for i in range(300)])
    buyers = Organization.objects.bulk_create(
        [Organization(name=f"Nhà phân phối {i}", kind="distributor", province_code=provinces[i % 34],
                      search_text=f"nha phan phoi {i}") for i in range(60)])
    rows = []
    for size in sizes:
        event = Event.objects.create(
            name=f"Bench {size}", slug=f"bench-{size}", organizer=organizer, province_at_event="Cà Mau",
            province_code=96, venue="Cà Mau", starts_at=datetime(2026, 12, 9, 8, tzinfo=vn),
            ends_at=datetime(2026, 12, 11, 17, tzinfo=vn), status="published")
        kinds = Agreement.Kind.values
        signed = datetime(2026, 12, 9, 10, tzinfo=vn)
        statuses = ["signed"] * 8 + ["cancelled", "completed"]
        agreements = Agreement.objects.bulk_create([
            Agreement(event=event, kind=kinds[i % 5], title=f"Biên bản {i}", signed_at=signed,
                      signed_on=signed.date(), estimated_value=(i % 97) * 10_000_000, party_key=f"{i}",
                      partner_province_code=provinces[i % 34], status=statuses[i % 10],
                      buyer_key=str(buyers[i % 60].pk), group_key=("food", "beverage", "herbal", "handicraft")[i % 4],
                      cancelled_on=signed.date() if statuses[i % 10] == "cancelled" else None,
                      verification="submitted" if i % 50 == 0 else "verified")
            for i in range(size)], batch_size=2000)
        AgreementParty.objects.bulk_create(
            [AgreementParty(agreement=a, organization=sellers[i % 300], role="seller", position=0)
             for i, a in enumerate(agreements)]
            + [AgreementParty(agreement=a, organization=buyers[i % 60], role="buyer", position=1)
               for i, a in enumerate(agreements)], batch_size=4000)
        AgreementProductGroup.objects.bulk_create(
            [AgreementProductGroup(agreement=a, group=("food", "beverage", "herbal", "handicraft")[i % 4])
             for i, a in enumerate(agreements)], batch_size=4000)
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("VACUUM ANALYZE")
        dashboard(event)  # warm up
        times = []
        for _ in range(repeats):
            with CaptureQueriesContext(connection) as queries:
                start = time.perf_counter()
                board = dashboard(event)
                times.append((time.perf_counter() - start) * 1000)
        assert sum(r.count for r in board.by_kind) == board.total_count
        backend = connection.vendor
        rows.append({"benchmark": "agreements", "figure": f"dashboard tally, {size:,} agreements ({backend})",
                     "value": round(statistics.median(times), 1), "unit": "ms (median)",
                     "target": f"≤ {TARGET_MS:.0f} ms" if size >= 10_000 else "",
                     "note": f"{len(queries.captured_queries)} queries; p95 "
                             f"{sorted(times)[int(len(times) * 0.95) - 1]:.1f} ms; {repeats} runs"})
    return rows


def _run_child(env: dict, sizes: list[int], repeats: int) -> list[dict]:
    out = subprocess.run(
        [sys.executable, "-m", "bench.bench_agreements", "--child", ",".join(map(str, sizes)), str(repeats)],
        cwd=ROOT, env={**os.environ, "DJANGO_SETTINGS_MODULE": "eventsite.settings", **env},
        capture_output=True, text=True, check=False,
    )
    if out.returncode != 0:
        return [{"benchmark": "agreements", "figure": "child failed", "value": "", "unit": "", "target": "",
                 "note": out.stderr.strip().splitlines()[-1] if out.stderr.strip() else "?"}]
    return json.loads(out.stdout.strip().splitlines()[-1])


def _pg(sql: str) -> bool:
    try:
        import psycopg
    except ImportError:
        return False
    try:
        with psycopg.connect(PG_ADMIN, autocommit=True, connect_timeout=3) as conn:
            conn.execute(sql)
        return True
    except psycopg.Error:
        return False


def run(args) -> list[dict]:
    quick = getattr(args, "quick", False)
    sizes = [100, 1_000] if quick else [1_000, 10_000]
    repeats = 5 if quick else 20
    rows: list[dict] = []
    with tempfile.TemporaryDirectory(prefix="ketnoi-bench-agreements-") as tmp:
        rows += _run_child({"DATABASE_URL": "", "SQLITE_PATH": str(Path(tmp) / "bench.sqlite3")}, sizes, repeats)
    _pg(f"DROP DATABASE IF EXISTS {PG_DB}")
    if _pg(f"CREATE DATABASE {PG_DB}"):
        try:
            url = PG_ADMIN.rsplit("/", 1)[0] + f"/{PG_DB}"
            rows += _run_child({"DATABASE_URL": url}, sizes, repeats)
        finally:
            _pg(f"DROP DATABASE IF EXISTS {PG_DB} WITH (FORCE)")
    else:
        rows.append({"benchmark": "agreements", "figure": "PostgreSQL", "value": "", "unit": "", "target": "",
                     "note": "skipped: no PostgreSQL at " + PG_ADMIN})
    return rows


if __name__ == "__main__" and len(sys.argv) >= 4 and sys.argv[1] == "--child":
    sys.path.insert(0, str(ROOT))
    result = _child([int(s) for s in sys.argv[2].split(",")], int(sys.argv[3]))
    print(json.dumps(result))
