"""Faults under load, each with a PASS/FAIL line: `python -m bench faults [--quick | --ci]`; exits 1 on a FAIL.

The script starts its own PostgreSQL cluster (Debian's initdb/pg_ctl, as the ``postgres`` user when run as root)
and its own ``redis-server`` on free ports, so it may stop and restart them without touching the shared servers
on 5432 and 6379, and runs ``deploy/scale_mode.py`` (2 Daphne workers + db_worker behind nginx) on them. Under a
steady load (desks scanning through the check-in API and resending the same nonce on failure, websocket clients
following the agenda with reconnect and version resync, an organizer shifting a session every 2 s and entering
agreements):

a. kill -9 one ASGI worker: clients reconnect through nginx and end on the current agenda version, every scan is
   answered "ok" exactly once, none lost or doubled in the database;
b. restart Redis (down 5 s): check-in keeps answering during the outage, live updates resume afterwards;
c. restart PostgreSQL (down 5 s): only clear 503s (JSON ``service_unavailable`` with Retry-After) meanwhile, never a
   500 or 502; recovery; no partial writes (every check-in has its scan log and badge row, every agreement its
   parties);
d. a desk dies mid-scan (the connection is dropped after sending, or half-way through the body) and retries with the
   same nonce: one check-in per badge, the retry answered "ok";
e. kill -9 the task worker (db_worker) during a bulk badge job started on the organizer's print page: the job ends
   visibly (failed with its message once its lease runs out, or done), never "running" forever; the restarted worker
   prints a new job to the end (bench/faults_jobs_disk.py);
f. the uploads disk is full (a small tmpfs over the agreement scans' folder, filled): an agreement scan uploaded
   through nginx gets a translated 503, nothing is half-written; after freeing space the same upload succeeds.

The database is checked after every fault. ``--ci`` is the short run CI makes (``make drill``): a, b and c once
each, 20 followers, 6-second phases, a smaller seed (FAULTS_ONLY overrides which drills run).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import signal
import sys
import time
import uuid
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import faults_jobs_disk  # noqa: E402
from bench.scale_stack import Load, OwnPostgres, OwnRedis, Stack, free_port, load_average, raise_fd_limit  # noqa: E402

BENCH_DB = "ketnoi_faults_bench"


def row(figure, value, note="") -> dict:
    return {"benchmark": "faults", "figure": figure, "value": value, "unit": "", "target": "PASS", "note": note}


class Faults:
    def __init__(self, stack: Stack, seed: dict, pg: OwnPostgres, redis: OwnRedis, *, followers: int, rate: float,
                 phase_seconds: float, only: str = "abcdef"):
        self.stack, self.seed, self.pg, self.redis = stack, seed, pg, redis
        self.load = Load(stack.base, seed)
        self.codes = list(self.load.codes)
        self.followers, self.rate, self.phase_seconds = followers, rate, phase_seconds
        self.rows: list[dict] = []
        self.admitted: set[str] = set()
        self.only = only  # e.g. "a": only the worker kill
        self.live_share = 0  # clients that got the last settle release as a live message (not by resync)

    def ws_state(self) -> tuple[int, int, dict, int]:
        drops = sum(f.drops for f in self.load.followers)
        resyncs = sum(f.resyncs for f in self.load.followers)
        beats = sum(f.heartbeat_resyncs for f in self.load.followers)
        return drops, resyncs, dict(self.load.actions["ws connect"].errors), beats

    def ws_note(self, before: tuple[int, int, dict, int]) -> str:
        drops, resyncs, errors, beats = self.ws_state()
        new_errors = {k: v - before[2].get(k, 0) for k, v in errors.items() if v - before[2].get(k, 0)}
        return (f"{drops - before[0]} websocket drops, {resyncs - before[1]} reconnects that found a newer version "
                f"(resync), {beats - before[3]} heartbeats that found a newer version (resync without reconnect), "
                f"failed connects {new_errors or 0}; the check release reached {self.live_share}/"
                f"{len(self.load.followers)} clients live"
                + (f", all clients on it {self.settle_seconds:.1f} s after it was posted"
                   if getattr(self, "settle_seconds", None) is not None else ""))

    def take(self, n: int) -> list[str]:
        taken, self.codes = self.codes[:n], self.codes[n:]
        return taken

    def report(self, name: str, passed: bool, note: str) -> None:
        line = f"{'PASS' if passed else 'FAIL'}  {name}: {note}"
        print(line, file=sys.stderr, flush=True)
        self.rows.append(row(name, "PASS" if passed else "FAIL", note))

    async def current_version(self, session) -> int:
        url = f"{self.load.ws_base}/ws/e/{self.load.slug}/agenda/"
        async with session.ws_connect(url, origin=self.load.base) as ws:
            return json.loads((await ws.receive(timeout=10)).data)["version"]

    async def settle(self, session, timeout: float = 30) -> tuple[bool, int, int]:
        """Post one more change, then wait until every client holds the current version."""
        cookie = self.seed["organizers"][0]
        path = f"/e/{self.load.slug}/agenda/control/sessions/{self.seed['shift_session']}/shift/"
        deadline = time.perf_counter() + timeout
        while time.perf_counter() < deadline:
            status = await self.load.post_form(session, path, {"minutes": "5"}, cookie, "agenda change (settle)")
            if status in (200, 302):
                break
            await asyncio.sleep(1)
        truth = -1
        self.settle_seconds = None
        posted = time.perf_counter()
        while time.perf_counter() < deadline:
            try:
                truth = await self.current_version(session)
                behind = [f for f in self.load.followers if f.version < truth]
                if not behind:
                    self.settle_seconds = time.perf_counter() - posted
                    self.live_share = sum(1 for f in self.load.followers if truth in f.seen)
                    return True, truth, 0
            except Exception:  # noqa: BLE001, S110 (the stack may still be recovering)
                pass
            await asyncio.sleep(0.5)
        return False, truth, sum(1 for f in self.load.followers if f.version < truth)

    async def phase(self, session, codes: list[str], fault, fault_at: float) -> dict:
        """Scan ``codes`` at ``self.rate``/s over 4 desks with agenda shifts and agreement entry; call ``fault``."""
        load = self.load
        load.queues = [asyncio.Queue() for _ in range(len(self.seed["devices"]))]
        pending: list = []
        before = len(load.scan_results)
        desks = [asyncio.ensure_future(load.desk(session, i, q, (1, 2), set(), pending))
                 for i, q in enumerate(load.queues)]
        duration = len(codes) / self.rate
        until = time.perf_counter() + duration
        others = [asyncio.ensure_future(load.agenda_changer(session, 2.0, until)),
                  asyncio.ensure_future(load.organizer(session, 1, 1.0, until))]
        start = time.perf_counter()
        window: dict = {}

        async def inject():
            await asyncio.sleep(fault_at)
            window["start"] = time.perf_counter()
            await fault(window)
            window.setdefault("end", time.perf_counter())

        injector = asyncio.ensure_future(inject())
        for i, code in enumerate(codes):
            delay = start + i / self.rate - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            load.queues[i % len(load.queues)].put_nowait((code, "scan", time.perf_counter()))
        await injector
        give_up = time.perf_counter() + 240
        while len(load.scan_results) < before + len(codes) and time.perf_counter() < give_up:
            await asyncio.sleep(0.2)
        for q in load.queues:
            q.put_nowait(None)
        await asyncio.gather(*desks, *others)
        answers = [load.scan_results.get(c) for c in codes]
        self.admitted.update(c for c, a in zip(codes, answers, strict=True) if a == "ok")
        return {"answers": answers, "window": window, "start": start}

    def verify(self) -> tuple[bool, str]:
        v = self.stack.child("verify", str(self.seed["event"]))
        ok = (v["checkins"] == len(self.admitted) == v["badges_checked_in"] and v["doubled_badges"] == 0
              and v["checkins_without_scanlog"] == 0 and v["badge_row_inconsistent"] == 0
              and v["agreements_missing_parties"] == 0)
        return ok, (f"DB: check-ins {v['checkins']} / admitted {len(self.admitted)} / badges in "
                    f"{v['badges_checked_in']}, doubled {v['doubled_badges']}, without scan log "
                    f"{v['checkins_without_scanlog']}, inconsistent badge rows {v['badge_row_inconsistent']}, "
                    f"agreements {v['agreements']} (without 2 parties {v['agreements_missing_parties']})")

    def attempts_between(self, t0: float, t1: float, action: str = "scan") -> list[str]:
        return [outcome for t, a, outcome in self.load.attempts if t0 <= t <= t1 and a == action]

    # a. kill one worker ---------------------------------------------------------------------------------------

    async def kill_worker(self, session) -> None:
        victim = {}

        async def fault(window):
            port, pid = sorted(self.stack.worker_pids().items())[0]
            victim.update(port=port, pid=pid, drops_before=sum(f.drops for f in self.load.followers))
            os.kill(pid, signal.SIGKILL)

        mark, ws_before = len(self.load.attempts), self.ws_state()
        result = await self.phase(session, self.take(round(self.rate * self.phase_seconds)), fault,
                                  self.phase_seconds / 3)
        synced, truth, behind = await self.settle(session)
        drops = sum(f.drops for f in self.load.followers) - victim["drops_before"]
        failed = [o for _t, a, o in self.load.attempts[mark:] if a == "scan" and not o.startswith("200")]
        answers = result["answers"]
        db_ok, db_note = self.verify()
        passed = all(a == "ok" for a in answers) and synced and drops > 0 and db_ok
        self.report("a. kill -9 one ASGI worker mid-load", passed,
                    f"killed worker :{victim['port']} (pid {victim['pid']}); {self.ws_note(ws_before)}; all "
                    f"{len(self.load.followers)} clients on version {truth} again ({behind} behind); "
                    f"{len(answers)} scans answered {dict(_count(answers))}, failed attempts resent with the same "
                    f"nonce: {dict(_count(failed)) or 0}; {db_note}")

    # b. restart Redis -----------------------------------------------------------------------------------------

    async def restart_redis(self, session) -> None:
        async def fault(window):
            await asyncio.to_thread(self.redis.stop)
            window["down"] = time.perf_counter()
            await asyncio.sleep(5)
            await asyncio.to_thread(self.redis.start)
            window["end"] = time.perf_counter()

        ws_before = self.ws_state()
        result = await self.phase(session, self.take(round(self.rate * self.phase_seconds)), fault,
                                  self.phase_seconds / 3)
        w = result["window"]
        during = self.attempts_between(w["down"], w["end"])
        answered = sum(1 for o in during if o.startswith("200"))
        failed = [o for o in during if not o.startswith("200")]
        synced, truth, behind = await self.settle(session)
        db_ok, db_note = self.verify()
        answers = result["answers"]
        passed = answered > 0 and not failed and all(a == "ok" for a in answers) and synced and db_ok
        self.report("b. restart Redis (down 5 s)", passed,
                    f"during the outage {answered} scans answered, {len(failed)} failed {dict(_count(failed)) or ''}; "
                    f"after: live updates {'resumed' if synced else 'did NOT resume'} (clients on version {truth}, "
                    f"{behind} behind; {self.ws_note(ws_before)}); scans {dict(_count(answers))}; {db_note}")

    # c. restart PostgreSQL ------------------------------------------------------------------------------------

    async def restart_postgres(self, session) -> None:
        async def fault(window):
            await asyncio.to_thread(self.pg.stop)
            window["down"] = time.perf_counter()
            await asyncio.sleep(5)
            await asyncio.to_thread(self.pg.start)
            window["end"] = time.perf_counter()

        mark = len(self.load.attempts)
        # At least 16 s: scans must go on for a while after PostgreSQL is back (stopping and starting it takes a few
        # seconds more under load; the --ci run's other phases are shorter).
        seconds = max(self.phase_seconds, 16)
        result = await self.phase(session, self.take(round(self.rate * seconds)), fault, self.phase_seconds / 3)
        w = result["window"]
        phase_attempts = [(t, a, o) for t, a, o in self.load.attempts[mark:]]
        outcomes = _count(o for _t, _a, o in phase_attempts)
        unclear = {o: n for o, n in outcomes.items()
                   if not (o.startswith("200") or o.startswith("HTTP 503") or o in ("HTTP 302", "HTTP 200"))}
        clear_503 = sum(n for o, n in outcomes.items() if o.startswith("HTTP 503"))
        after = [o for t, a, o in phase_attempts if t > w["end"] + 2 and a == "scan"]
        recovered = bool(after) and all(o.startswith("200") for o in after)
        late = [(t - w["end"], o) for t, a, o in phase_attempts if t > w["end"] + 2 and a == "scan"
                and not o.startswith("200")]
        answers = result["answers"]
        synced, truth, behind = await self.settle(session)
        db_ok, db_note = self.verify()
        passed = (clear_503 > 0 and not unclear and recovered and all(a == "ok" for a in answers) and synced
                  and db_ok)
        self.report("c. restart PostgreSQL (down 5 s)", passed,
                    f"{clear_503} clear 503s during the outage, other failures {unclear or 'none'}; after restart "
                    f"{len(after)} scan requests, all answered: {recovered}"
                    + (f" (not answered: {dict(_count(o for _t, o in late))}, the last "
                       f"{max(t for t, _o in late):.1f} s after the restart)" if late else "")
                    + f"; scans {dict(_count(answers))}; agenda clients {'in sync' if synced else 'NOT in sync'} "
                    f"(version {truth}); {db_note}")

    # d. desk dies mid-scan ------------------------------------------------------------------------------------

    async def desk_dies(self, session, n: int) -> None:
        codes = self.take(n)
        token = self.seed["devices"][0]
        retried: list[str] = []
        for i, code in enumerate(codes):
            nonce = uuid.uuid4().hex
            body = json.dumps({"code": code, "gate": "Cổng 9", "nonce": nonce}).encode()
            request = (f"POST /api/checkin/v1/redeem HTTP/1.1\r\nHost: 127.0.0.1:{self.stack.port}\r\n"
                       f"Authorization: Bearer {token}\r\nContent-Type: application/json\r\n"
                       f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n").encode()
            reader, writer = await asyncio.open_connection("127.0.0.1", self.stack.port)
            if i % 4 == 3:  # the desk dies half-way through the body: the server never sees a whole request
                writer.write(request + body[: len(body) // 2])
            else:
                writer.write(request + body)
            await writer.drain()
            await asyncio.sleep(random.choice([0, 0.002, 0.01, 0.03]))
            writer.transport.abort()  # no FIN handshake: the scanner lost power or Wi-Fi
            if i % 2 == 0:
                await asyncio.sleep(0.3)  # retry after the original finished; odd ones retry at once (races it)
            status = await self.load.redeem(session, 0, code, nonce, "scan (retry after a dead desk)")
            retried.append(status)
            if status == "ok":
                self.admitted.add(code)
        db_ok, db_note = self.verify()
        passed = all(s == "ok" for s in retried) and db_ok
        self.report("d. desk dies mid-scan, retries with the same nonce", passed,
                    f"{n} scans cut off after 0–30 ms (1 in 4 half-way through the body), then resent with the same "
                    f"nonce: answers {dict(_count(retried))}; {db_note}")

    async def run(self) -> None:
        import aiohttp

        async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0)) as ws_session, \
                aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=50)) as session:
            await self.load.connect_followers(ws_session, self.followers)
            try:
                steps = {"a": self.kill_worker, "b": self.restart_redis, "c": self.restart_postgres,
                         "d": lambda session: self.desk_dies(session, 40),
                         "e": lambda session: faults_jobs_disk.badge_worker_killed(self, session),
                         "f": lambda session: faults_jobs_disk.uploads_disk_full(self, session)}
                for name, step in steps.items():
                    if name not in self.only:
                        continue
                    try:
                        await step(session)
                    except Exception as error:  # noqa: BLE001 (one broken fault must not hide the others)
                        self.report(name, False, f"crashed: {type(error).__name__}: {error}")
            finally:
                await self.load.stop_followers()


def _count(items):
    from collections import Counter

    return Counter(items)


def run(args) -> list[dict]:
    quick = getattr(args, "quick", False)
    ci = getattr(args, "ci", False)
    started = time.perf_counter()
    times: dict[str, float] = {}
    raise_fd_limit()
    load_before = load_average()
    pg, redis = OwnPostgres(free_port()), OwnRedis(free_port())
    stack = None
    try:
        pg.init()
        pg.start()
        redis.start()
        # A short job lease, so that drill e sees a dead worker's job failed within seconds (default 120 s).
        stack = Stack(pg_url=pg.url, database=BENCH_DB, redis_url=redis.url, workers=2,
                      extra_env={"KETNOI_JOB_LEASE_SECONDS": "10"})
        stack.create_database()
        stack.start()
        times["start"] = time.perf_counter() - started
        seed = stack.child("seed", "400" if ci else "2000", "4", "2")
        times["seed"] = time.perf_counter() - started - times["start"]
        followers = int(os.environ.get("FAULTS_FOLLOWERS", 20 if ci else 100 if quick else 300))
        faults = Faults(stack, seed, pg, redis, followers=followers, rate=8.0,
                        phase_seconds=6 if ci else 12 if quick else 24,
                        only=os.environ.get("FAULTS_ONLY", "abc" if ci else "abcdef"))
        asyncio.run(faults.run())
        times["drills"] = time.perf_counter() - started - times["start"] - times["seed"]
        rows = faults.rows
    finally:
        if stack is not None:
            stack.stop()
        redis.close()
        pg.close()
    rows.append({"benchmark": "faults", "figure": "load average (1/5/15 min)", "value": f"{load_before} → "
                 f"{load_average()}", "unit": "", "target": "", "note": "shared 2-core machine"})
    rows.append({"benchmark": "faults", "figure": "wall time", "value": f"{time.perf_counter() - started:.0f}",
                 "unit": "s", "target": "≤ 90" if ci else "",
                 "note": ", ".join(f"{k} {v:.0f} s" for k, v in times.items()) + " (start: PostgreSQL cluster, "
                 "Redis, migrations, collectstatic, workers, nginx), then stop"})
    return rows


if __name__ == "__main__":
    parser = argparse.ArgumentParser(prog="python -m bench.bench_faults")
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--ci", action="store_true", help="the short run of `make drill`: a, b, c once each")
    from bench.__main__ import print_table

    rows = run(parser.parse_args())
    print_table(rows)
    sys.exit(1 if any(r["value"] == "FAIL" for r in rows) else 0)
