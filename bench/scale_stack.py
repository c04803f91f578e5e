"""Shared pieces of the scale-mode benchmarks (bench_eventday, bench_faults); not a benchmark itself.

* :class:`Stack` runs ``deploy/scale_mode.py`` (PostgreSQL + Redis + N ASGI workers + db_worker behind nginx) as a
  child process on its own ports, nginx prefix and channel prefix, and reads its ``status.json`` for process ids.
* :class:`OwnRedis` and :class:`OwnPostgres` start private servers (``redis-server --port …``; a scratch cluster made
  with Debian's ``initdb``/``pg_ctl``, run as the ``postgres`` user when we are root) that the fault runs may stop
  and restart without touching the shared servers on 6379 and 5432.
* :class:`Load` is the asyncio load generator: desks scanning badges through ``/api/checkin/v1/redeem`` (a retry
  resends the same nonce, as the scanner app does), websocket clients following the agenda with reconnect and
  version resync, organizers posting the agreement fast-entry form and shifting a session in live control.
* ``python -m bench.scale_stack child seed|verify …`` runs inside the stack's environment (same settings and secret
  key as the servers) to create the event and to check the database afterwards.
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib.util
import json
import os
import random
import secrets
import shutil
import signal
import socket
import string
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PG = os.environ.get("BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432")


def scale_mode_module():
    spec = importlib.util.spec_from_file_location("ketnoi_scale_mode", ROOT / "deploy" / "scale_mode.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def free_port() -> int:
    return free_ports(1)


def _bindable(port: int) -> bool:
    with socket.socket() as s:
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def free_ports(n: int) -> int:
    """First of ``n`` consecutive bindable ports below Linux's ephemeral range (32768+), so that the thousand client
    sockets of a run cannot take a server's port between our check and its bind."""
    rng = random.SystemRandom()
    for _ in range(200):
        first = rng.randrange(20000, 32000 - n)
        if all(_bindable(first + i) for i in range(n)):
            return first
    raise RuntimeError("no free ports in 20000-32000")


def port_open(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return True
    except OSError:
        return False


def wait_port(port: int, timeout: float = 30, up: bool = True) -> None:
    deadline = time.monotonic() + timeout
    while port_open(port) != up:
        if time.monotonic() > deadline:
            raise RuntimeError(f"127.0.0.1:{port} still {'closed' if up else 'open'} after {timeout:.0f} s")
        time.sleep(0.1)


def raise_fd_limit() -> None:
    import resource

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < min(hard, 16384):
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, 16384), hard))


def load_average() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


# --- /proc ------------------------------------------------------------------------------------------------------


def proc_cpu(pid: int) -> float | None:
    """User + system CPU seconds of a process, None if it is gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def proc_hwm_mb(pid: int) -> float | None:
    """Peak resident set size (VmHWM) in MB, None if the process is gone."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


def proc_children(pid: int) -> list[int]:
    found = []
    with contextlib.suppress(OSError):
        for task in Path(f"/proc/{pid}/task").iterdir():
            with contextlib.suppress(OSError):
                found += [int(c) for c in (task / "children").read_text().split()]
    return found


