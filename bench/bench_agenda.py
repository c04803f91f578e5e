"""Agenda: page server time at 200 sessions, and change → all websocket clients latency.

Runs in a child process against a scratch PostgreSQL database (``ketnoi_agenda_bench`` by default,
created and dropped here) so the parent's Django settings are never touched.

* page: in-process Django test client, anonymous and signed-in, 200 published sessions;
* memory: one Daphne on the in-memory channel layer, N websocket clients;
* redis: two Daphne processes on channels-redis, clients split evenly; each change is POSTed to
  process A (the organizer's "shift by 5 minutes", live control on), so half the clients receive
  it across processes.

Load generator: one process, one asyncio loop, a hand-written websocket client per socket
(``WsClient``, an ``asyncio.Protocol``, not the ``websockets`` library), so the measuring side costs
a few tens of milliseconds of CPU per change even at 1,000 sockets and does not steal the cores
the servers need. Sockets connect 10 at a time before measuring; one unmeasured change warms the
server processes up; then ``--rounds`` changes (default 10), 0.5 s apart.

Latency is taken per client and per change **from the commit of the release to the moment the
client process reads the frame from its socket** (``time.time()`` first thing in
``data_received``). The commit moment is bounded by the ``published_at`` the message carries: it is
set when the release row is created, a few statements *before* the commit, so the figure slightly
over-states commit → client (same machine, same clock). The note also gives "POST sent → client"
(adds the HTTP request, the snapshot build and the transaction), the CPU seconds all Daphne
processes spent per change (from /proc, including the organizer's request on process A) and the
load generator's own CPU per change.

``python -m bench.bench_agenda [--quick] [--memory-clients N] [--redis-clients N] [--rounds N] [--no-page]``;
``AGENDA_BENCH_REDIS`` picks the Redis database (default ``redis://127.0.0.1:6379/2``).
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import contextlib
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
    env = {**os.environ, "DATABASE_URL": f"{PG}/{BENCH_DB}", "REDIS_URL": "",
           "DJANGO_SETTINGS_MODULE": "eventsite.settings", "DJANGO_DEBUG": "0", "LOG_LEVEL": "ERROR"}
    cmd = [sys.executable, "-m", "bench.bench_agenda", "--child"]
    if getattr(args, "quick", False):
        cmd.append("--quick")
    for option in ("memory_clients", "redis_clients", "rounds"):
        if getattr(args, option, None) is not None:
            cmd += [f"--{option.replace('_', '-')}", str(getattr(args, option))]
    if getattr(args, "no_page", False):
        cmd.append("--no-page")
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


class WsClient(asyncio.Protocol):
    """A minimal websocket client for the load generator: one asyncio Protocol per socket.

    The arrival time of every frame is read (``time.time()``) first thing in ``data_received``, i.e.
    when this process reads the bytes from the kernel, before any parsing, so the figure does not
    depend on how fast 1,000 Python websocket objects can be scheduled. Server frames are parsed
    by hand (RFC 6455: unmasked, small text frames); pings are answered with masked pongs, as
    Daphne closes sockets that do not answer.
    """

    def __init__(self, host: str, path: str, origin: str, sink):
        self.request = (f"GET {path} HTTP/1.1\r\nHost: {host}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                        f"Sec-WebSocket-Key: {base64.b64encode(os.urandom(16)).decode()}\r\n"
                        f"Sec-WebSocket-Version: 13\r\nOrigin: {origin}\r\n\r\n").encode()
        self.sink = sink
        self.buffer = bytearray()
        self.open = False
        self.greeting: asyncio.Future = asyncio.get_running_loop().create_future()
        self.transport = None
        self.closed = False

    def connection_made(self, transport):
        self.transport = transport
        transport.write(self.request)

    def connection_lost(self, exc):
        self.closed = True
        if not self.greeting.done():
            self.greeting.set_exception(ConnectionError(f"closed before the greeting: {exc}"))

    def data_received(self, data):
        now = time.time()
        self.buffer += data
        if not self.open:
            end = self.buffer.find(b"\r\n\r\n")
            if end < 0:
                return
            head = bytes(self.buffer[:end])
            del self.buffer[:end + 4]
            if not head.startswith(b"HTTP/1.1 101"):
                self.greeting.set_exception(ConnectionError(head.decode(errors="replace")[:200]))
                self.transport.close()
                return
            self.open = True
        buf = self.buffer
        while len(buf) >= 2:
            opcode, length, pos = buf[0] & 0x0F, buf[1] & 0x7F, 2
            if length == 126:
                if len(buf) < 4:
                    return
                length, pos = int.from_bytes(buf[2:4], "big"), 4
            elif length == 127:
                if len(buf) < 10:
                    return
                length, pos = int.from_bytes(buf[2:10], "big"), 10
            if len(buf) < pos + length:
                return
            payload = bytes(buf[pos:pos + length])
            del buf[:pos + length]
            if opcode == 1:
                message = json.loads(payload)
                if not self.greeting.done():
                    self.greeting.set_result(message)
                else:
                    self.sink(self, message, now)
            elif opcode == 9:
                self.send_frame(0xA, payload)
            elif opcode == 8:
                self.transport.close()

    def send_frame(self, opcode: int, payload: bytes) -> None:
        mask = os.urandom(4)
        n = len(payload)
        header = bytes([0x80 | opcode]) + (bytes([0x80 | n]) if n < 126 else bytes([0x80 | 126]) + n.to_bytes(2, "big"))
        masked = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
        self.transport.write(header + mask + masked)

    def close(self) -> None:
        if self.transport is not None and not self.closed:
            self.send_frame(0x8, (1000).to_bytes(2, "big"))
            self.transport.close()


def cpu_seconds(pid: int) -> float:
    """utime + stime of a process, from /proc (Linux)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def latency(servers, clients: int, rounds: int, event, session_id: int, cookie: str) -> dict:
    loop = asyncio.get_running_loop()
    arrivals: dict[int, list[float]] = {}
    published_at: dict[int, float] = {}
    per_client: dict[int, set[int]] = {}
    complete: dict[int, asyncio.Event] = {}
    others: list[str] = []

    def sink(client, message, now):
        if message.get("type") != "published":
            others.append(message.get("type", "?"))
            return
        version = message["version"]
        seen = per_client.setdefault(id(client), set())
        if version in seen:
            others.append("duplicate")
            return
        seen.add(version)
        published_at.setdefault(version, datetime.fromisoformat(message["published_at"]).timestamp())
        times = arrivals.setdefault(version, [])
        times.append(now)
        if len(times) == clients and version in complete:
            complete[version].set()

    sockets: list[WsClient] = []
    # Connect 10 at a time: Daphne drops a socket its application has not accepted within 5 s, and every
    # connect costs two database round trips in a thread pool of a few threads.
    gate = asyncio.Semaphore(10)

    async def open_one(i: int) -> WsClient:
        server = servers[i % len(servers)]
        async with gate:
            _transport, client = await loop.create_connection(
                lambda: WsClient(f"127.0.0.1:{server.port}", f"/ws/e/{event.slug}/agenda/", server.url, sink),
                "127.0.0.1", server.port)
            sockets.append(client)
            greeting = await asyncio.wait_for(client.greeting, 30)
        return greeting["version"]

    try:
        versions = await asyncio.gather(*(open_one(i) for i in range(clients)))
        version = max(versions)
        to_commit: list[float] = []  # release created (just before commit) → received
        end_to_end: list[float] = []  # POST sent → received
        post_ms: list[float] = []
        first_ms: list[float] = []
        delivered = 0
        missing: dict[int, int] = {}
        server_cpu: list[float] = []
        client_cpu = 0.0
        # One unmeasured change first: the first POST to a fresh process loads URLconfs and templates.
        await asyncio.to_thread(post_shift, servers[0].url, event.slug, session_id, 5, cookie)
        for r in range(rounds):
            expected = version + 2 + r
            complete[expected] = asyncio.Event()
            await asyncio.sleep(0.5)
            cpu_before = [cpu_seconds(s.process.pid) for s in servers]
            client_before = time.process_time()
            start = time.time()
            await asyncio.to_thread(post_shift, servers[0].url, event.slug, session_id, -5 if r % 2 == 0 else 5, cookie)
            post_ms.append((time.time() - start) * 1000)
            with contextlib.suppress(TimeoutError):  # counted as missing below
                await asyncio.wait_for(complete[expected].wait(), 10)
            client_cpu += time.process_time() - client_before
            server_cpu.append([cpu_seconds(s.process.pid) - b for s, b in zip(servers, cpu_before, strict=True)])
            times = arrivals.get(expected, [])
            delivered += len(times)
            if len(times) < clients:
                missing[expected] = clients - len(times)
            if times:
                first_ms.append((min(times) - start) * 1000)
                to_commit += [(t - published_at[expected]) * 1000 for t in times]
                end_to_end += [(t - start) * 1000 for t in times]
        return {"p50": statistics.median(to_commit), "p99": pct(to_commit, 99), "max": max(to_commit),
                "e2e_p50": statistics.median(end_to_end), "e2e_p99": pct(end_to_end, 99),
                "delivered": delivered, "expected": clients * rounds,
                "post": statistics.median(post_ms), "first": statistics.median(first_ms) if first_ms else 0,
                "server_cpu_ms": [statistics.median(c[i] for c in server_cpu) * 1000 for i in range(len(servers))],
                "client_cpu_ms": client_cpu / rounds * 1000,
                "missing": missing, "unexpected": sorted(set(others)),
                "closed": sum(1 for c in sockets if c.closed)}
    finally:
        for client in sockets:
            client.close()
        await asyncio.sleep(0.2)


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


