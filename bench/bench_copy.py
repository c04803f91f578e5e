"""Copy from an earlier event: 500 booths, 60 sessions, 200 partner organizations (issue #15: ≤ 2 s, query count
constant in the number of booths).

The source event is built the way a real one looks after it ran: 4 halls with 3 themed zones each, 500 booths of
five types with prices (some without a zone, some blocked), booking rules, registration settings with 8 questions,
6 rooms with 60 sessions and 20 speakers linked to them, a team (2 organizers, 4 desk staff), and 200 partner
organizations attached as they are at an event: 150 producers with an exhibitor application, an exhibitor role and a
booth booking (140 approved and booked, 10 still submitted), 50 buyers (distributors, chains, exporters) with a buyer
role and a registration, and 300 signed agreements between them (a seller and a buyer party each). None of the
partners' rows are copied; they are there so the copy reads from tables of realistic size.

Each copy goes through ``eventsite.event_setup.copy_event`` with every part the wizard offers
(``/e/<slug>/setup/copy/`` calls the same function), into a fresh draft event each time: only first-time copies are
timed (the first, cold one included). The same is done at 50 booths (everything else equal) to show that the query
count does not depend on the number of booths.

Each backend runs in a child process against scratch data: a temporary SQLite file, and a scratch PostgreSQL
database (``COPY_BENCH_PG``, default ``postgres://postgres@127.0.0.1:5432/ketnoi_copy_bench``, created and dropped
here). The development database is never touched.

``python -m bench copy`` (with the others: ``make bench``) or alone: ``python -m bench.bench_copy [--quick]``.
"""

from __future__ import annotations

import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PG_URL = os.environ.get("COPY_BENCH_PG", "postgres://postgres@127.0.0.1:5432/ketnoi_copy_bench")
TARGET_S = 2.0
SESSIONS, PRODUCERS, BUYERS, AGREEMENTS = 60, 150, 50, 300
BOOKED = 140  # producers with an approved application and a confirmed booth


