"""Schedule 1,500 accepted requests among 300 buyers and 400 producers into 12 slots × 100 tables.

Target: ``schedule_all`` (read the event, CP-SAT, write the meetings, publish) in ≤ 10 s, and the share
of meetings placed against an upper bound (requests, free table-slots, and each person's free slots).

The work runs in a child process against a scratch PostgreSQL database (``ketnoi_match_bench``, created
and dropped here) so it never touches another database, whatever else ``python -m bench`` runs.
"""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SERVER_URL = os.environ.get("BENCH_PG_SERVER", "postgres://postgres@127.0.0.1:5432")
DB_NAME = "ketnoi_match_bench"
FULL = {"buyers": 300, "producers": 400, "requests": 1500, "slots": 12, "tables": 100}
QUICK = {"buyers": 60, "producers": 80, "requests": 300, "slots": 6, "tables": 30}


def run(args) -> list[dict]:
    size = "quick" if getattr(args, "quick", False) else "full"
    env = {**os.environ, "DATABASE_URL": f"{SERVER_URL}/{DB_NAME}", "DJANGO_SETTINGS_MODULE": "eventsite.settings"}
    _recreate_database()
    try:
        out = subprocess.run([sys.executable, "-m", "bench.bench_matchmaking", "--child", size], cwd=ROOT, env=env,
                             capture_output=True, text=True, check=True, timeout=900)
    finally:
        _drop_database()
    return json.loads(out.stdout.strip().splitlines()[-1])


def _admin():
    import psycopg

    return psycopg.connect(f"{SERVER_URL}/postgres", autocommit=True)


def _recreate_database() -> None:
    with _admin() as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{DB_NAME}"')


def _drop_database() -> None:
    with _admin() as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)')


def _child(size: str) -> list[dict]:
    import django

    django.setup()
    from datetime import datetime, timedelta
    from zoneinfo import ZoneInfo

    from django.core.management import call_command
    from django.db import connection
    from django.db.models import F
    from django.utils import timezone

    from eventsite.models import Event, EventRole, Organization, User
    from matchmaking.models import BlockedTime, Meeting, MeetingRequest, Side
    from matchmaking.services import scheduling

    call_command("migrate", verbosity=0)
    n = FULL if size == "full" else QUICK
    rng = random.Random(1500)
    vn = ZoneInfo("Asia/Ho_Chi_Minh")
    start = datetime(2026, 12, 10, 8, 0, tzinfo=vn)
    host = Organization.objects.create(name="Sở Công Thương tỉnh Cà Mau", kind=Organization.Kind.GOVERNMENT)
    event = Event.objects.create(name="Bench", slug="bench", organizer=host, province_at_event="Cà Mau",
                                 province_code=96, venue="Cà Mau", starts_at=start, ends_at=start + timedelta(days=2),
                                 status=Event.Status.PUBLISHED)
    buyers = Organization.objects.bulk_create(
        [Organization(name=f"Bên mua {i}", kind=Organization.Kind.RETAIL_CHAIN) for i in range(n["buyers"])])
    producers = Organization.objects.bulk_create(
        [Organization(name=f"Hợp tác xã {i}", kind=Organization.Kind.COOPERATIVE) for i in range(n["producers"])])
    users = User.objects.bulk_create([User(email=f"u{i}@bench.vn") for i in range(len(buyers) + len(producers))])
    EventRole.objects.bulk_create(
        [EventRole(event=event, user=u, organization=o, role=EventRole.Role.BUYER) for u, o in zip(users, buyers,
                                                                                                   strict=False)]
        + [EventRole(event=event, user=u, organization=o, role=EventRole.Role.EXHIBITOR)
           for u, o in zip(users[len(buyers):], producers, strict=True)])
    pairs: set[tuple[int, int]] = set()
    while len(pairs) < n["requests"]:
        # Popular producers draw more requests, as at a real fair.
        producer = producers[min(int(rng.paretovariate(1.2)) - 1, len(producers) - 1)
                             if rng.random() < 0.3 else rng.randrange(len(producers))]
        pairs.add((rng.choice(buyers).pk, producer.pk))
    now = timezone.now()
    MeetingRequest.objects.bulk_create([
        MeetingRequest(event=event, buyer_id=b, producer_id=p, from_side=Side.BUYER, message="Gặp",
                       status=MeetingRequest.Status.ACCEPTED, priority=rng.choice([1, 2, 2, 3]),
                       party_size=rng.choice([2, 2, 3, 4]), expires_at=now + timedelta(days=3))
        for b, p in sorted(pairs)], batch_size=1000)
    scheduling.create_session(event=event, name="B2B", starts_at=start,
                              ends_at=start + timedelta(minutes=20 * n["slots"]), slot_minutes=20)
    scheduling.add_tables(event=event, count=n["tables"] - n["tables"] // 10, seats=4)
    scheduling.add_tables(event=event, count=n["tables"] // 10, seats=6)
    # One in ten participants is busy for one slot (a talk, another appointment).
    BlockedTime.objects.bulk_create([
        BlockedTime(event=event, organization=o, starts_at=start + timedelta(minutes=20 * k),
                    ends_at=start + timedelta(minutes=20 * (k + 1)))
        for o in rng.sample(buyers + producers, (len(buyers) + len(producers)) // 10)
        for k in [rng.randrange(n["slots"])]])

    started = time.perf_counter()
    result = scheduling.schedule_all(event=event, publish=True)
    wall = time.perf_counter() - started

    with connection.cursor() as cur:
        cur.execute("""SELECT count(*) FROM (SELECT slot_id, org FROM (
                         SELECT slot_id, buyer_id AS org FROM matchmaking_meeting
                         UNION ALL SELECT slot_id, producer_id FROM matchmaking_meeting) x
                       GROUP BY slot_id, org HAVING count(*) > 1) y""")
        double_booked = cur.fetchone()[0]
    over_capacity = Meeting.objects.filter(table__seats__lt=F("request__party_size")).count()
    placed = Meeting.objects.count()
    label = f"{n['requests']} requests, {n['buyers']}+{n['producers']} orgs, {n['slots']}×{n['tables']}"
    return [
        {"benchmark": "matchmaking", "figure": "schedule_all wall time", "value": round(wall, 2), "unit": "s",
         "target": "≤ 10", "note": f"{label}; solver {result.seconds:.2f} s, status {result.status}"},
        {"benchmark": "matchmaking", "figure": "meetings placed", "value": placed, "unit": "meetings",
         "target": f"≤ bound {result.upper_bound}",
         "note": f"{result.unplaced} unplaced; first-fit hint alone: {result.first_fit}"},
        {"benchmark": "matchmaking", "figure": "share placed vs upper bound", "unit": "%",
         "value": round(100 * placed / result.upper_bound, 1) if result.upper_bound else 100.0, "target": "report",
         "note": "bound = min(requests, free table-slots, Σ per-person min(requests, free slots))"},
        {"benchmark": "matchmaking", "figure": "invariant violations", "value": double_booked + over_capacity,
         "unit": "rows", "target": "0", "note": "double-booked person-slots + meetings at too-small tables"},
    ]



if __name__ == "__main__" and len(sys.argv) > 2 and sys.argv[1] == "--child":
    sys.path.insert(0, str(ROOT))
    print(json.dumps(_child(sys.argv[2]), ensure_ascii=False))
