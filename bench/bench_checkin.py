"""Badges and check-in benchmarks: `python -m bench checkin [--quick]`.

1. Token sign + verify per second: ``tokens.sign`` and ``tokens.verify`` themselves (Ed25519 via PyNaCl/libsodium,
   our binary layout + base32) in a child process against the scratch database, a fresh token per verify; the
   raw Ed25519 primitives of libsodium and OpenSSL for comparison; and the QR version.
2. Badge rendering speed for the 8 × A7 sheet (one process, one core) and the peak RSS of a real background job
   (run_badge_job in a fresh child process against a scratch PostgreSQL database, registrations seeded by another
   child) for 1,000 and 5,000 badges (``BENCH_CHECKIN_JOB_SIZES=1000,5000,10000`` to choose).
3. Redeem throughput and p99 over HTTP, fresh codes only (a code is never sent twice; other answers counted
   apart), in production shape by default: scale mode (``deploy/scale_mode.py`` via ``bench.scale_stack.Stack``:
   nginx in front of 2 uvicorn workers, Redis for the per-device rate limit and the coalesced live counters)
   against the scratch PostgreSQL database, with 10 and 12 clients (one per desk) and 32; a thin asyncio load
   generator posts /api/checkin/v1/redeem with a device token through nginx. CPU per scan is split into the
   servers (workers and nginx), PostgreSQL, Redis and the generator. ``BENCH_CHECKIN_DIRECT=1`` adds 2 uvicorn
   and 2 Daphne processes without proxy or Redis (the shape of rows before 8 December).

The scratch database ``ketnoi_checkin_bench`` is created and dropped here; nothing else is touched.

``BENCH_CHECKIN_DB`` renames the scratch database (two runs at once must not share it).
``BENCH_CHECKIN_PARTS`` picks parts (comma-separated from ``tokens,render,jobs,redeem``; default all), e.g.
``BENCH_CHECKIN_PARTS=tokens,render,jobs python -m bench checkin`` skips the long redeem load.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if __package__ in (None, ""):  # run as a script (the benchmark's child processes): the project on the path
    sys.path.insert(0, str(ROOT))

from bench.memory import rss_peak_mb  # noqa: E402

PG = os.environ.get("BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432")
# another name when two people run this module at once (each run drops and recreates its database)
BENCH_DB = os.environ.get("BENCH_CHECKIN_DB", "ketnoi_checkin_bench")


def _setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "eventsite.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def row(figure, value, unit, target="", note="", benchmark="checkin") -> dict:
    return {"benchmark": benchmark, "figure": figure, "value": value, "unit": unit, "target": target, "note": note}


# --- 1. tokens --------------------------------------------------------------------------------------------------


def bench_tokens(url: str, n: int) -> list[dict]:
    from registration.services import pdf, tokens

    result = _child(["tokens", str(n)], url)
    typical = result["typical"]
    big = tokens.encode(tokens.payload(tokens.Claims(3_000_000, 9_999, 3)) + bytes(64))
    return [
        row("token sign + verify (CPU time)", round(result["pairs_cpu"]), "pairs/s", "≥ 5,000/s",
            f"tokens.sign {result['sign_cpu']:,.0f}/s, tokens.verify {result['verify_cpu']:,.0f}/s by CPU seconds; "
            f"{n} distinct tokens of one event, each verified once, one thread (wall clock on the shared machine: "
            f"{result['pairs_wall']:,.0f} pairs/s)"),
        row("Ed25519 primitives alone (CPU time)", round(result["raw"]["libsodium"]["pairs"]), "pairs/s", "",
            "libsodium (PyNaCl) sign {:,.0f}/s verify {:,.0f}/s; OpenSSL (cryptography) sign {:,.0f}/s verify "
            "{:,.0f}/s = {:,.0f} pairs/s".format(
                result["raw"]["libsodium"]["sign"], result["raw"]["libsodium"]["verify"],
                result["raw"]["openssl"]["sign"], result["raw"]["openssl"]["verify"],
                result["raw"]["openssl"]["pairs"])),
        row("token length", len(typical), "chars", "",
            f"{len(tokens.decode(typical))} bytes, base32 (QR alphanumeric)"),
        row("QR version (level L)", pdf.qr_version(typical), "", "≤ 4",
            "badge id < 2,097,152 and event id < 16,384: 114 chars fit version 4-L exactly; level M needs version 5"),
        row("QR version, badge id ≥ 2,097,152", pdf.qr_version(big), "", "≤ 4",
            f"{len(big)} chars: a 4-byte badge-id varint tips it over"),
    ]


def _raw_ed25519(n: int) -> dict:
    """The signature primitives alone, same messages: what the library choice is worth."""
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
    from nacl.signing import SigningKey

    messages = [bytes([1]) + (10_000 + i).to_bytes(3, "little") + bytes([42, 1]) for i in range(n)]
    out = {}
    nacl_key = SigningKey.generate()
    ossl_key = Ed25519PrivateKey.from_private_bytes(bytes(nacl_key))
    ossl_public = ossl_key.public_key()
    for name, sign, verify in (
        ("libsodium", lambda m: nacl_key.sign(m).signature, nacl_key.verify_key.verify),
        ("openssl", ossl_key.sign, lambda m, s: ossl_public.verify(s, m)),
    ):
        c0 = time.process_time()
        signatures = [sign(m) for m in messages]
        c1 = time.process_time()
        for m, sig in zip(messages, signatures, strict=True):
            verify(m, sig)
        c2 = time.process_time()
        out[name] = {"sign": n / (c1 - c0), "verify": n / (c2 - c1), "pairs": n / (c2 - c0)}
    return out


# --- 2. badges --------------------------------------------------------------------------------------------------


def bench_render(n: int) -> list[dict]:
    from nacl.signing import SigningKey

    from registration.services import pdf, tokens

    key = SigningKey.generate()
    names = ["Nguyễn Thị Ngọc Huyền", "Trần Văn Út", "Tôn Nữ Thị Phương Thảo Nguyên", "Lê Hà", "Đặng Văn Sáu"]
    items = []
    for i in range(n):
        message = tokens.payload(tokens.Claims(10_000 + i, 42, 1))
        items.append(pdf.BadgeData(
            name=names[i % 5] + f" {i}", company="Liên hiệp HTX Thương mại TP. Hồ Chí Minh (Saigon Co.op)",
            role="buyer", role_label="Người mua", role_label_en="Buyer",
            token=tokens.encode(message + key.sign(message).signature),
            event_name="Hội nghị kết nối cung cầu sản phẩm OCOP tỉnh Cà Mau năm 2026",
            event_dates="09/12/2026 – 11/12/2026", venue="Cà Mau"))
    pdf.register_fonts()
    with tempfile.TemporaryFile() as out:
        t0, c0 = time.perf_counter(), time.process_time()
        pdf.write_badges("a4_8xa7", items, out)
        elapsed, cpu = time.perf_counter() - t0, time.process_time() - c0
        size = out.tell()
    return [row("A7 sheet rendering (CPU time)", round(n / cpu), "badges/s", "≥ 200/s",
                f"{n} badges, 8 × A7 per A4, QR + 4 text blocks each, one thread; by CPU seconds of this process "
                f"(wall clock on the shared machine: {n / elapsed:.0f}/s); {size / n / 1024:.1f} KB/badge")]


def _psql(sql: str) -> None:
    import psycopg

    with psycopg.connect(f"{PG}/postgres", autocommit=True) as conn:
        conn.execute(sql)


def _create_scratch_db() -> str:
    _psql(f'DROP DATABASE IF EXISTS "{BENCH_DB}" WITH (FORCE)')
    _psql(f'CREATE DATABASE "{BENCH_DB}"')
    url = f"{PG}/{BENCH_DB}"
    subprocess.run([sys.executable, "manage.py", "migrate", "-v0", "--noinput"], cwd=ROOT, check=True,
                   env={**os.environ, "DATABASE_URL": url})
    return url


def _child(args: list[str], url: str) -> dict:
    out = subprocess.run([sys.executable, str(Path(__file__)), *args], cwd=ROOT, check=True, capture_output=True,
                         text=True, env={**os.environ, "DATABASE_URL": url, "DJANGO_DEBUG": "0"})
    return json.loads(out.stdout.strip().splitlines()[-1])


def bench_jobs(url: str, sizes: list[int]) -> list[dict]:
    rows = []
    for n in sizes:
        seeded = _child(["seed_job", str(n)], url)
        result = _child(["job", str(seeded["event"])], url)  # a fresh process: its peak RSS is the job's own
        assert result["done"] == n, result
        rows.append(row(f"badge job, {n:,} badges (A7 sheets)", result["peak_rss_mb"], "MB peak RSS",
                        "flat memory",
                        f"{result['seconds']:.1f} s wall = {n / result['seconds']:.0f} badges/s "
                        f"({n / result['cpu']:.0f}/s by CPU time) incl. DB reads, badge issue and signing; "
                        f"RSS before the job {result['baseline_rss_mb']} MB (same process, Django loaded); "
                        f"PDF {result['pdf_mb']:.1f} MB, {result['pages']} pages"))
    return rows


# --- 3. redeem over HTTP ----------------------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


async def _load(bases: list[str], token: str, codes: list[str], *, concurrency: int, duration: float) -> dict:
    """``concurrency`` keep-alive HTTP/1.1 clients, spread evenly over the servers in ``bases``, for ``duration`` s.

    A deliberately thin client (asyncio streams, one prepared request, Content-Length framing; each answer is
    still read whole and its JSON parsed): on a 2-core machine the load generator shares the CPU with the servers
    and PostgreSQL, and a general-purpose client (aiohttp) cost about 1.3 ms of CPU per request here.

    Each code is sent once (never cycled): the run stops at ``duration`` or when the codes run out. ``rate``,
    ``n`` and the latencies count only first-time successful scans (answer ``ok``, not replayed); every other
    answer (``already_checked_in`` and the rest) is counted apart in ``statuses`` / ``other``.
    """
    latencies: list[float] = []
    other = 0
    statuses: dict[str, int] = {}
    errors = 0
    index = 0
    stop_at = time.perf_counter() + duration

    async def worker(base: str):
        nonlocal index, errors, other
        host, port = base.removeprefix("http://").split(":")
        reader, writer = await asyncio.open_connection(host, int(port))
        head = (f"POST /api/checkin/v1/redeem HTTP/1.1\r\nHost: {host}:{port}\r\n"
                f"Authorization: Bearer {token}\r\nContent-Type: application/json\r\n").encode()
        try:
            while time.perf_counter() < stop_at and index < len(codes):
                code = codes[index]
                index += 1
                body = json.dumps({"code": code, "gate": f"Cổng {index % 4}", "nonce": uuid.uuid4().hex}).encode()
                t0 = time.perf_counter()
                writer.write(head + b"Content-Length: %d\r\n\r\n" % len(body) + body)
                status_line = await reader.readline()
                length = 0
                while (line := await reader.readline()) not in (b"\r\n", b""):
                    if line[:15].lower() == b"content-length:":
                        length = int(line[15:])
                data = json.loads(await reader.readexactly(length))
                if status_line.split()[1] != b"200":
                    errors += 1
                statuses[data.get("status", "?")] = statuses.get(data.get("status", "?"), 0) + 1
                if data.get("status") == "ok" and not data.get("replayed"):
                    latencies.append(time.perf_counter() - t0)
                else:
                    other += 1
        except (OSError, asyncio.IncompleteReadError, ValueError):
            errors += 1
        finally:
            writer.close()

    t0 = time.perf_counter()
    await asyncio.gather(*(worker(bases[i % len(bases)]) for i in range(concurrency)))
    elapsed = time.perf_counter() - t0
    latencies.sort()
    pick = lambda q: latencies[min(len(latencies) - 1, int(q * len(latencies)))] * 1000  # noqa: E731
    n = len(latencies)
    latencies = latencies or [0.0]
    return {"n": n, "rate": n / elapsed, "p50": pick(0.50), "p99": pick(0.99),
            "statuses": statuses, "errors": errors, "other": other, "exhausted": index >= len(codes)}


def _proc_cpu(pid: int) -> float:
    """User + system CPU seconds of a process (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _postgres_cpu() -> float:
    """CPU seconds of every PostgreSQL process on this machine (the benchmark's backends among them)."""
    return _process_cpu({"postgres", "postmaster"})


SERVERS = {
    "daphne": lambda port: [sys.executable, "-m", "daphne", "-b", "127.0.0.1", "-p", str(port),
                            "eventsite.asgi:application"],
    "uvicorn": lambda port: [sys.executable, "-m", "uvicorn", "--host", "127.0.0.1", "--port", str(port),
                             "--no-access-log", "--log-level", "warning", "--lifespan", "off", "--http", "httptools",
                             "--loop", "uvloop", "eventsite.asgi:application"],
}


def _start(kind: str, env: dict) -> tuple[subprocess.Popen, str]:
    """Start one ``kind`` server (see SERVERS) on a free port; return it and its base URL once it accepts."""
    port = _free_port()
    log = Path(tempfile.mkdtemp()) / f"{kind}.log"
    with open(log, "wb") as out:
        server = subprocess.Popen(SERVERS[kind](port), cwd=ROOT, env=env, stdout=out, stderr=out)
    deadline = time.monotonic() + 30
    while True:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return server, f"http://127.0.0.1:{port}"
        except OSError:
            if time.monotonic() > deadline or server.poll() is not None:
                server.kill()
                raise RuntimeError(log.read_text()) from None
            time.sleep(0.2)


def _process_cpu(names: set[str]) -> float:
    """CPU seconds of every process on this machine whose name is in ``names`` (e.g. PostgreSQL's backends)."""
    total = 0.0
    for proc in Path("/proc").iterdir():
        if proc.name.isdigit():
            try:
                if (proc / "comm").read_text().strip() in names:
                    total += _proc_cpu(int(proc.name))
            except OSError:
                continue
    return total


def redeem_variants() -> list[tuple[str, str, int]]:
    """(label, shape, concurrent clients). By default the production shape (scale mode: nginx in front of 2
    uvicorn workers, Redis for the rate limit and the live counters, PostgreSQL) with one client per desk for 10
    and 12 desks and a 32-client flood. ``BENCH_CHECKIN_DIRECT=1`` adds 2 uvicorn and 2 Daphne processes without
    the proxy or Redis, for comparison with earlier rows."""
    shape = "nginx + 2 uvicorn + Redis + PostgreSQL"
    variants = [(f"{shape}, {n} clients", "stack", n) for n in (10, 12, 32)]
    if os.environ.get("BENCH_CHECKIN_DIRECT") == "1":
        variants += [("2 uvicorn, no proxy, no Redis, 32 clients", "uvicorn", 32),
                     ("2 Daphne, no proxy, no Redis, 32 clients", "daphne", 32)]
    return variants


def _measure(bases: list[str], pids: list[int], token: str, batch: list[str], *, clients: int,
             duration: float) -> tuple[dict, dict]:
    """Warm up, then load ``bases`` with fresh codes; the CPU a scan cost each part of the machine."""
    asyncio.run(_load(bases, token, batch[:200], concurrency=8, duration=2))  # warm-up (codes not counted)
    cpu0 = sum(_proc_cpu(pid) for pid in pids)
    pg0, redis0, own0 = _postgres_cpu(), _process_cpu({"redis-server"}), time.process_time()
    result = asyncio.run(_load(bases, token, batch[200:], concurrency=clients, duration=duration))
    scans = max(1, result["n"])
    cpu = {"server": (sum(_proc_cpu(pid) for pid in pids) - cpu0) * 1000 / scans,
           "pg": (_postgres_cpu() - pg0) * 1000 / scans,
           "redis": (_process_cpu({"redis-server"}) - redis0) * 1000 / scans,
           "load": (time.process_time() - own0) * 1000 / scans}
    return result, cpu


def bench_redeem(url: str, attendees: int, *, duration: float) -> list[dict]:
    from bench.scale_stack import Stack

    seeded = _child(["seed", str(attendees)], url)
    codes = Path(seeded["codes"]).read_text().split()
    rows = []
    variants = redeem_variants()
    share = len(codes) // len(variants)
    # One token stands for every desk of the load here; a real scanner stays under its 20/s. The limit is still
    # counted in Redis on every scan (the production path), only its ceiling is raised.
    limits = {"KETNOI_RATE_LIMITS": "checkin_api=1000000/s"}
    stack = None
    try:
        for i, (label, kind, clients) in enumerate(variants):
            batch = codes[i * share:(i + 1) * share]
            servers = []
            try:
                if kind == "stack":
                    if stack is None:
                        stack = Stack(pg_url=PG, database=url.rsplit("/", 1)[1], workers=2, server="uvicorn",
                                      redis_url=os.environ.get("EVENTDAY_REDIS", "redis://127.0.0.1:6379/7"),
                                      extra_env=limits)
                        stack.start()
                    bases = [stack.base]
                    pids = [pid for name, pid in stack.processes() if name != "db_worker"]
                else:
                    env = {**os.environ, "DATABASE_URL": url, "DJANGO_DEBUG": "0",
                           "DJANGO_SETTINGS_MODULE": "eventsite.settings", **limits}
                    env.pop("REDIS_URL", None)
                    servers = [_start(kind, env) for _ in range(2)]
                    bases, pids = [base for _server, base in servers], [server.pid for server, _base in servers]
                result, cpu = _measure(bases, pids, seeded["token"], batch, clients=clients, duration=duration)
            finally:
                for server, _base in servers:
                    server.terminate()
                    server.wait(timeout=10)
            note = (f"{result['n']} first-time OK scans in {duration:.0f} s"
                    f"{' (codes ran out first: seed more attendees)' if result['exhausted'] else ''}; "
                    f"{result['other']} other answers counted apart; answers {result['statuses']}; "
                    f"errors {result['errors']}; thin asyncio HTTP/1.1 load generator in this process, {clients} "
                    f"concurrent keep-alive clients; {attendees:,} attendees; load average before: "
                    f"{os.getloadavg()[0]:.1f}")
            rows.append(row(f"redeem throughput ({label})", round(result["rate"]), "scans/s", "≥ 250/s", note))
            rows.append(row(f"redeem p99 ({label})", round(result["p99"], 1), "ms", "≤ 100 ms",
                            f"p50 {result['p50']:.1f} ms; errors {result['errors']}"))
            total = sum(cpu.values())
            rows.append(row(f"CPU per scan ({label})", round(total, 2), "ms", "≤ 8 ms (2 cores / 250 scans/s)",
                            f"servers (ASGI workers{' and nginx' if kind == 'stack' else ''}) {cpu['server']:.2f} ms"
                            f" + PostgreSQL {cpu['pg']:.2f} ms + Redis {cpu['redis']:.2f} ms + load generator "
                            f"{cpu['load']:.2f} ms: all share the 2 cores, so 2,000 / this = the ceiling in scans/s"))
    finally:
        if stack is not None:
            stack.stop()
    return rows


# --- children (run with DATABASE_URL pointing at the scratch database) -----------------------------------------


def _rss_mb() -> float:
    return round(rss_peak_mb(), 1)


def child_seed(n: int) -> dict:
    _setup_django()
    from checkin.services import devices
    from registration.models import Registration
    from registration.services import badges
    from tests.factories import EventFactory
    from tests.registration.factories_checkin import bulk_registrations

    event = EventFactory(slug=f"bench-{uuid.uuid4().hex[:6]}", organizer__tax_code=uuid.uuid4().hex[:12])
    regs = bulk_registrations(event, n)
    found = badges.ensure_badges(Registration.objects.filter(event=event))
    codes = [badges.token_for(found[r.pk]) for r in regs]
    _, token = devices.create_device(event=event, name="bench")
    path = Path(tempfile.mkdtemp()) / "codes.txt"
    path.write_text("\n".join(codes))
    return {"token": token, "codes": str(path), "event": event.pk}


def child_tokens(n: int) -> dict:
    """``tokens.sign`` then ``tokens.verify`` for n distinct badges of one event (keys from the database, cached
    per process as in the server); every verify gets a token it has not seen and its claims are checked."""
    _setup_django()
    from registration.services import tokens
    from tests.factories import EventFactory

    event = EventFactory(slug=f"bench-tok-{uuid.uuid4().hex[:6]}", organizer__tax_code=uuid.uuid4().hex[:12])
    tokens.verify(tokens.sign(tokens.Claims(1, event.pk, 1)), event_id=event.pk)  # key row created and cached
    claims = [tokens.Claims(10_000 + i, event.pk, 1) for i in range(n)]
    w0, c0 = time.perf_counter(), time.process_time()
    codes = [tokens.sign(c) for c in claims]
    c1 = time.process_time()
    for c, code in zip(claims, codes, strict=True):
        if tokens.verify(code, event_id=event.pk) != c:
            raise AssertionError(code)
    c2, w2 = time.process_time(), time.perf_counter()
    return {"sign_cpu": n / (c1 - c0), "verify_cpu": n / (c2 - c1), "pairs_cpu": n / (c2 - c0),
            "pairs_wall": n / (w2 - w0), "typical": codes[-1], "raw": _raw_ed25519(min(n, 5_000))}


def child_seed_job(n: int) -> dict:
    _setup_django()
    from tests.factories import EventFactory
    from tests.registration.factories_checkin import bulk_registrations

    event = EventFactory(slug=f"bench-job-{uuid.uuid4().hex[:6]}", organizer__tax_code=uuid.uuid4().hex[:12])
    bulk_registrations(event, n)
    return {"event": event.pk}


def child_job(event_id: int) -> dict:
    _setup_django()
    from django.conf import settings

    from eventsite.models import Event
    from registration.services import jobs

    settings.MEDIA_ROOT = tempfile.mkdtemp()
    event = Event.objects.get(pk=event_id)
    baseline = _rss_mb()
    job = jobs.start_badge_job(event=event, requested_by=None, layout="a4_8xa7", roles=[], statuses=["approved"],
                               background=False)
    t0, c0 = time.perf_counter(), time.process_time()
    job = jobs.run_badge_job(job.pk)
    seconds, cpu = time.perf_counter() - t0, time.process_time() - c0
    peak = _rss_mb()  # before anything below reads the file
    assert job.status == "done", (job.status, job.error)
    with job.file.open("rb") as f:
        pages = sum(len(re.findall(rb"/Type /Page\b(?!s)", chunk)) for chunk in iter(lambda: f.read(1 << 20), b""))
    return {"seconds": seconds, "cpu": cpu, "peak_rss_mb": peak, "baseline_rss_mb": baseline,
            "pdf_mb": job.file.size / 1024 / 1024, "done": job.done, "pages": pages}


PARTS = ("tokens", "render", "jobs", "redeem")


def run(args) -> list[dict]:
    quick = getattr(args, "quick", False)
    parts = [p.strip() for p in os.environ.get("BENCH_CHECKIN_PARTS", ",".join(PARTS)).split(",") if p.strip()]
    if unknown := set(parts) - set(PARTS):
        raise SystemExit(f"BENCH_CHECKIN_PARTS: unknown {sorted(unknown)}; choose from {', '.join(PARTS)}")
    default_sizes = "200,1000" if quick else "1000,5000"
    sizes = [int(x) for x in os.environ.get("BENCH_CHECKIN_JOB_SIZES", default_sizes).split(",")]
    _setup_django()
    rows = []
    if "render" in parts:
        rows += bench_render(200 if quick else 1_000)
    if {"tokens", "jobs", "redeem"} & set(parts):
        url = _create_scratch_db()
        try:
            if "tokens" in parts:
                rows = bench_tokens(url, 2_000 if quick else 20_000) + rows
            if "jobs" in parts:
                rows += bench_jobs(url, sizes)
            if "redeem" in parts:
                rows += bench_redeem(url, 4_000 if quick else 20_000, duration=3 if quick else 10)
        finally:
            _psql(f'DROP DATABASE IF EXISTS "{BENCH_DB}" WITH (FORCE)')
    return rows


if __name__ == "__main__":
    command, n = sys.argv[1], int(sys.argv[2])
    result = {"seed": child_seed, "tokens": child_tokens, "seed_job": child_seed_job, "job": child_job}[command](n)
    print(json.dumps(result))