def _build_source(organizer, team, booths: int, tag: str):
    """One past event with ``booths`` booths and everything else at full size (module docstring)."""
    from datetime import datetime, timedelta
    from zoneinfo import ZoneInfo

    from agenda.models import Room, Session, SessionSpeaker, Speaker
    from agreements.models import Agreement, AgreementParty
    from booths.models import Booking, Booth, BoothSettings, ExhibitorApplication, Hall, Zone
    from eventsite.models import Event, EventRole, Organization, User
    from eventsite.provinces import fold
    from registration.models import Registration, RegistrationQuestion, RegistrationSettings

    vn = ZoneInfo("Asia/Ho_Chi_Minh")
    day1 = datetime(2025, 11, 20, 8, tzinfo=vn)
    event = Event.objects.create(
        name=f"Hội chợ OCOP Cà Mau 2025 ({tag})", slug=f"hoi-cho-ocop-ca-mau-2025-{tag}", organizer=organizer,
        province_at_event="Cà Mau", province_code=96, venue="Trung tâm Hội chợ Triển lãm Cà Mau",
        starts_at=day1, ends_at=day1 + timedelta(days=2, hours=9), status=Event.Status.ARCHIVED)
    EventRole.objects.bulk_create([EventRole(event=event, user=user, role=role, organization=organizer)
                                   for user, role in team])

    # Floor plan: 4 halls × 3 themed zones; one booth in six outside any zone; five types with their prices.
    halls = Hall.objects.bulk_create([Hall(event=event, name=f"Nhà {c}", width_m=60, depth_m=40, order=i)
                                      for i, c in enumerate("ABCD")])
    themes = ["food", "beverage", "herbal", "handicraft"]
    zones = Zone.objects.bulk_create([Zone(hall=h, name=f"Khu {j + 1}", theme_group=themes[(i + j) % 4])
                                      for i, h in enumerate(halls) for j in range(3)])
    kinds = [("standard", 6_000_000, 3, 3), ("corner", 8_000_000, 3, 3), ("double", 11_000_000, 6, 3),
             ("premium", 15_000_000, 6, 6), ("outdoor", 4_500_000, 4, 4)]
    rows = []
    for i in range(booths):
        hall_no = i % 4
        kind, price, w, h = kinds[i % 5]
        n = i // 4
        rows.append(Booth(event=event, hall=halls[hall_no], zone=None if i % 6 == 5 else zones[hall_no * 3 + n % 3],
                          code=f"{'ABCD'[hall_no]}-{n + 1:03d}", kind=kind, price=price + (n % 7) * 250_000,
                          x=(n % 9) * 6.5, y=(n // 9) * 6.5 % 36, w=w, h=h, blocked=i % 50 == 49,
                          blocked_reason="Lối thoát hiểm" if i % 50 == 49 else ""))
    booth_objs = Booth.objects.bulk_create(rows, batch_size=2000)
    BoothSettings.objects.create(event=event, hold_minutes=15, offer_minutes=180, max_booths_per_exhibitor=3)

    settings = RegistrationSettings.objects.create(event=event, is_open=False, approval_required=True,
                                                   buyer_capacity=300)
    questions = [("Ngành hàng quan tâm?", "choice", "Thực phẩm\nĐồ uống\nDược liệu\nThủ công mỹ nghệ"),
                 ("Doanh nghiệp có nhu cầu nhập khẩu?", "yes_no", ""),
                 ("Quy mô đơn hàng dự kiến (tấn/tháng)", "text", ""),
                 ("Kênh phân phối chính", "choice", "Siêu thị\nChợ truyền thống\nThương mại điện tử\nXuất khẩu"),
                 ("Cần đoàn khảo sát vùng nguyên liệu?", "yes_no", ""),
                 ("Chứng nhận yêu cầu (VietGAP, HACCP…)", "text", ""),
                 ("Người liên hệ mua hàng", "text", ""),
                 ("Tham gia tọa đàm kết nối cung cầu?", "yes_no", "")]
    RegistrationQuestion.objects.bulk_create([
        RegistrationQuestion(settings=settings, label=label, kind=kind, choices_text=choices, required=i < 2, order=i)
        for i, (label, kind, choices) in enumerate(questions)])

    # Agenda: 6 rooms, 60 one-hour sessions over the three days, 20 speakers, 1–3 speakers per session.
    rooms = Room.objects.bulk_create([Room(event=event, name=f"Hội trường {i + 1}", capacity=80 + 40 * i, position=i)
                                      for i in range(6)])
    types = ["opening", "panel", "signing", "b2b", "exhibition", "panel"]
    sessions = []
    for i in range(SESSIONS):
        slot, room = divmod(i, 6)
        starts = day1 + timedelta(days=slot // 4, minutes=90 * (slot % 4))
        sessions.append(Session(event=event, room=rooms[room], title=f"Phiên {i + 1}: kết nối cung cầu nông sản",
                                description="Giới thiệu sản phẩm OCOP và nhu cầu của nhà phân phối.",
                                type=types[i % 6], starts_at=starts, ends_at=starts + timedelta(hours=1),
                                status=Session.Status.ENDED))
    sessions = Session.objects.bulk_create(sessions)
    speakers = Speaker.objects.bulk_create([
        Speaker(event=event, name=f"Diễn giả {i + 1}", title="Phó Giám đốc", organization="Sở Công Thương")
        for i in range(20)])
    SessionSpeaker.objects.bulk_create([
        SessionSpeaker(session=s, speaker=speakers[(i + j) % 20], position=j,
                       role="moderator" if j == 0 else "panelist")
        for i, s in enumerate(sessions) for j in range(1 + i % 3)])

    # 200 partner organizations, attached the way they are at a real event (never copied).
    producer_kinds = ["cooperative", "household", "enterprise", "cooperative_group"]
    producers = Organization.objects.bulk_create([
        Organization(name=f"HTX {tag} {i}", kind=producer_kinds[i % 4], province_code=96,
                     tax_code=f"2{booths:04d}{i:05d}", search_text=fold(f"HTX {tag} {i}")) for i in range(PRODUCERS)])
    buyer_kinds = ["distributor", "retail_chain", "ecommerce", "exporter"]
    buyers = Organization.objects.bulk_create([
        Organization(name=f"Nhà phân phối {tag} {i}", kind=buyer_kinds[i % 4], province_code=79,
                     tax_code=f"3{booths:04d}{i:05d}", search_text=fold(f"Nha phan phoi {tag} {i}"))
        for i in range(BUYERS)])
    people = User.objects.bulk_create([User(email=f"{tag}-partner{i}@example.vn", full_name=f"Đối tác {i}")
                                       for i in range(PRODUCERS + BUYERS)])
    EventRole.objects.bulk_create(
        [EventRole(event=event, user=people[i], role="exhibitor", organization=org) for i, org in enumerate(producers)]
        + [EventRole(event=event, user=people[PRODUCERS + i], role="buyer", organization=org)
           for i, org in enumerate(buyers)])
    applications = ExhibitorApplication.objects.bulk_create([
        ExhibitorApplication(event=event, organization=org, applicant=people[i], contact_name=f"Đối tác {i}",
                             contact_phone="0290 3830 000", contact_email=f"{tag}-partner{i}@example.vn",
                             status="approved" if i < BOOKED else "submitted")
        for i, org in enumerate(producers)])
    free = [b for b in booth_objs if not b.blocked]
    Booking.objects.bulk_create([
        Booking(event=event, booth=free[i % len(free)], application=app, status="confirmed", created_by=app.applicant)
        for i, app in enumerate(applications[:min(BOOKED, len(free))])])
    Registration.objects.bulk_create([
        Registration(event=event, user=people[PRODUCERS + i], organization=org, role="buyer", status="approved",
                     full_name=f"Đối tác {PRODUCERS + i}", company=org.name, phone="0283 8000 000",
                     email=f"{tag}-partner{PRODUCERS + i}@example.vn", email_claimed=True, buyer_type="distributor",
                     search_text=fold(org.name)) for i, org in enumerate(buyers)])
    signed = day1 + timedelta(days=1, hours=2)
    agreements = Agreement.objects.bulk_create([
        Agreement(event=event, kind="biz_distributor", title=f"Biên bản ghi nhớ {i + 1}", signed_at=signed,
                  signed_on=signed.date(), estimated_value=(i % 40 + 1) * 50_000_000, status="signed",
                  verification="verified", party_key=f"{producers[i % PRODUCERS].pk}-{buyers[i % BUYERS].pk}",
                  partner_province_code=79, buyer_key=str(buyers[i % BUYERS].pk), group_key=themes[i % 4])
        for i in range(AGREEMENTS)], batch_size=1000)
    AgreementParty.objects.bulk_create(
        [AgreementParty(agreement=a, organization=producers[i % PRODUCERS], role="seller", position=0)
         for i, a in enumerate(agreements)]
        + [AgreementParty(agreement=a, organization=buyers[i % BUYERS], role="buyer", position=1)
           for i, a in enumerate(agreements)], batch_size=1000)
    return event


def _new_target(organizer, actor, source, n: int):
    from datetime import timedelta

    from eventsite.models import Event, EventRole

    target = Event.objects.create(
        name=f"Hội chợ OCOP Cà Mau 2026 ({source.slug[-6:]}-{n})", slug=f"{source.slug}-copy-{n}",
        organizer=organizer, province_at_event="Cà Mau", province_code=96, venue=source.venue,
        starts_at=source.starts_at + timedelta(days=364), ends_at=source.ends_at + timedelta(days=364),
        status=Event.Status.DRAFT)
    EventRole.objects.create(event=target, user=actor, role=EventRole.Role.ORGANIZER, organization=organizer)
    return target


_TABLE = re.compile(r'(?:INTO|FROM|UPDATE)\s+"(\w+)"')
_PARTS = (("booths_", "floor_plan"), ("registration_", "registration"), ("agenda_", "agenda"),
          ("eventsite_eventrole", "team"))


def _table_of(sql: str) -> str:
    match = _TABLE.search(sql)
    return match.group(1) if match else ""


def _part_of(sql: str) -> str:
    """Which part a statement belongs to, by the first table it names (the rest: the copy's own checks and log)."""
    table = _table_of(sql)
    return next((part for prefix, part in _PARTS if table.startswith(prefix)), "copy itself")


def _measure(source, organizer, actor, runs: int, first: int):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils import translation

    from eventsite import event_setup
    from eventsite.apps import collect_copy_parts

    parts = list(collect_copy_parts())
    times, counts, per_part, inserts, tables = [], [], Counter(), Counter(), Counter()
    summary = []
    for n in range(first, first + runs):
        target = _new_target(organizer, actor, source, n)
        with translation.override("en"), CaptureQueriesContext(connection) as queries:
            start = time.perf_counter()
            summary = event_setup.copy_event(source=source, target=target, parts=parts, actor=actor)
            times.append(time.perf_counter() - start)
        counts.append(len(queries.captured_queries))
        if n == first + runs - 1:  # the last copy: warm, as every copy after a server's first one
            for q in queries.captured_queries:
                per_part[_part_of(q["sql"])] += 1
                if q["sql"].lstrip().upper().startswith("INSERT"):
                    inserts[_part_of(q["sql"])] += 1
                    tables[_table_of(q["sql"])] += 1
    return {"times": times, "counts": counts, "parts": parts, "per_part": dict(per_part), "inserts": dict(inserts),
            "booth_inserts": tables["booths_booth"], "summary": [(str(label), n) for label, n in summary]}


def _child(runs: int, sizes: list[int]) -> list[dict]:
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    from eventsite.models import EventRole, Organization, User

    backend = connection.vendor
    organizer = Organization.objects.create(name="Sở Công Thương Cà Mau", kind="government", province_code=96)
    staff = User.objects.bulk_create([User(email=f"staff{i}@soct.camau.gov.vn", full_name=f"Cán bộ {i}")
                                      for i in range(6)])
    team = [(u, EventRole.Role.ORGANIZER if i < 2 else EventRole.Role.DESK_STAFF) for i, u in enumerate(staff)]
    actor = staff[0]
    results = {}
    for size in sizes:
        source = _build_source(organizer, team, size, tag=f"b{size}")
        if backend == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        results[size] = _measure(source, organizer, actor, runs, first=1)

    big, small = max(sizes), min(sizes)
    main = results[big]
    rows = [{"benchmark": "copy", "figure": f"copy all parts, {big} booths, {SESSIONS} sessions, "
                                            f"{PRODUCERS + BUYERS} partner orgs ({backend})",
             "value": round(statistics.median(main["times"]), 3), "unit": "s (median)", "target": f"≤ {TARGET_S:g} s",
             "note": f"max {max(main['times']):.3f} s; {_queries(main)}; {runs} first-time copies, each into a new "
                     f"draft event"}]
    labels = dict(main["summary"])
    by_part = {"floor_plan": ["halls", "zones", "booths", "booth rules"],
               "registration": ["registration settings", "registration questions"],
               "agenda": ["rooms", "sessions"], "team": ["team roles"]}
    for part in main["parts"]:
        copied = ", ".join(f"{labels.get(label, 0)} {label}" for label in by_part.get(part, []))
        rows.append({"benchmark": "copy", "figure": f"  part {part} ({backend})",
                     "value": sum(labels.get(label, 0) for label in by_part.get(part, [])), "unit": "rows copied",
                     "target": "", "note": f"{copied}; {main['per_part'].get(part, 0)} queries "
                                           f"({main['inserts'].get(part, 0)} INSERT)"})
    rows.append({"benchmark": "copy", "figure": f"  copy itself ({backend})", "value": "", "unit": "",
                 "target": "", "note": f"{main['per_part'].get('copy itself', 0)} queries (source check, "
                                       f"transaction, activity log)"})
    # On SQLite Django 5.2 splits one bulk INSERT into statements of at most 999 parameters (83 booths of 12
    # columns each): those batches are Django's, not a query per booth, so they are set apart there.
    batches = backend == "sqlite"
    extra = (main["booth_inserts"] - results[small]["booth_inserts"]) if batches else 0
    constant = results[small]["counts"][-1] == main["counts"][-1] - extra
    rows.append({"benchmark": "copy", "figure": f"queries at {small} vs {big} booths ({backend})",
                 "value": "PASS" if constant else "FAIL", "unit": "",
                 "target": "equal but the booth INSERT batches" if batches else "equal",
                 "note": f"{small} booths: {_queries(results[small])}, {results[small]['booth_inserts']} booth INSERT, "
                         f"median {statistics.median(results[small]['times']):.3f} s; {big} booths: "
                         f"{_queries(main)}, {main['booth_inserts']} booth INSERT"})
    return rows


def _queries(result: dict) -> str:
    """The query count of a warm copy, and the first (cold) one's when it differs (a content type looked up once
    per process for the activity log)."""
    first, last = result["counts"][0], result["counts"][-1]
    return f"{last} queries" + (f" (first copy {first})" if first != last else "")


def _run_child(env: dict, runs: int, sizes: list[int]) -> list[dict]:
    out = subprocess.run(
        [sys.executable, "-m", "bench.bench_copy", "--child", str(runs), ",".join(map(str, sizes))],
        cwd=ROOT, env={**os.environ, "DJANGO_SETTINGS_MODULE": "eventsite.settings", "REDIS_URL": "", **env},
        capture_output=True, text=True, check=False)
    if out.returncode != 0:
        tail = out.stderr.strip().splitlines()[-1] if out.stderr.strip() else "?"
        return [{"benchmark": "copy", "figure": "child failed", "value": "FAIL", "unit": "", "target": "",
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
    runs = 3 if getattr(args, "quick", False) else 5
    sizes = [50, 500]
    rows: list[dict] = []
    with tempfile.TemporaryDirectory(prefix="ketnoi-bench-copy-") as tmp:
        rows += _run_child({"DATABASE_URL": "", "SQLITE_PATH": str(Path(tmp) / "bench.sqlite3")}, runs, sizes)
    name = PG_URL.rsplit("/", 1)[1]
    _pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    if _pg_admin(f'CREATE DATABASE "{name}"'):
        try:
            rows += _run_child({"DATABASE_URL": PG_URL}, runs, sizes)
        finally:
            _pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    else:
        rows.append({"benchmark": "copy", "figure": "PostgreSQL", "value": "", "unit": "", "target": "",
                     "note": f"skipped: cannot create {PG_URL}"})
    return rows


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    if len(sys.argv) >= 4 and sys.argv[1] == "--child":
        print(json.dumps(_child(int(sys.argv[2]), [int(s) for s in sys.argv[3].split(",")])))
    else:
        import argparse

        from bench.__main__ import print_table

        parser = argparse.ArgumentParser(prog="python -m bench.bench_copy")
        parser.add_argument("--quick", action="store_true", help="3 copies per size instead of 5")
        print_table(run(parser.parse_args()))