class Sampler:
    """Every ``every`` seconds: CPU seconds and peak RSS of named processes, and of the PostgreSQL backends serving
    ``database`` (short-lived with CONN_MAX_AGE=0, so their CPU is a sampled lower bound)."""

    def __init__(self, pids_fn, pg_admin_url: str | None, database: str | None, every: float = 0.5):
        self.pids_fn, self.pg_admin_url, self.database, self.every = pids_fn, pg_admin_url, database, every
        self.first: dict[int, float] = {}
        self.last: dict[int, float] = {}
        self.hwm: dict[int, float] = {}
        self.names: dict[int, str] = {}
        self.pg_first: dict[int, float] = {}
        self.pg_last: dict[int, float] = {}
        self.pg_peak_backends = 0
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def start(self) -> Sampler:
        self._sample()
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=10)
        self._sample()

    def _run(self) -> None:
        while not self._stop.wait(self.every):
            with contextlib.suppress(Exception):
                self._sample()

    def snapshot(self, name_part: str) -> float:
        """CPU seconds used so far by the processes whose name contains ``name_part`` (sampled now)."""
        self._sample()
        return sum(self.last[p] - self.first[p] for p, n in self.names.items() if name_part in n)

    def _sample(self) -> None:
        with self._lock:
            self._sample_locked()

    def _sample_locked(self) -> None:
        for name, pid in self.pids_fn():
            cpu = proc_cpu(pid)
            if cpu is None:
                continue
            self.names[pid] = name
            self.first.setdefault(pid, cpu)
            self.last[pid] = cpu
            hwm = proc_hwm_mb(pid)
            if hwm:
                self.hwm[pid] = max(self.hwm.get(pid, 0), hwm)
        if self.pg_admin_url and self.database:
            import psycopg

            with contextlib.suppress(Exception), psycopg.connect(self.pg_admin_url, connect_timeout=2) as conn:
                pids = [r[0] for r in conn.execute(
                    "SELECT pid FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
                    [self.database]).fetchall()]
                self.pg_peak_backends = max(self.pg_peak_backends, len(pids))
                for pid in pids:
                    cpu = proc_cpu(pid)
                    if cpu is not None:
                        # a backend first seen mid-life: count from 0 (its CPU is all ours: one database)
                        self.pg_first.setdefault(pid, 0.0)
                        self.pg_last[pid] = cpu

    def by_name(self) -> dict[str, dict[str, float]]:
        """name -> {"cpu": seconds used while sampling, "rss": peak MB} (several pids of one name are summed / max)."""
        out: dict[str, dict[str, float]] = {}
        for pid, name in self.names.items():
            entry = out.setdefault(name, {"cpu": 0.0, "rss": 0.0, "pids": 0})
            entry["cpu"] += self.last[pid] - self.first[pid]
            entry["rss"] = max(entry["rss"], self.hwm.get(pid, 0))
            entry["pids"] += 1
        return out

    def pg_cpu(self) -> float:
        return sum(self.pg_last[p] - self.pg_first[p] for p in self.pg_last)


# --- private servers ------------------------------------------------------------------------------------------


class OwnRedis:
    """A throw-away redis-server on ``port`` (no persistence), which the fault runs restart."""

    def __init__(self, port: int):
        self.port = port
        self.dir = Path(tempfile.mkdtemp(prefix=f"ketnoi-redis-{port}-"))
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
             "--dir", str(self.dir), "--maxclients", "10000"],
            stdout=open(self.dir / "redis.log", "ab"), stderr=subprocess.STDOUT)  # noqa: SIM115
        wait_port(self.port, 10)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)
        wait_port(self.port, 10, up=False)

    def close(self) -> None:
        self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)


class OwnPostgres:
    """A scratch PostgreSQL cluster on ``port`` (Debian's binaries; as root, run as the ``postgres`` user)."""

    def __init__(self, port: int):
        self.port = port
        bins = sorted(Path("/usr/lib/postgresql").glob("*/bin/pg_ctl"), key=lambda p: int(p.parent.parent.name))
        if not bins:
            raise RuntimeError("no /usr/lib/postgresql/*/bin/pg_ctl: apt-get install postgresql")
        self.bin = bins[-1].parent
        self.dir = Path(tempfile.mkdtemp(prefix=f"ketnoi-pg-{port}-"))
        self.data = self.dir / "data"
        if os.geteuid() == 0:
            shutil.chown(self.dir, "postgres", "postgres")
            self.dir.chmod(0o755)

    def _run(self, *cmd: str, check: bool = True) -> subprocess.CompletedProcess:
        full = [str(self.bin / cmd[0]), *cmd[1:]]
        if os.geteuid() == 0:
            full = ["runuser", "-u", "postgres", "--", *full]
        return subprocess.run(full, check=check, capture_output=True, text=True, cwd=self.dir)

    @property
    def url(self) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}"

    def init(self) -> None:
        self._run("initdb", "-D", str(self.data), "-U", "postgres", "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8")

    def start(self) -> None:
        options = f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 -c max_connections=300"
        self._run("pg_ctl", "-D", str(self.data), "-l", str(self.dir / "server.log"), "-o", options, "-w", "start")

    def stop(self) -> None:
        self._run("pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "stop", check=False)

    def close(self) -> None:
        self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)


