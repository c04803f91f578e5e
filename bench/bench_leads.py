"""Lead capture at the booth, online (issue #19: a scan answers in ≤ 150 ms p99 at 20 booths scanning at once):
`python -m bench leads [--quick]`.

Production shape: ``deploy/scale_mode.py`` (2 uvicorn workers + db_worker behind nginx, on free ports) against a
scratch PostgreSQL database (``ketnoi_leads_bench``, created and dropped here) and Redis DB 7 with its own prefix.
The seed (``scale_stack.child_lead_seed``) books 20 booths, signs one member of staff in at each and gives buyers
badges (every other one sharing contact details); each buyer visits two booths.

Each phone opens the scan page once (not timed), then scans through the page's own endpoint
(``POST /e/<slug>/leads/scan/submit/``: session, CSRF, the ``lead_scan`` rate limit, the badge check, the lead's
row lock, the activity log), in two timed phases, every scan a **first-time** capture (a new lead):
* steady: each of the 20 phones scans once a second, the phones out of step (20 scans/s in all, far more than
  people walking up to booths; 60 scans a phone, ``--quick`` 15);
* all at once: 20 bursts a second apart in which every phone scans in the same instant (``--quick`` 10).
Afterwards, apart from the target: each booth scans 10 % of its people again (a repeat visit: the lead's count goes
up) and resends 10 % of its nonces (a phone's retry: the first answer, nothing written). The database is checked
last: leads == first-time scans, no (booth, person) twice, no nonce twice. ``LEADS_BOOTHS``, ``LEADS_BUYERS`` and
``EVENTDAY_REDIS`` change the sizes and the Redis database.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import sys
import time
import uuid
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.scale_stack import (  # noqa: E402
    PG,
    Action,
    Stack,
    load_average,
    pct,
    raise_fd_limit,
    session_headers,
)

BENCH_DB = "ketnoi_leads_bench"
TARGET_P99_MS = 150
STEADY_EVERY = 1.0  # seconds between one phone's scans in the steady phase (20 booths: 20 scans/s)
BURST_EVERY = 1.0  # seconds between the bursts in which all 20 phones scan at the same instant


def row(figure, value, unit, target="", note="") -> dict:
    return {"benchmark": "leads", "figure": figure, "value": value, "unit": unit, "target": target, "note": note}


def ms(values: list[float], p: float) -> float:
    return round(pct([v * 1000 for v in values], p), 1)


class Booths:
    """The 20 phones: one asyncio task per booth, each with its own signed-in session."""

    def __init__(self, base: str, seed: dict):
        self.base = base
        self.url = f"{base}/e/{seed['slug']}/leads/scan/submit/"
        self.staff = seed["staff"]
        self.actions: dict[str, Action] = {name: Action() for name in ("steady", "burst", "repeat", "retry")}

    async def scan(self, session, staff: dict, code: str, nonce: str, kind: str) -> None:
        import aiohttp

        t0 = time.perf_counter()
        try:
            async with session.post(self.url, data={"booth": staff["booth"], "code": code, "nonce": nonce},
                                    headers=session_headers(self.base, staff["cookie"]),
                                    timeout=aiohttp.ClientTimeout(total=30)) as r:
                body = await r.json(content_type=None) if r.status == 200 else {}
                status = r.status
        except (TimeoutError, aiohttp.ClientError, OSError, ValueError) as error:
            self.actions[kind].errors[type(error).__name__] += 1
            return
        if status != 200 or body.get("status") != "ok":
            self.actions[kind].errors[f"HTTP {status}"] += 1
            return
        self.actions[kind].latencies.append(time.perf_counter() - t0)
        answer = "replayed" if body["replayed"] else "created" if body["created"] else "updated"
        self.actions[kind].answers[answer] += 1

    async def open_page(self, session, staff: dict) -> None:
        async with session.get(self.url.replace("/submit/", "/"), params={"booth": staff["booth"]},
                               headers={"Cookie": f"sessionid={staff['cookie']}"}) as r:
            assert r.status == 200, f"scan page answered {r.status}"
            await r.read()

    async def phone(self, session, staff: dict, work: list[tuple[str, str, str]], every: float,
                    start: float) -> None:
        """Scan ``work`` one after another, one every ``every`` seconds from ``start`` (a late answer delays the
        next scan, as a person waiting for the phone would)."""
        for i, (code, nonce, kind) in enumerate(work):
            await asyncio.sleep(max(0.0, start + i * every - time.perf_counter()))
            await self.scan(session, staff, code, nonce, kind)

    async def run(self, codes: list[str], rng: random.Random, steady: int, bursts: int) -> dict:
        import aiohttp

        n = len(self.staff)
        firsts: list[list[str]] = [[] for _ in range(n)]
        for i, code in enumerate(codes):  # every buyer visits two booths: two first-time leads
            for booth in (i % n, (i * 7 + 3) % n):
                firsts[booth].append(code)
        for work in firsts:
            rng.shuffle(work)
            assert len(work) >= steady + bursts, "not enough buyers for the phases asked"
        steady_work = [[(c, uuid.uuid4().hex, "steady") for c in w[:steady]] for w in firsts]
        burst_work = [[(c, uuid.uuid4().hex, "burst") for c in w[steady:steady + bursts]] for w in firsts]
        again = []
        for done in (a + b for a, b in zip(steady_work, burst_work, strict=True)):
            k = max(1, len(done) // 10)
            again.append([(c, uuid.uuid4().hex, "repeat") for c, _, _ in rng.sample(done, k)]  # a repeat visit
                         + [(c, nonce, "retry") for c, nonce, _ in rng.sample(done, k)])  # a phone's retry
        timings: dict = {}
        async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0)) as session:
            # Each phone opens the scan page first, as staff do at the start of the day (not timed): the
            # workers are warm, as a server is an hour into a fair.
            await asyncio.gather(*(self.open_page(session, s) for s in self.staff))
            # Steady: each phone scans once a second, the phones out of step (random phase).
            t0 = time.perf_counter()
            await asyncio.gather(*(self.phone(session, s, w, STEADY_EVERY, t0 + rng.random() * STEADY_EVERY)
                                   for s, w in zip(self.staff, steady_work, strict=True)))
            timings["steady"] = time.perf_counter() - t0
            # Burst: every phone scans in the same instant, once a second (the worst moment for 20 booths).
            t0 = time.perf_counter() + 0.5
            await asyncio.gather(*(self.phone(session, s, w, BURST_EVERY, t0)
                                   for s, w in zip(self.staff, burst_work, strict=True)))
            timings["burst"] = time.perf_counter() - t0
            # Apart: repeat visits and retries, out of step, one every half second per phone.
            t0 = time.perf_counter()
            await asyncio.gather(*(self.phone(session, s, w, 0.5, t0 + rng.random() * 0.5)
                                   for s, w in zip(self.staff, again, strict=True)))
        timings["expected_leads"] = n * (steady + bursts)
        timings["expected_repeats"] = sum(1 for w in again for *_, kind in w if kind == "repeat")
        return timings


def run(args) -> list[dict]:
    quick = getattr(args, "quick", False)
    booths = int(os.environ.get("LEADS_BOOTHS", 20))
    steady, bursts = (15, 10) if quick else (60, 20)
    # Each buyer visits two booths: enough buyers that every booth has steady + bursts people to scan.
    buyers = int(os.environ.get("LEADS_BUYERS", booths * ((steady + bursts + 1) // 2 + 1)))
    redis = os.environ.get("EVENTDAY_REDIS", "redis://127.0.0.1:6379/7")
    raise_fd_limit()
    stack = Stack(pg_url=PG, database=BENCH_DB, redis_url=redis, workers=2, server="uvicorn")
    stack.create_database()
    try:
        stack.start()
        seed = stack.child("lead_seed", str(booths), str(buyers))
        phones = Booths(stack.base, seed)
        load_before = load_average()
        timings = asyncio.run(phones.run(seed["codes"], random.Random(2026), steady, bursts))
        load_after = load_average()
        verify = stack.child("lead_verify", str(seed["event"]))
    finally:
        stack.stop()
        stack.drop_database()
    a = phones.actions
    expected = timings["expected_leads"]
    scans_expected = expected + timings["expected_repeats"]
    created = a["steady"].answers["created"] + a["burst"].answers["created"]
    clean = (created == expected and not any(x.errors for x in a.values())
             and verify["leads"] == expected and verify["scans"] == scans_expected
             and verify["scan_total"] == scans_expected and not verify["doubled_leads"]
             and not verify["doubled_nonces"] and a["retry"].answers["replayed"] == sum(a["retry"].answers.values()))
    where = (f"2 uvicorn workers + db_worker behind nginx, PostgreSQL, Redis; load average {load_before} → "
             f"{load_after} on {os.cpu_count()} cores")

    def p50_99(action: Action) -> str:
        return f"{ms(action.latencies, 50)} / {ms(action.latencies, 99)}"

    return [
        row("first-time scan p50 / p99, steady", p50_99(a["steady"]), "ms", f"p99 ≤ {TARGET_P99_MS}",
            f"{booths} phones each scanning once a second, out of step: {len(a['steady'].latencies):,} new leads "
            f"in {timings['steady']:.1f} s; {where}"),
        row("first-time scan p50 / p99, all at once", p50_99(a["burst"]), "ms", f"p99 ≤ {TARGET_P99_MS}",
            f"{bursts} bursts, each of {booths} phones scanning in the same instant: {len(a['burst'].latencies):,} "
            "new leads"),
        row("repeat visit p50 / p99 (apart)", p50_99(a["repeat"]), "ms", "",
            f"{dict(a['repeat'].answers)}: the lead's scan count goes up, no new lead"),
        row("retried nonce p50 / p99 (apart)", p50_99(a["retry"]), "ms", "",
            f"{dict(a['retry'].answers)}: the first answer again, nothing written"),
        row("errors (any kind)", sum(sum(x.errors.values()) for x in a.values()), "", "0",
            "; ".join(f"{k}: {dict(x.errors)}" for k, x in a.items() if x.errors) or "none"),
        row("stored as scanned", "PASS" if clean else "FAIL", "", "leads = first scans, nothing twice",
            f"leads {verify['leads']:,} (expected {expected:,}), scans {verify['scans']:,} (expected "
            f"{scans_expected:,}), doubled leads {verify['doubled_leads']}, doubled nonces {verify['doubled_nonces']}"),
    ]


if __name__ == "__main__":
    parser = argparse.ArgumentParser(prog="python -m bench.bench_leads")
    parser.add_argument("--quick", action="store_true", help="15 steady scans and 10 bursts per phone, not 60 and 20")
    from bench.__main__ import print_table

    print_table(run(parser.parse_args()))
