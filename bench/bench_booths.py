"""Booth benchmarks on a scratch PostgreSQL database (ketnoi_booths_bench, created and dropped here).

1. Booking race: 100 client threads make 1,000 hold attempts on 50 booths through the booking service,
   served by POOL worker threads that each keep their own PostgreSQL connection (the shared server allows
   100 connections in total, so 100 connections of our own would starve other users). Half the winners
   cancel at once so the booths keep changing hands.
   Counts double bookings (rows, after the run), unexpected errors, and latency per attempt.
2. Allocation: 2,000 applicants onto 1,500 booths with the pure solver (min-cost full matching on the
   sparse graph of acceptable pairs, scipy.sparse.csgraph.min_weight_full_bipartite_matching),
   without and with the same-sub-group neighbour post-pass.
3. Catalog: 5,000 products; server time of the event catalog page (Django test client, in process) and
   its query count, for several filters.

Run: DATABASE_URL is ignored; BENCH_PG (default postgres://postgres@127.0.0.1:5432/postgres) names the server.
BENCH_BOOTHS_ONLY=race,allocation,catalog (comma-separated) runs only those parts.
"""

from __future__ import annotations

import os
import random
import statistics
import time
from urllib.parse import urlparse

BENCH_DB = "ketnoi_booths_bench"
SERVER = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432/postgres")
CLIENTS, ATTEMPTS, BOOTHS = 100, 1000, 50
POOL = int(os.environ.get("BENCH_BOOTHS_WORKERS", "10"))


def _admin(sql: str) -> None:
    import psycopg

    url = urlparse(SERVER)
    with psycopg.connect(host=url.hostname, port=url.port or 5432, user=url.username or "postgres",
                         dbname=url.path.lstrip("/") or "postgres", autocommit=True) as conn:
        conn.execute(sql)


def _setup_django() -> None:
    url = urlparse(SERVER)
    os.environ["DATABASE_URL"] = f"postgres://{url.username or 'postgres'}@{url.hostname}:{url.port or 5432}/{BENCH_DB}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "eventsite.settings")
    import django

    django.setup()
    from django.conf import settings

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def _pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def _serve_race(event_id: int, booth_ids: list[int], app_ids: list[int], seeds: list[int], start_at=None) -> dict:
    """One server process's share of the race: an event loop running Django's sync code in POOL worker threads,
    each keeping its own database connection (opened before the clock starts, as a running server has them), the
    way an ASGI worker runs sync views (sync_to_async), so live updates leave through the server-side relay
    (eventsite.live) as they do in uvicorn/Daphne. Its clients are concurrent requests on that loop (coroutines,
    as the server holds them): each submits an attempt and waits for the answer before the next, so latency
    includes queueing for a free worker. ``start_at`` (a barrier shared with the other server processes) makes
    every process start at once."""
    import asyncio
    import threading
    from concurrent.futures import ThreadPoolExecutor

    from asgiref.sync import sync_to_async
    from django.db import connection, connections

    from booths.models import ExhibitorApplication
    from booths.services import booking as svc
    from eventsite.errors import DomainError

    apps = list(ExhibitorApplication.objects.filter(pk__in=app_ids).order_by("pk"))
    connection.close()
    loop = asyncio.new_event_loop()
    loop.set_default_executor(ThreadPoolExecutor(max_workers=POOL))
    per_client = ATTEMPTS // CLIENTS
    rows: list[tuple] = []  # (start, latency, queue wait, service, hand-back, result) per attempt; times in ms

    def attempt(app, booth_id, give_back):
        t1 = time.perf_counter()
        try:
            booking = svc.hold_booth(booth_id=booth_id, application=app)
            result = "won"
            if give_back:  # give it back at once, so the race continues
                svc.cancel_booking(booking_id=booking.pk, application=app, event_id=event_id)
        except DomainError as error:
            result = error.code
        except Exception as error:  # counted as a server error
            result = f"error:{type(error).__name__}"
        finally:
            connection.close()  # as at the end of a request: back to the pool (scale mode's settings)
        return result, t1, time.perf_counter()

    run_attempt = sync_to_async(attempt, thread_sensitive=False)

    async def client(app, seed):
        rng = random.Random(seed)
        for _ in range(per_client):
            booth_id = rng.choice(booth_ids)
            t0 = time.perf_counter()
            result, t1, t2 = await run_attempt(app, booth_id, rng.random() < 0.5)
            t3 = time.perf_counter()
            rows.append(((t0 - began) * 1000, (t3 - t0) * 1000, (t1 - t0) * 1000, (t2 - t1) * 1000,
                         (t3 - t2) * 1000, result))

    barrier = threading.Barrier(POOL)

    def open_connection():  # a barrier holds each thread until all have one, so no thread opens two
        connection.ensure_connection()
        barrier.wait()

    async def warm():
        await asyncio.gather(*(sync_to_async(open_connection, thread_sensitive=False)() for _ in range(POOL)))

    loop.run_until_complete(warm())
    if start_at is not None:
        start_at.wait()
    began, cpu0 = time.perf_counter(), time.process_time()

    async def race():
        await asyncio.gather(*(client(a, seed) for a, seed in zip(apps, seeds, strict=True)))

    loop.run_until_complete(race())
    wall, cpu = time.perf_counter() - began, time.process_time() - cpu0
    close_all = sync_to_async(connections.close_all, thread_sensitive=False)

    async def close_connections():
        await asyncio.gather(*(close_all() for _ in range(POOL)))

    loop.run_until_complete(close_connections())
    loop.close()
    return {"rows": rows, "wall": wall, "cpu": cpu}