def ensure_nginx() -> None:
    """nginx from Debian's packages, as `make scale` does (root on this machine and in CI)."""
    if shutil.which("nginx"):
        return
    if os.geteuid() != 0:
        raise RuntimeError("nginx is not installed: apt-get install nginx-light (or run `make scale` once as root)")
    subprocess.run(["apt-get", "update", "-qq"], check=True)
    subprocess.run(["apt-get", "install", "-y", "-qq", "nginx-light"], check=True, stdout=subprocess.DEVNULL,
                   env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"})


# --- the stack --------------------------------------------------------------------------------------------------


class Stack:
    """deploy/scale_mode.py in a child process: ``workers`` ASGI processes + db_worker behind nginx on ``port``."""

    def __init__(self, *, pg_url: str, database: str, redis_url: str, workers: int = 2, server: str = "uvicorn",
                 extra_env: dict[str, str] | None = None):
        self.pg_url, self.database, self.redis_url = pg_url, database, redis_url
        self.workers, self.server = workers, server
        self.port = free_port()
        self.first_worker_port = free_ports(workers)
        while self.port in range(self.first_worker_port, self.first_worker_port + workers):
            self.first_worker_port = free_ports(workers)
        self.prefix = Path(tempfile.mkdtemp(prefix="ketnoi-scale-"))
        self.log = self.prefix / "scale_mode.log"
        self.process: subprocess.Popen | None = None
        env = {**os.environ, "DATABASE_URL": f"{pg_url}/{database}", "REDIS_URL": redis_url,
               "KETNOI_CHANNEL_PREFIX": f"bench-{secrets.token_hex(4)}", "LOG_LEVEL": "ERROR",
               "MEDIA_ROOT": str(self.prefix / "media"), "PRIVATE_MEDIA_ROOT": str(self.prefix / "private"),
               "PYTHONUNBUFFERED": "1", **(extra_env or {})}
        env.pop("DJANGO_SETTINGS_MODULE", None)
        self.env = scale_mode_module().scale_env(base=env)
        self.env["DJANGO_SETTINGS_MODULE"] = "eventsite.settings"

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def create_database(self) -> None:
        import psycopg

        with psycopg.connect(f"{self.pg_url}/postgres", autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{self.database}" WITH (FORCE)')
            conn.execute(f'CREATE DATABASE "{self.database}"')

    def drop_database(self) -> None:
        import psycopg

        with contextlib.suppress(Exception), psycopg.connect(f"{self.pg_url}/postgres", autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{self.database}" WITH (FORCE)')

    def start(self, timeout: float = 300) -> None:
        ensure_nginx()
        cmd = [sys.executable, str(ROOT / "deploy" / "scale_mode.py"), "--workers", str(self.workers),
               "--port", str(self.port), "--first-worker-port", str(self.first_worker_port),
               "--server", self.server, "--prefix", str(self.prefix)]
        with open(self.log, "ab") as out:
            self.process = subprocess.Popen(cmd, cwd=ROOT, env=self.env, stdout=out, stderr=subprocess.STDOUT,
                                            start_new_session=True)
        deadline = time.monotonic() + timeout
        while not (self.prefix / "status.json").exists():
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"scale mode did not start:\n{self.log.read_text()[-4000:]}")
            time.sleep(0.3)

    def status(self) -> dict:
        for _ in range(20):
            with contextlib.suppress(OSError, ValueError):
                return json.loads((self.prefix / "status.json").read_text())
            time.sleep(0.1)
        return {}

    def worker_pids(self) -> dict[int, int]:
        return {int(port): pid for port, pid in self.status().get("workers", {}).items()}

    def processes(self) -> list[tuple[str, int]]:
        status = self.status()
        found = [(f"{self.server} worker", pid) for pid in status.get("workers", {}).values()]
        task_workers = status.get("db_workers") or ([status["db_worker"]] if status.get("db_worker") else [])
        found += [("db_worker", pid) for pid in task_workers]
        if status.get("nginx"):
            found += [("nginx", status["nginx"])] + [("nginx", c) for c in proc_children(status["nginx"])]
        return found

    def stop(self) -> None:
        if self.process is None:
            return
        if self.process.poll() is None:
            self.process.terminate()
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.process.wait(timeout=40)
        # anything of its session still alive (a worker left behind by a failed start): kill it
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait()

    def child(self, *args: str, timeout: float = 900) -> dict:
        done = subprocess.run([sys.executable, "-m", "bench.scale_stack", "child", *args], cwd=ROOT, env=self.env,
                              capture_output=True, text=True, timeout=timeout)
        if done.returncode != 0:
            raise RuntimeError(f"child {args} failed:\n{done.stdout[-2000:]}\n{done.stderr[-4000:]}")
        return json.loads(done.stdout.strip().splitlines()[-1])


# --- load generator ---------------------------------------------------------------------------------------------


def pct(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(p / 100 * len(ordered)) - 1))]