def child(options) -> None:
    sys.path.insert(0, str(ROOT))
    import django

    quick = options.quick
    recreate_db()
    try:
        django.setup()
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
        event, organizer, buyer, sessions = setup_data(200)
        rows = [] if options.no_page else measure_page(event, buyer, runs=5 if quick else 30)
        memory = options.memory_clients if options.memory_clients is not None else (50 if quick else 200)
        redis = options.redis_clients if options.redis_clients is not None else (100 if quick else 1000)
        rounds = options.rounds or (3 if quick else 10)
        for on_redis, clients in [(False, memory), (True, redis)]:
            if not clients:
                continue
            load_before = os.getloadavg()[0]
            result = measure_ws(event, organizer, sessions[0].pk, clients, rounds, on_redis)
            where = (f"{clients} clients over 2 Daphne processes on Redis" if on_redis
                     else f"{clients} clients, 1 Daphne, in-memory layer")
            share = f"{result['delivered']}/{result['expected']} delivered"
            cpu = " / ".join(f"{name} {ms:.0f} ms" for name, ms in
                             zip(("A (takes the POST)", "B"), result["server_cpu_ms"], strict=False))
            rows.append({"benchmark": "change → all clients", "figure": f"p99 commit → client, {where}",
                         "value": round(result["p99"], 1), "unit": "ms", "target": "≤ 250, 100% delivered",
                         "note": (f"p50 {result['p50']:.1f} ms, max {result['max']:.1f} ms; {share}; {rounds} changes; "
                                  f"POST sent → client p50 {result['e2e_p50']:.0f} ms, p99 {result['e2e_p99']:.0f} ms; "
                                  f"POST round trip median {result['post']:.0f} ms, "
                                  f"first client median {result['first']:.0f} ms; "
                                  f"Daphne CPU per change, median: {cpu}; "
                                  f"load generator CPU per change {result['client_cpu_ms']:.0f} ms; "
                                  f"load average {load_before:.2f} → {os.getloadavg()[0]:.2f}; "
                                  f"missing {result['missing'] or 'none'}; closed sockets {result['closed']}; "
                                  f"other messages {result['unexpected'] or 'none'}")})
    finally:
        from django.db import connections

        connections.close_all()
        recreate_db(drop_only=True)
    print(json.dumps(rows, ensure_ascii=False))


def arguments(parser: argparse.ArgumentParser) -> argparse.ArgumentParser:
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--memory-clients", type=int, help="clients on the in-memory layer (0: skip)")
    parser.add_argument("--redis-clients", type=int, help="clients over 2 Daphne on Redis (0: skip)")
    parser.add_argument("--rounds", type=int, help="changes per run")
    parser.add_argument("--no-page", action="store_true", help="skip the page timings")
    return parser


if __name__ == "__main__":
    parser = arguments(argparse.ArgumentParser())
    parser.add_argument("--child", action="store_true")
    options = parser.parse_args()
    if options.child:
        child(options)
    else:
        for row in run(options):
            print(" | ".join(str(row.get(k, "")) for k in ("benchmark", "figure", "value", "unit", "target", "note")))