def _serve_race_child(args, start_at, results) -> None:
    from django.db import connections

    connections.close_all()  # never share the parent's connection
    results.put(_serve_race(*args, start_at=start_at))


def bench_race(processes: int = 1) -> list[dict]:
    """The booking race, served by one process (``processes=1``) or by several, as scale mode runs several
    uvicorn workers behind nginx (``processes=2``): the 100 clients are split evenly between them, as nginx's
    round robin spreads requests, and every process has POOL worker threads of its own."""
    from django.db import connection
    from django.db.models import Count

    from booths.models import Booking, BoothSettings
    from tests.booths.factories import BoothFactory, HallFactory, exhibitor
    from tests.factories import EventFactory

    event = EventFactory(slug=f"bench-race-{processes}")
    BoothSettings.objects.create(event=event, max_booths_per_exhibitor=1, hold_minutes=10)
    hall = HallFactory(event=event, width_m=80, depth_m=20)
    booth_ids = [BoothFactory(hall=hall, code=f"R-{i:03d}", x=(i % 25) * 3, y=(i // 25) * 4).pk
                 for i in range(BOOTHS)]
    app_ids = [exhibitor(event).pk for _ in range(CLIENTS)]
    connection.close()
    shares = [(event.pk, booth_ids, app_ids[k::processes], list(range(CLIENTS))[k::processes])
              for k in range(processes)]
    load = os.getloadavg()[0]
    if processes == 1:
        results = [_serve_race(*shares[0])]
    else:
        import multiprocessing

        if connection.vendor == "postgresql":  # a pool's threads do not survive fork: each child opens its own
            connection.close_pool()
        context = multiprocessing.get_context("fork")
        start_at, queue = context.Barrier(processes), context.Queue()
        children = [context.Process(target=_serve_race_child, args=(share, start_at, queue)) for share in shares]
        for child in children:
            child.start()
        results = [queue.get(timeout=600) for _ in children]
        for child in children:
            child.join()
    rows = [r for result in results for r in result["rows"]]
    wall = max(result["wall"] for result in results)
    cpu = sum(result["cpu"] for result in results)
    latencies = [r[1] for r in rows]
    waits, services, handbacks = [r[2] for r in rows], [r[3] for r in rows], [r[4] for r in rows]
    outcomes: dict[str, int] = {}
    for r in rows:
        outcomes[r[5]] = outcomes.get(r[5], 0) + 1
    if os.environ.get("BENCH_RACE_TRACE"):
        for start, lat, _w, service, _h, result in sorted(rows, key=lambda r: -r[1])[:25]:
            print(f"start {start:7.1f} ms  latency {lat:6.1f}  service {service:6.1f}  {result}")
        ordered = sorted(rows, key=lambda r: r[0])
        for lo in range(0, len(ordered), 100):
            lat = [r[1] for r in ordered[lo:lo + 100]]
            print(f"attempts {lo}-{lo + 99}: p50 {_pct(lat, 50):.1f} max {max(lat):.1f}")

    doubles = (Booking.objects.filter(event=event, status__in=["held", "reserved", "confirmed"])
               .values("booth").annotate(n=Count("id")).filter(n__gt=1).count())
    errors = sum(n for k, n in outcomes.items() if k.startswith("error"))
    note = ", ".join(f"{k}={v}" for k, v in sorted(outcomes.items()))
    name = "booking race" if processes == 1 else f"booking race, {processes} server processes"
    served = "1 server process" if processes == 1 else f"{processes} server processes (scale mode's shape)"
    return [
        {"benchmark": name, "figure": "double bookings", "value": doubles, "unit": "booths", "target": "0",
         "note": f"{len(rows)} attempts, {CLIENTS} concurrent clients, {BOOTHS} booths, {served}, {POOL} "
                 "workers/connections each"},
        {"benchmark": name, "figure": "server errors", "value": errors, "unit": "attempts", "target": "0",
         "note": note},
        {"benchmark": name, "figure": "p50 latency", "value": round(_pct(latencies, 50), 1), "unit": "ms",
         "target": "", "note": "client-observed (includes waiting for a free worker)"},
        {"benchmark": name, "figure": "p99 latency", "value": round(_pct(latencies, 99), 1), "unit": "ms",
         "target": "≤ 250", "note": "client-observed"},
        {"benchmark": name, "figure": "p99 service time", "value": round(_pct(services, 99), 1), "unit": "ms",
         "target": "", "note": "inside a worker: hold (+ cancel for half the winners); p50 "
                               f"{_pct(services, 50):.1f} ms"},
        {"benchmark": name, "figure": "p99 wait for a worker", "value": round(_pct(waits, 99), 1), "unit": "ms",
         "target": "", "note": f"p50 {_pct(waits, 50):.1f} ms; hand-back to the loop p50 "
                               f"{_pct(handbacks, 50):.1f} / p99 {_pct(handbacks, 99):.1f} ms"},
        {"benchmark": name, "figure": "throughput", "value": round(len(rows) / wall), "unit": "attempts/s",
         "target": "", "note": f"wall {wall:.2f} s, CPU of the server process(es) {cpu:.2f} s, load average "
                               f"{load:.1f} at the start"},
    ]


def bench_allocation(quick: bool = False) -> list[dict]:
    from booths.services.allocation import Applicant, Pref, Slot, solve

    n_apps, n_booths = (400, 300) if quick else (2000, 1500)
    rng = random.Random(7)
    kinds = ["standard"] * 6 + ["corner", "double", "outdoor"]
    slots = [Slot(id=j, zone=j // 100, kind=rng.choice(kinds), theme=rng.choice(["", "", "food", "beverage"]))
             for j in range(n_booths)]
    applicants = []
    for i in range(n_apps):
        prefs = []
        for _ in range(rng.randint(0, 4)):
            r = rng.random()
            prefs.append(Pref(booth=rng.randrange(n_booths)) if r < 0.5 else
                         Pref(zone=rng.randrange(n_booths // 100)) if r < 0.8 else Pref(kind=rng.choice(kinds)))
        applicants.append(Applicant(id=i, priority=rng.randint(100, 220), prefs=tuple(prefs),
                                    groups=frozenset({rng.choice(["food", "beverage", "handicraft"])}),
                                    subgroup=rng.choice(["tea", "condiment", "raw", "processed", "craft"])))
    neighbours = {j: {k for k in (j - 1, j + 1) if 0 <= k < n_booths and k // 20 == j // 20} for j in range(n_booths)}
    rows = []
    for label, avoid in (("solve", False), ("solve + neighbour post-pass", True)):
        times, cpu = [], []
        for _ in range(3):
            t, c = time.perf_counter(), time.process_time()
            result = solve(applicants, slots, neighbours=neighbours, avoid_same_subgroup=avoid)
            times.append(time.perf_counter() - t)
            cpu.append(time.process_time() - c)
        rows.append({"benchmark": "allocation", "figure": f"{n_apps} → {n_booths}: {label}",
                     "value": round(statistics.median(times), 2), "unit": "s", "target": "≤ 3" if not avoid else "",
                     "note": f"median of 3 (CPU {statistics.median(cpu):.2f} s, load average {os.getloadavg()[0]:.1f});"
                             f" placed {len(result.assigned)}, objective {result.objective},"
                             f" neighbour conflicts {result.conflicts}"})
    return rows


def bench_propose(quick: bool = False) -> list[dict]:
    """The organizer's whole "propose" step: read applications, solve (with the neighbour post-pass, the
    default), store one explained AllocationItem per applicant (bulk_create)."""
    from datetime import date, timedelta

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from booths.models import Booth, BoothPreference, ExhibitorApplication, Hall, Zone
    from booths.services.allocate import propose_allocation
    from catalog.models import Product
    from eventsite.models import Organization
    from tests.factories import EventFactory

    n_apps, n_booths = (400, 300) if quick else (2000, 1500)
    rng = random.Random(11)
    event = EventFactory(slug="bench-propose")
    hall = Hall.objects.create(event=event, name="A", width_m=200, depth_m=400)
    zones = Zone.objects.bulk_create([Zone(hall=hall, name=f"Z{z}", theme_group=rng.choice(["", "", "food"]))
                                      for z in range(n_booths // 100)])
    kinds = ["standard"] * 6 + ["corner", "double", "outdoor"]
    booths = Booth.objects.bulk_create([
        Booth(event=event, hall=hall, zone=zones[j // 100], code=f"P-{j:04d}", kind=rng.choice(kinds), price=1,
              x=(j % 20) * 3.0, y=(j // 20) * 4.0, w=3.0, h=3.0) for j in range(n_booths)])
    kinds_org = list(Organization.Kind)
    orgs = Organization.objects.bulk_create([
        Organization(name=f"HTX {i:04d}", kind=kinds_org[i % len(kinds_org)], tax_code=f"{3000000000 + i}",
                     province_code=96) for i in range(n_apps)])
    today = date.today()
    groups = [("food", "tea"), ("food", "condiment"), ("beverage", "raw"), ("handicraft", "craft")]
    products = Product.objects.bulk_create([
        Product(producer=o, name=f"SP {i}", group=groups[i % 4][0], subgroup=groups[i % 4][1], stars=3 + i % 3,
                certificate_issued_on=today - timedelta(days=100), certificate_expires_on=today + timedelta(days=900))
        for i, o in enumerate(orgs)])
    apps = ExhibitorApplication.objects.bulk_create([
        ExhibitorApplication(event=event, organization=o, contact_name="X", contact_phone="0", contact_email="x@x.vn",
                             status="approved") for o in orgs])
    ExhibitorApplication.products.through.objects.bulk_create([
        ExhibitorApplication.products.through(exhibitorapplication_id=a.pk, product_id=p.pk)
        for a, p in zip(apps, products, strict=True)])
    prefs = []
    for a in apps:
        for rank in range(1, rng.randint(0, 4) + 1):
            r = rng.random()
            prefs.append(BoothPreference(application=a, rank=rank, booth=rng.choice(booths)) if r < 0.5 else
                         BoothPreference(application=a, rank=rank, zone=rng.choice(zones)) if r < 0.8 else
                         BoothPreference(application=a, rank=rank, kind=rng.choice(kinds)))
    BoothPreference.objects.bulk_create(prefs)
    times, cpu = [], []
    for _ in range(3):
        t, c = time.perf_counter(), time.process_time()
        with CaptureQueriesContext(connection) as queries:
            run = propose_allocation(event=event)
        times.append(time.perf_counter() - t)
        cpu.append(time.process_time() - c)
    placed = run.items.filter(booth__isnull=False).count()
    return [{"benchmark": "allocation", "figure": f"{n_apps} → {n_booths}: propose_allocation (database)",
             "value": round(statistics.median(times), 2), "unit": "s", "target": "",
             "note": f"median of 3 (CPU {statistics.median(cpu):.2f} s, load average {os.getloadavg()[0]:.1f});"
                     f" read + solve + post-pass + explain + bulk_create; {len(queries)} queries; placed {placed},"
                     f" neighbour conflicts {run.neighbour_conflicts}"}]


def bench_catalog(quick: bool = False) -> list[dict]:
    from datetime import date, timedelta

    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from catalog.models import Product
    from catalog.ocop import GROUP_OF_SUBGROUP
    from eventsite.models import EventRole, Organization
    from eventsite.provinces import fold
    from tests.factories import EventFactory, EventRoleFactory, OrganizationFactory

    size = 1000 if quick else 5000
    event = EventFactory(slug="bench-catalog")
    producers = []
    for i in range(100):
        org = OrganizationFactory(kind=Organization.PRODUCER_KINDS[i % 4], province_code=[96, 92, 86, 91][i % 4])
        EventRoleFactory(event=event, role=EventRole.Role.EXHIBITOR, organization=org)
        producers.append(org)
    words = ["Mật ong rừng", "Khô cá khoai", "Tôm khô", "Nước mắm", "Trà mãng cầu", "Gạo ST25", "Bánh phồng tôm"]
    subs = list(GROUP_OF_SUBGROUP)
    today = date.today()
    rows = []
    for i in range(size):
        name = f"{words[i % len(words)]} {i:05d}"
        sub = subs[i % len(subs)]
        rows.append(Product(producer=producers[i % 100], name=name, group=GROUP_OF_SUBGROUP[sub], subgroup=sub,
                            stars=3 + i % 3, certificate_issued_on=today - timedelta(days=100 + i % 1200),
                            certificate_expires_on=today - timedelta(days=100 + i % 1200) + timedelta(days=1095),
                            search_text=fold(f"{name} {producers[i % 100].name}")))
    Product.objects.bulk_create(rows, batch_size=1000)
    client = Client(HTTP_HOST="127.0.0.1")
    url = f"/e/{event.slug}/catalog/"
    cases = [("first page", {}), ("search 'mat ong'", {"q": "mat ong"}), ("group + 4★", {"group": "food", "stars": 4}),
             ("province + type", {"province": 92, "producer_kind": "household"}), ("page 150", {"page": 150})]
    out = []
    for label, params in cases:
        client.get(url, params)  # warm up
        times = []
        for _ in range(15):
            t = time.perf_counter()
            response = client.get(url, params)
            times.append((time.perf_counter() - t) * 1000)
        with CaptureQueriesContext(connection) as queries:
            client.get(url, params)
        assert response.status_code == 200
        out.append({"benchmark": "catalog", "figure": f"{size} products: {label}",
                     "value": round(statistics.median(times), 1), "unit": "ms", "target": "≤ 100",
                     "note": f"median of 15, p95 {_pct(times, 95):.1f} ms, {len(queries)} queries"})
    return out


def run(args) -> list[dict]:
    quick = getattr(args, "quick", False)
    parts = [p.strip() for p in os.environ.get("BENCH_BOOTHS_ONLY", "race,allocation,catalog").split(",") if p.strip()]
    unknown = set(parts) - {"race", "allocation", "catalog"}
    if unknown:
        raise SystemExit(f"BENCH_BOOTHS_ONLY: unknown part(s) {', '.join(sorted(unknown))}")
    _admin(f'DROP DATABASE IF EXISTS "{BENCH_DB}" WITH (FORCE)')
    _admin(f'CREATE DATABASE "{BENCH_DB}"')
    try:
        _setup_django()
        rows = []
        if "race" in parts:
            rows += bench_race(1)
            rows += bench_race(2)
        if "allocation" in parts:
            rows += bench_allocation(quick)
            rows += bench_propose(quick)
        if "catalog" in parts:
            rows += bench_catalog(quick)
    finally:
        from django.db import connections

        connections.close_all()
        _admin(f'DROP DATABASE IF EXISTS "{BENCH_DB}" WITH (FORCE)')
    return rows