def session_headers(base: str, cookie: str) -> dict[str, str]:
    """A signed-in browser's form POST: its session cookie, a CSRF cookie and the same token in the header."""
    csrf = "".join(secrets.choice(string.ascii_letters + string.digits) for _ in range(32))
    return {"Cookie": f"sessionid={cookie}; csrftoken={csrf}", "X-CSRFToken": csrf, "Origin": base,
            "Content-Type": "application/x-www-form-urlencoded"}


@dataclass
class Action:
    latencies: list[float] = field(default_factory=list)  # seconds, successful requests
    answers: Counter = field(default_factory=Counter)      # e.g. redeem status, HTTP status
    errors: Counter = field(default_factory=Counter)       # reason -> count (failed attempts)

    def summary(self) -> str:
        ms = [x * 1000 for x in self.latencies]
        return f"n={len(ms)} p50={pct(ms, 50):.1f} ms p99={pct(ms, 99):.1f} ms errors={dict(self.errors) or 0}"


class Follower:
    """One agenda websocket client: reconnects after a drop and compares versions (the page's JS does the same)."""

    def __init__(self, load: Load, index: int):
        self.load, self.index = load, index
        self.version = -1
        self.seen: dict[int, float] = {}  # version -> arrival time (published messages)
        self.connects = 0
        self.drops = 0
        self.resyncs = 0
        self.heartbeat_resyncs = 0
        self.connected = asyncio.Event()

    async def run(self, session) -> None:
        import aiohttp

        url = f"{self.load.ws_base}/ws/e/{self.load.slug}/agenda/"
        while not self.load.stopping:
            t0 = time.perf_counter()
            try:
                async with session.ws_connect(url, origin=self.load.base, timeout=aiohttp.ClientWSTimeout(
                        ws_close=5), heartbeat=None, max_msg_size=0) as ws:
                    async for msg in ws:
                        if msg.type != aiohttp.WSMsgType.TEXT:
                            break
                        data = json.loads(msg.data)
                        if data.get("type") == "state":
                            self.connects += 1
                            self.load.actions["ws connect"].latencies.append(time.perf_counter() - t0)
                            if self.version >= 0 and data["version"] > self.version:
                                self.resyncs += 1  # missed a release while away: the page refetches
                            self.version = max(self.version, data["version"])
                            self.connected.set()
                        elif data.get("type") == "published":
                            self.seen.setdefault(data["version"], time.perf_counter())
                            self.version = max(self.version, data["version"])
                        elif data.get("type") == "heartbeat" and data["version"] > self.version:
                            # A release this client never received (lost while Redis restarted): the page's JS
                            # (static/js/live.js) refetches on the heartbeat's version, without reconnecting.
                            self.heartbeat_resyncs += 1
                            self.version = data["version"]
            except (TimeoutError, aiohttp.ClientError, OSError) as error:
                status = getattr(error, "status", "")
                self.load.actions["ws connect"].errors[f"{type(error).__name__} {status}".strip()] += 1
            if self.load.stopping:
                return
            self.drops += 1
            self.connected.clear()
            await asyncio.sleep(0.5 + random.random() * 2)  # back off with jitter, as the page does



def agreement_parties(seller_id: int, buyer_id: int) -> dict[str, str]:
    """The agreement form's parties formset (agreements.forms.PartyFormSet) as a browser posts it: a seller and a
    buyer, one signatory each."""
    data = {"parties-TOTAL_FORMS": "2", "parties-INITIAL_FORMS": "0"}
    for i, (org, role, signatory) in enumerate([(seller_id, "seller", "Nguyễn Văn Ba"),
                                                (buyer_id, "buyer", "Lê Thị Tư")]):
        data.update({f"parties-{i}-organization": str(org), f"parties-{i}-role": role,
                     f"parties-{i}-signatories-TOTAL_FORMS": "1", f"parties-{i}-signatories-INITIAL_FORMS": "0",
                     f"parties-{i}-signatories-0-name": signatory})
    return data


