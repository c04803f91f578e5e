"""Agenda: page server time at 200 sessions, and change → all websocket clients latency.

Runs in a child process against a scratch PostgreSQL database (``ketnoi_agenda_bench`` by default,
created and dropped here) so the parent's Django settings are never touched.

* page: in-process Django test client, anonymous and signed-in, 200 published sessions;
* memory: one Daphne on the in-memory channel layer, N websocket clients;
* redis: two Daphne processes on channels-redis, clients split evenly; each change is POSTed to
  process A (the organizer's "shift by 5 minutes", live control on), so half the clients receive
  it across processes.

Latency is measured per client from the moment the POST is sent to the moment that client's
``published`` message with the new version is read; it therefore includes the HTTP request, the
transaction, the broadcast, and the client process's own scheduling of up to 1,000 sockets.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import secrets
import statistics
import string
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH_DB = os.environ.get("AGENDA_BENCH_DB", "ketnoi_agenda_bench")
PG = os.environ.get("AGENDA_BENCH_PG", "postgres://postgres@127.0.0.1:5432")
# redis-py 8 reads with a 5 s socket timeout by default, the same as channels-redis's blocking
# BZPOPMIN: without a longer timeout every idle consumer is torn down after ~5 s (channels_redis#422).
REDIS = os.environ.get("AGENDA_BENCH_REDIS", "redis://127.0.0.1:6379/2")


def run(args) -> list[dict]:
    quick = getattr(args, "quick", False)
    env = {**os.environ, "DATABASE_URL": f"{PG}/{BENCH_DB}", "REDIS_URL": "",
           "DJANGO_SETTINGS_MODULE": "eventsite.settings", "DJANGO_DEBUG": "0", "LOG_LEVEL": "ERROR"}
    cmd = [sys.executable, "-m", "bench.bench_agenda", "--child"] + (["--quick"] if quick else [])
    done = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=900)
    if done.returncode != 0:
        raise RuntimeError(f"bench_agenda failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


# --- child -------------------------------------------------------------------------------


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(p / 100 * len(ordered)) - 1))]


def recreate_db(drop_only: bool = False) -> None:
    import psycopg

    with psycopg.connect(f"{PG}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{BENCH_DB}" WITH (FORCE)')
        if not drop_only:
            conn.execute(f'CREATE DATABASE "{BENCH_DB}"')


def setup_data(sessions: int):
    from agenda import services
    from eventsite.models import EventRole
    from tests.agenda.factories import programme
    from tests.factories import EventFactory, user_with_role

    event = EventFactory(slug="bench-agenda")
    organizer = user_with_role(event, EventRole.Role.ORGANIZER)
    buyer = user_with_role(event, EventRole.Role.BUYER)
    made = programme(event, sessions=sessions, rooms=5)
    services.set_live_control(event=event, enabled=True)
    return event, organizer, buyer, made


def measure_page(event, buyer, runs: int) -> list[dict]:
    from django.core.cache import cache
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    rows = []
    anonymous, signed_in = Client(HTTP_HOST="127.0.0.1"), Client(HTTP_HOST="127.0.0.1")
    signed_in.force_login(buyer)
    agenda, screen = f"/e/{event.slug}/agenda/", f"/e/{event.slug}/agenda/screen/"
    for label, client, path, cold in [
        ("anonymous, cold (fragment rendered)", anonymous, agenda, True),
        ("anonymous, fragment cached", anonymous, agenda, False),
        ("signed in, cold (fragment rendered)", signed_in, agenda, True),
        ("signed in, fragment cached", signed_in, agenda, False),
        ("screen, cold", anonymous, screen, True),
    ]:
        for _ in range(3):
            assert client.get(path).status_code == 200
        times = []
        for _ in range(runs):
            if cold:
                cache.clear()
            start = time.perf_counter()
            response = client.get(path)
            times.append((time.perf_counter() - start) * 1000)
            assert response.status_code == 200
        if cold:
            cache.clear()
        with CaptureQueriesContext(connection) as queries:
            client.get(path)
        rows.append({"benchmark": "agenda page", "figure": f"{label}, 200 sessions, median",
                     "value": round(statistics.median(times), 1), "unit": "ms", "target": "≤ 100",
                     "note": f"p95 {pct(times, 95):.1f} ms over {runs} runs; {len(queries)} queries"})
    return rows


def session_cookie(user) -> str:
    from django.test import Client

    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(user)
    return client.cookies["sessionid"].value


def post_shift(base: str, slug: str, session_id: int, minutes: int, cookie: str) -> None:
    csrf = "".join(secrets.choice(string.ascii_letters + string.digits) for _ in range(32))
    request = urllib.request.Request(
        f"{base}/e/{slug}/agenda/control/sessions/{session_id}/shift/",
        data=urllib.parse.urlencode({"minutes": str(minutes)}).encode(), method="POST",
        headers={"Cookie": f"sessionid={cookie}; csrftoken={csrf}", "X-CSRFToken": csrf, "Origin": base,
                 "HX-Request": "true", "Content-Type": "application/x-www-form-urlencoded"},
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        body = response.read().decode()
        if "role=\"alert\"" in body:
            raise RuntimeError("shift refused: " + body[:500])


async def latency(servers, clients: int, rounds: int, event, session_id: int, cookie: str) -> dict:
    import websockets

    sockets = []
    try:
        for i in range(clients):
            server = servers[i % len(servers)]
            ws = await websockets.connect(f"ws://127.0.0.1:{server.port}/ws/e/{event.slug}/agenda/",
                                          origin=server.url, open_timeout=30, max_queue=64)
            sockets.append(ws)
            greeting = json.loads(await asyncio.wait_for(ws.recv(), 30))
            version = greeting["version"]
        latencies: list[float] = []
        post_ms: list[float] = []
        fanout: list[float] = []
        first_ms: list[float] = []
        missing: dict[int, int] = {}
        delivered = 0
        for r in range(rounds):
            expected = version + 1 + r
            arrivals: list[float] = []

            async def wait_for(ws, expected=expected, arrivals=arrivals):
                while True:
                    msg = json.loads(await ws.recv())
                    if msg.get("type") == "published" and msg["version"] >= expected:
                        arrivals.append(time.perf_counter())
                        published = datetime.fromisoformat(msg["published_at"]).timestamp()
                        fanout.append((time.time() - published) * 1000)
                        return

            waiters = [asyncio.ensure_future(wait_for(ws)) for ws in sockets]
            await asyncio.sleep(0.2)
            start = time.perf_counter()
            await asyncio.to_thread(post_shift, servers[0].url, event.slug, session_id, 5 if r % 2 == 0 else -5, cookie)
            post_ms.append((time.perf_counter() - start) * 1000)
            done, pending = await asyncio.wait(waiters, timeout=10)
            for i, task in enumerate(waiters):
                if task in pending:
                    missing[i] = missing.get(i, 0) + 1
                    task.cancel()
                elif task.exception() is not None:
                    key = f"{i}:{type(task.exception()).__name__}:{task.exception()}"[:120]
                    missing[key] = missing.get(key, 0) + 1
            if arrivals:
                first_ms.append((min(arrivals) - start) * 1000)
            delivered += len(arrivals)
            latencies += [(t - start) * 1000 for t in arrivals]
            await asyncio.sleep(0.3)
        return {"p50": statistics.median(latencies), "p99": pct(latencies, 99), "max": max(latencies),
                "delivered": delivered, "expected": clients * rounds,
                "post": statistics.median(post_ms), "fanout_p50": statistics.median(fanout),
                "fanout_p99": pct(fanout, 99), "first": statistics.median(first_ms) if first_ms else 0,
                "missing": missing}
    finally:
        await asyncio.gather(*(ws.close() for ws in sockets), return_exceptions=True)


def measure_ws(event, organizer, session_id: int, clients: int, rounds: int, redis: bool) -> dict:
    from contextlib import ExitStack

    from tests.asgi_server import asgi_server

    env = {"DJANGO_DEBUG": "0", "LOG_LEVEL": "ERROR"}
    if redis:
        env.update(REDIS_URL=REDIS, KETNOI_CHANNEL_PREFIX=f"agenda-bench-{secrets.token_hex(4)}")
    else:
        env.update(REDIS_URL="")
    cookie = session_cookie(organizer)
    with ExitStack() as stack:
        servers = [stack.enter_context(asgi_server(extra_env=env)) for _ in range(2 if redis else 1)]
        return asyncio.run(latency(servers, clients, rounds, event, session_id, cookie))


def child(quick: bool) -> None:
    sys.path.insert(0, str(ROOT))
    import django

    recreate_db()
    try:
        django.setup()
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
        event, organizer, buyer, sessions = setup_data(200)
        rows = measure_page(event, buyer, runs=5 if quick else 30)
        plans = [(False, 50 if quick else 200), (True, 100 if quick else 1000)]
        for redis, clients in plans:
            rounds = 3 if quick else 10
            result = measure_ws(event, organizer, sessions[0].pk, clients, rounds, redis)
            where = (f"{clients} clients over 2 Daphne processes on Redis" if redis
                     else f"{clients} clients, 1 Daphne, in-memory layer")
            share = f"{result['delivered']}/{result['expected']} delivered"
            rows.append({"benchmark": "change → all clients", "figure": f"p99, {where}",
                         "value": round(result["p99"], 1), "unit": "ms", "target": "≤ 250, 100% delivered",
                         "note": (f"p50 {result['p50']:.1f} ms, max {result['max']:.1f} ms; {share}; {rounds} changes; "
                                  f"release created → client p50 {result['fanout_p50']:.0f} ms, "
                                  f"p99 {result['fanout_p99']:.0f} ms; POST round trip median {result['post']:.0f} ms, "
                                  f"first client median {result['first']:.0f} ms; "
                                  f"failures {result['missing'] or 'none'}")})
    finally:
        from django.db import connections

        connections.close_all()
        recreate_db(drop_only=True)
    print(json.dumps(rows, ensure_ascii=False))


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--child", action="store_true")
    parser.add_argument("--quick", action="store_true")
    options = parser.parse_args()
    if options.child:
        child(options.quick)
    else:
        for row in run(options):
            print(" | ".join(str(row.get(k, "")) for k in ("benchmark", "figure", "value", "unit", "target", "note")))