class Load:
    """Drives one scale-mode stack; see the module docstring."""

    RETRY_STATUSES = {429, 500, 502, 503, 504}

    def __init__(self, base: str, seed: dict):
        self.base = base
        self.ws_base = base.replace("http://", "ws://")
        self.seed = seed
        self.slug = seed["slug"]
        self.codes = Path(seed["codes"]).read_text().split()
        self.actions: dict[str, Action] = defaultdict(Action)
        self.followers: list[Follower] = []
        self.stopping = False
        self.change_times: list[float] = []
        self.scan_results: dict[str, str] = {}  # code -> final status of its first scan
        self.http_statuses: Counter = Counter()
        self.attempts: list[tuple[float, str, str]] = []  # (end time, action, "200 ok" / "HTTP 503 …" / error)

    # HTTP helpers -------------------------------------------------------------------------------------------

    def organizer_headers(self, cookie: str) -> dict[str, str]:
        return session_headers(self.base, cookie)

    async def redeem(self, session, desk: int, code: str, nonce: str, action: str, *, deadline: float = 180) -> str:
        """POST one scan; on a connection error or a 429/5xx resend with the same nonce until answered."""
        import aiohttp

        token = self.seed["devices"][desk % len(self.seed["devices"])]
        body = {"code": code, "gate": f"Cổng {desk + 1}", "nonce": nonce}
        headers = {"Authorization": f"Bearer {token}"}
        give_up = time.perf_counter() + deadline
        delay = 0.25
        while True:
            t0 = time.perf_counter()
            try:
                async with session.post(f"{self.base}/api/checkin/v1/redeem", json=body, headers=headers,
                                        timeout=aiohttp.ClientTimeout(total=30)) as r:
                    self.http_statuses[r.status] += 1
                    text = await r.text()
                    if r.status == 200:
                        status = json.loads(text)["status"]
                        self.attempts.append((time.perf_counter(), action, f"200 {status}"))
                        self.actions[action].latencies.append(time.perf_counter() - t0)
                        self.actions[action].answers[status] += 1
                        return status
                    reason = f"HTTP {r.status}"
                    with contextlib.suppress(ValueError, KeyError, TypeError):
                        reason += " " + json.loads(text)["reason"]
                    self.actions[action].errors[reason] += 1
                    self.attempts.append((time.perf_counter(), action, reason))
                    if r.status not in self.RETRY_STATUSES:
                        return reason
                    if r.status in (429, 503):
                        delay = max(delay, float(r.headers.get("Retry-After", "1")) / 5)
            except (TimeoutError, aiohttp.ClientError, OSError) as error:
                self.actions[action].errors[type(error).__name__] += 1
                self.attempts.append((time.perf_counter(), action, type(error).__name__))
            if time.perf_counter() > give_up:
                return "gave up"
            self.actions[action].answers["retry"] += 1
            await asyncio.sleep(delay)
            delay = min(delay * 2, 2.0)

    async def post_form(self, session, path: str, data: dict, cookie: str, action: str, ok=(200, 302)) -> int:
        import aiohttp

        t0 = time.perf_counter()
        try:
            async with session.post(self.base + path, data=data, headers=self.organizer_headers(cookie),
                                    allow_redirects=False, timeout=aiohttp.ClientTimeout(total=30)) as r:
                body = await r.text()
                status = r.status
        except (TimeoutError, aiohttp.ClientError, OSError) as error:
            self.actions[action].errors[type(error).__name__] += 1
            self.attempts.append((time.perf_counter(), action, type(error).__name__))
            return 0
        self.attempts.append((time.perf_counter(), action, f"HTTP {status}"))
        if status in ok and 'role="alert"' not in body:
            self.actions[action].latencies.append(time.perf_counter() - t0)
            self.actions[action].answers[status] += 1
        else:
            self.actions[action].errors[f"HTTP {status}"] += 1
        return status

    # actors ---------------------------------------------------------------------------------------------------

    async def desk(self, session, desk: int, queue: asyncio.Queue, dup_delay: tuple[float, float],
                   duplicates: set[str], pending: list) -> None:
        while True:
            item = await queue.get()
            if item is None:
                return
            code, kind, arrived = item
            self.actions["desk queue wait"].latencies.append(time.perf_counter() - arrived)
            status = await self.redeem(session, desk, code, uuid.uuid4().hex, kind)
            if kind == "scan":
                self.scan_results[code] = status
                if code in duplicates:  # the same person scanned again later, at some desk
                    pending.append(asyncio.ensure_future(self._rescan(code, dup_delay)))
            else:
                self.scan_results[code + "#dup"] = status

    async def _rescan(self, code: str, dup_delay: tuple[float, float]) -> None:
        await asyncio.sleep(random.uniform(*dup_delay))
        desk = random.randrange(len(self.queues))
        await self.queues[desk].put((code, "duplicate scan", time.perf_counter()))

    async def agenda_changer(self, session, every: float, until: float) -> None:
        session_id, cookie = self.seed["shift_session"], self.seed["organizers"][0]
        path = f"/e/{self.slug}/agenda/control/sessions/{session_id}/shift/"
        n = 0
        while time.perf_counter() + every <= until and not self.stopping:
            await asyncio.sleep(every)
            self.change_times.append(time.perf_counter())
            await self.post_form(session, path, {"minutes": "5" if n % 2 == 0 else "-5"}, cookie, "agenda change")
            n += 1

    async def organizer(self, session, index: int, every: float, until: float) -> None:
        cookie = self.seed["organizers"][index % len(self.seed["organizers"])]
        sellers, buyers = self.seed["sellers"], self.seed["buyers"]
        path = f"/e/{self.slug}/agreements/new/"
        n = 0
        await asyncio.sleep(random.random() * every)
        while time.perf_counter() + every <= until and not self.stopping:
            n += 1
            data = {"kind": "biz_distributor", "title": f"Hợp đồng bao tiêu tôm khô {index}-{n}",
                    "signed_at": "2026-12-09T10:30", "estimated_value": str(random.randrange(10**7, 10**10)),
                    **agreement_parties(random.choice(sellers), random.choice(buyers)), "confirm_duplicate": "on"}
            await self.post_form(session, path, data, cookie, "agreement entry", ok=(302,))
            await asyncio.sleep(every)

    async def connect_followers(self, session, n: int, concurrency: int = 50) -> None:
        self.followers = [Follower(self, i) for i in range(n)]
        self.follower_tasks = []
        for start in range(0, n, concurrency):
            batch = self.followers[start:start + concurrency]
            self.follower_tasks += [asyncio.ensure_future(f.run(session)) for f in batch]
            try:
                await asyncio.wait_for(asyncio.gather(*(f.connected.wait() for f in batch)), 120)
            except TimeoutError:  # go on: the clients keep retrying, and what they miss shows in the delivery
                self.actions["ws connect"].errors["not connected after 120 s"] += sum(
                    1 for f in batch if not f.connected.is_set())

    async def stop_followers(self) -> None:
        self.stopping = True
        for task in self.follower_tasks:
            task.cancel()
        await asyncio.gather(*self.follower_tasks, return_exceptions=True)

    # results --------------------------------------------------------------------------------------------------

    def delivery(self) -> dict:
        """Published messages received, per change: arrival time minus the start of the POST that caused it."""
        versions = sorted({v for f in self.followers for v in f.seen})
        latencies, delivered = [], 0
        for f in self.followers:
            for at in f.seen.values():
                delivered += 1
                before = [t for t in self.change_times if t <= at]
                if before:
                    latencies.append(at - before[-1])
        return {"versions": len(versions), "delivered": delivered, "expected": len(versions) * len(self.followers),
                "latencies": latencies, "final": max((f.version for f in self.followers), default=-1)}


# --- children: run inside the stack's environment ---------------------------------------------------------------


def child_seed(buyers: int, devices: int, organizers: int) -> dict:
    import django

    sys.path.insert(0, str(ROOT))
    django.setup()
    from django.test import Client

    from agenda import services as agenda
    from checkin.services import devices as device_service
    from eventsite.models import EventRole, Organization
    from registration.models import Registration
    from registration.services import badges
    from tests.agenda.factories import programme
    from tests.factories import EventFactory, user_with_role
    from tests.registration.factories_checkin import bulk_registrations

    slug = f"eventday-{uuid.uuid4().hex[:6]}"
    event = EventFactory(slug=slug, organizer__tax_code=uuid.uuid4().hex[:12])
    regs = bulk_registrations(event, buyers)
    found = badges.ensure_badges(Registration.objects.filter(event=event))
    path = Path(tempfile.mkdtemp(prefix="ketnoi-codes-")) / "codes.txt"
    path.write_text("\n".join(badges.token_for(found[r.pk]) for r in regs))
    tokens = [device_service.create_device(event=event, name=f"Bàn {i + 1}")[1] for i in range(devices)]
    cookies = []
    for _ in range(organizers):
        user = user_with_role(event, EventRole.Role.ORGANIZER)
        client = Client(HTTP_HOST="127.0.0.1")
        client.force_login(user)
        cookies.append(client.cookies["sessionid"].value)
    sessions = programme(event, sessions=40, rooms=4)
    agenda.set_live_control(event=event, enabled=True)
    sellers = Organization.objects.bulk_create([
        Organization(name=f"HTX Tôm khô Cà Mau {i}", kind="cooperative", province_code=96,
                     tax_code=uuid.uuid4().hex[:12], search_text=f"htx tom kho ca mau {i}") for i in range(20)])
    buyer_orgs = Organization.objects.bulk_create([
        Organization(name=f"Nhà phân phối {i}", kind="distributor", province_code=79,
                     tax_code=uuid.uuid4().hex[:12], search_text=f"nha phan phoi {i}") for i in range(10)])
    return {"slug": slug, "event": event.pk, "codes": str(path), "devices": tokens, "organizers": cookies,
            "shift_session": sessions[0].pk, "sellers": [o.pk for o in sellers], "buyers": [o.pk for o in buyer_orgs]}


def child_verify(event_id: int) -> dict:
    import django

    sys.path.insert(0, str(ROOT))
    django.setup()
    from django.db.models import Count, Exists, OuterRef, Q

    from agreements.models import Agreement
    from checkin.models import CheckIn
    from checkin.services.checkin import SCAN
    from eventsite.models import ActivityEntry
    from registration.models import Badge

    live = CheckIn.objects.filter(event_id=event_id, annulled_at__isnull=True)
    doubled = live.values("badge_id").annotate(n=Count("id")).filter(n__gt=1).count()
    badges_in = Badge.objects.filter(event_id=event_id, checked_in_at__isnull=False)
    # A badge marked in has exactly its one live check-in, a badge not in has none.
    has_live = Exists(live.filter(badge_id=OuterRef("pk")))
    inconsistent = Badge.objects.filter(event_id=event_id).filter(
        Q(checked_in_at__isnull=False) & ~has_live | Q(checked_in_at__isnull=True) & has_live).count()
    # Each live check-in has its scan in the activity log (the answer's checkin_id).
    answers = list(ActivityEntry.objects.filter(event_id=event_id, action=SCAN).values_list("after", flat=True))
    logged = {a.get("checkin_id") for a in answers if a.get("status") == "ok"}
    without_log = sum(1 for pk in live.values_list("pk", flat=True) if pk not in logged)
    agreements = Agreement.objects.filter(event_id=event_id).annotate(parties_n=Count("parties", distinct=True))
    return {
        "checkins": live.count(), "badges_checked_in": badges_in.count(), "doubled_badges": doubled,
        "badge_row_inconsistent": inconsistent, "checkins_without_scanlog": without_log,
        "scanlogs": dict(Counter(a.get("status") for a in answers)),
        "agreements": agreements.count(), "agreements_missing_parties": agreements.filter(parties_n__lt=2).count(),
    }


def child_badge_people(event_id: int, n: int, role: str) -> dict:
    """``n`` approved registrations of ``role`` for the badge job drill (bench/faults_jobs_disk.py)."""
    import django

    sys.path.insert(0, str(ROOT))
    django.setup()
    from eventsite.models import Event
    from tests.registration.factories_checkin import bulk_registrations

    start = 10**6 + random.randrange(10**6)  # names, phones and emails apart from the seed's buyers
    return {"created": len(bulk_registrations(Event.objects.get(pk=event_id), n, start=start, role=role))}


def child_badge_jobs(*job_ids: int) -> dict:
    """Each badge job's status, badges done, whether its file is in private storage, and its task row's status."""
    import django

    sys.path.insert(0, str(ROOT))
    django.setup()
    from django_tasks_db.models import DBTaskResult

    from registration.models import BadgeJob

    def task_status(job_id: int) -> str:
        row = DBTaskResult.objects.filter(task_path="registration.tasks.build_badge_pdf",
                                          args_kwargs__kwargs__job_id=job_id).first()
        return row.status if row else ""

    return {str(job.pk): {"status": job.status, "done": job.done, "total": job.total, "error": job.error,
                          "file": bool(job.file) and job.file.storage.exists(job.file.name),
                          "task": task_status(job.pk)}
            for job in BadgeJob.objects.filter(pk__in=job_ids)}


def child_agreement_scans(event_id: int, title: str) -> dict:
    """The agreements titled ``title`` and the SHA-256 of each one's stored scan ("" when the file is missing)."""
    import hashlib

    import django

    sys.path.insert(0, str(ROOT))
    django.setup()
    from agreements.models import Agreement

    rows = []
    for agreement in Agreement.objects.filter(event_id=event_id, title=title):
        scan = agreement.scan
        digest = ""
        if scan and scan.storage.exists(scan.name):
            with scan.open("rb") as f:
                digest = hashlib.sha256(f.read()).hexdigest()
        rows.append({"pk": agreement.pk, "scan": scan.name, "sha256": digest})
    return {"rows": rows}


def child_lead_seed(booths: int, buyers: int) -> dict:
    """An event with ``booths`` booked booths, one member of staff signed in at each (session cookies), and
    ``buyers`` approved buyers with badges, every other one sharing contact details (bench/bench_leads.py)."""
    import django

    sys.path.insert(0, str(ROOT))
    django.setup()
    from django.test import Client

    from booths.models import Booking, BookingStatus
    from eventsite.models import EventRole
    from leads.models import BoothStaff
    from registration.models import Registration
    from registration.services import badges
    from registration.services.consent import set_contact_consent
    from tests.booths.factories import BoothFactory, HallFactory, exhibitor
    from tests.factories import EventFactory, UserFactory
    from tests.registration.factories_checkin import bulk_registrations

    event = EventFactory(slug=f"leads-{uuid.uuid4().hex[:6]}", organizer__tax_code=uuid.uuid4().hex[:12])
    hall = HallFactory(event=event)
    staff = []
    for _ in range(booths):
        booth = BoothFactory(hall=hall)
        Booking.objects.create(event=event, booth=booth, application=exhibitor(event), status=BookingStatus.CONFIRMED)
        user = UserFactory()
        BoothStaff.objects.create(event=event, booth=booth, user=user)
        EventRole.objects.create(event=event, user=user, role=EventRole.Role.BOOTH_STAFF)
        client = Client(HTTP_HOST="127.0.0.1")
        client.force_login(user)
        staff.append({"booth": booth.pk, "cookie": client.cookies["sessionid"].value})
    regs = bulk_registrations(event, buyers)
    for reg in regs[::2]:
        set_contact_consent(registration=reg, shared=True, actor=None)
    found = badges.ensure_badges(Registration.objects.filter(event=event))
    return {"slug": event.slug, "event": event.pk, "staff": staff,
            "codes": [badges.token_for(found[r.pk]) for r in regs]}


def child_lead_verify(event_id: int) -> dict:
    """Leads and scans as stored: a (booth, person) pair twice or a nonce stored twice would be a fault."""
    import django

    sys.path.insert(0, str(ROOT))
    django.setup()
    from django.db.models import Count

    from leads.models import Lead, LeadScan

    leads = Lead.objects.filter(event_id=event_id)
    scans = LeadScan.objects.filter(lead__event_id=event_id)
    return {"leads": leads.count(), "scans": scans.count(), "scan_total": sum(leads.values_list("scans", flat=True)),
            "doubled_leads": leads.values("booth_id", "registration_id").annotate(n=Count("id")).filter(
                n__gt=1).count(),
            "doubled_nonces": scans.values("booth_id", "nonce").annotate(n=Count("id")).filter(n__gt=1).count()}


if __name__ == "__main__":
    if sys.argv[1:2] != ["child"]:
        raise SystemExit("usage: python -m bench.scale_stack child seed BUYERS DEVICES ORGANIZERS | verify EVENT_ID"
                         " | badge_people EVENT_ID N ROLE | badge_jobs JOB_ID… | agreement_scans EVENT_ID TITLE"
                         " | lead_seed BOOTHS BUYERS | lead_verify EVENT_ID")
    command, rest = sys.argv[2], [int(x) if x.isdigit() else x for x in sys.argv[3:]]
    result = {"seed": child_seed, "verify": child_verify, "badge_people": child_badge_people,
              "badge_jobs": child_badge_jobs, "agreement_scans": child_agreement_scans,
              "lead_seed": child_lead_seed, "lead_verify": child_lead_verify}[command](*rest)
    print(json.dumps(result, ensure_ascii=False))
