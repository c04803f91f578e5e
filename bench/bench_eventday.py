"""Event-day load against a real scale-mode stack: `python -m bench eventday [--quick]`.

The script starts ``deploy/scale_mode.py`` itself (2 Daphne workers + db_worker behind nginx, on free ports) against
a scratch PostgreSQL database (``ketnoi_eventday_bench`` on the shared server, created and dropped here) and Redis
DB 7 (its own channel/cache prefix), seeds one event, and then, from one asyncio process:

* 2,000 buyers arrive at random times over 10 minutes (``--quick``: 60 s; ``EVENTDAY_SECONDS`` or ``--seconds``
  sets any window) and queue at one of 10 desks; each desk is a scanner with its own device token, scanning one
  person at a time through ``POST /api/checkin/v1/redeem`` (a failed request is resent with the same nonce);
* 5 % of the buyers are scanned a second time a little later, at any desk: the answer must be "already checked in";
* 1,000 websocket clients follow the agenda (``/ws/e/<slug>/agenda/``) while an organizer shifts a session in live
  control every 15 s (``--quick``: 5 s): every client must receive every release;
* 3 signed-in organizers post the agreement fast-entry form (HTTP, CSRF, session cookie), one each ~10 s
  (``--quick``: 1 s).

Afterwards the database is checked: check-ins == unique buyers scanned, no badge checked in twice, every check-in
has its scan log. Other knobs (environment or flags when run as ``python -m bench.bench_eventday``):
``EVENTDAY_BUYERS``, ``EVENTDAY_FOLLOWERS``, ``EVENTDAY_WORKERS``, ``EVENTDAY_SERVER`` (daphne|uvicorn),
``EVENTDAY_REDIS`` (default redis://127.0.0.1:6379/7), ``BENCH_PG_URL``.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import sys
import time
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.scale_stack import PG, Load, Sampler, Stack, load_average, pct, raise_fd_limit  # noqa: E402

BENCH_DB = "ketnoi_eventday_bench"


def row(figure, value, unit, target="", note="") -> dict:
    return {"benchmark": "event day", "figure": figure, "value": value, "unit": unit, "target": target, "note": note}


def ms(values: list[float], p: float) -> float:
    return round(pct([v * 1000 for v in values], p), 1)


def options(args) -> dict:
    quick = getattr(args, "quick", False)
    env = os.environ.get

    def pick(name: str, variable: str, default):
        value = getattr(args, name, None)
        return type(default)(value if value is not None else env(variable, default))

    seconds = pick("seconds", "EVENTDAY_SECONDS", 60.0 if quick else 600.0)
    return {
        "seconds": seconds,
        "buyers": pick("buyers", "EVENTDAY_BUYERS", 2000),
        "followers": pick("followers", "EVENTDAY_FOLLOWERS", 1000),
        "workers": pick("workers", "EVENTDAY_WORKERS", 2),
        "server": pick("server", "EVENTDAY_SERVER", "uvicorn"),
        "redis": env("EVENTDAY_REDIS", "redis://127.0.0.1:6379/7"),
        "desks": 10, "organizers": 3, "duplicate_share": 0.05,
        "change_every": 5.0 if seconds <= 120 else 15.0,
        "agreement_every": 1.0 if seconds <= 120 else 10.0,
    }


async def eventday(stack: Stack, seed: dict, o: dict) -> dict:
    import aiohttp

    load = Load(stack.base, seed)
    sampler = Sampler(stack.processes, f"{stack.pg_url}/postgres", stack.database).start()
    result: dict = {"load_before": load_average()}
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0)) as ws_session, \
            aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=100)) as http:
        t0 = time.perf_counter()
        await load.connect_followers(ws_session, o["followers"])
        result["connect_seconds"] = time.perf_counter() - t0
        result["worker_cpu_connect"] = sampler.snapshot(" worker")
        rng = random.Random(2026)
        codes = load.codes[: o["buyers"]]
        arrivals = sorted(rng.uniform(0, o["seconds"]) for _ in codes)
        duplicates = set(rng.sample(codes, round(o["duplicate_share"] * len(codes))))
        load.queues = [asyncio.Queue() for _ in range(o["desks"])]
        pending: list[asyncio.Future] = []
        cpu0, start = time.process_time(), time.perf_counter()
        until = start + o["seconds"]
        dup_delay = (1.0, max(2.0, o["seconds"] * 0.05))
        desks = [asyncio.ensure_future(load.desk(http, i, q, dup_delay, duplicates, pending))
                 for i, q in enumerate(load.queues)]
        others = [asyncio.ensure_future(load.agenda_changer(http, o["change_every"], until))]
        others += [asyncio.ensure_future(load.organizer(http, i, o["agreement_every"], until))
                   for i in range(o["organizers"])]
        for code, at in zip(codes, arrivals, strict=True):
            delay = start + at - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            load.queues[rng.randrange(o["desks"])].put_nowait((code, "scan", time.perf_counter()))
        give_up = time.perf_counter() + 600
        want = len(codes) + len(duplicates)
        while len(load.scan_results) < want and time.perf_counter() < give_up:
            await asyncio.sleep(0.2)
        scans_done = time.perf_counter()
        await asyncio.gather(*others)
        await asyncio.gather(*pending)
        for q in load.queues:
            q.put_nowait(None)
        await asyncio.gather(*desks)
        await asyncio.sleep(3)  # the last release reaches every client
        result["cpu"] = time.process_time() - cpu0
        result["worker_cpu_end"] = sampler.snapshot(" worker")
        await load.stop_followers()
    sampler.stop()
    result.update(load=load, sampler=sampler, codes=codes, duplicates=duplicates, elapsed=scans_done - start,
                  load_after=load_average())
    return result


def report(o: dict, r: dict, verify: dict) -> list[dict]:
    load: Load = r["load"]
    a = load.actions
    firsts = [load.scan_results.get(c) for c in r["codes"]]
    dups = [load.scan_results.get(c + "#dup") for c in r["duplicates"]]
    ok_first = sum(1 for s in firsts if s == "ok")
    already = sum(1 for s in dups if s == "already_checked_in")
    wrong = (len(firsts) - ok_first) + (len(dups) - already)
    failed_attempts = sum(sum(x.errors.values()) for name, x in a.items() if name != "desk queue wait")
    delivery = load.delivery()
    scans = len(firsts) + len(dups)
    where = (f"{o['workers']} {o['server']} workers + db_worker behind nginx, PostgreSQL (shared server), "
             f"Redis DB 7; {o['buyers']:,} buyers over {o['seconds']:.0f} s at {o['desks']} desks")
    rows = [
        row("scans answered", scans, "scans", f"{o['buyers'] + len(r['duplicates'])}",
            f"{where}; finished {r['elapsed']:.1f} s after the first arrival = {scans / r['elapsed']:.1f} scans/s "
            f"(arrival rate {o['buyers'] / o['seconds']:.1f}/s)"),
        row("redeem p50 / p99 (first scan)", f"{ms(a['scan'].latencies, 50)} / {ms(a['scan'].latencies, 99)}", "ms",
            "p99 ≤ 250", f"answers {dict(a['scan'].answers)}; failed attempts {dict(a['scan'].errors) or 0}"),
        row("duplicate scan p50 / p99",
            f"{ms(a['duplicate scan'].latencies, 50)} / {ms(a['duplicate scan'].latencies, 99)}", "ms", "",
            f"{len(dups)} rescans (5 %): answers {dict(a['duplicate scan'].answers)}; must all be already_checked_in"),
        row("desk queue wait p50 / p99",
            f"{ms(a['desk queue wait'].latencies, 50)} / {ms(a['desk queue wait'].latencies, 99)}", "ms", "",
            "arrival → the desk starts the scan (one scan at a time per desk)"),
        row("agreement entry p50 / p99",
            f"{ms(a['agreement entry'].latencies, 50)} / {ms(a['agreement entry'].latencies, 99)}", "ms", "",
            f"{len(a['agreement entry'].latencies)} agreements by {o['organizers']} organizers (form POST → 302); "
            f"failed {dict(a['agreement entry'].errors) or 0}"),
        row("agenda change POST p50 / p99",
            f"{ms(a['agenda change'].latencies, 50)} / {ms(a['agenda change'].latencies, 99)}", "ms", "",
            f"{len(a['agenda change'].latencies)} shifts in live control, one every {o['change_every']:.0f} s; "
            f"failed {dict(a['agenda change'].errors) or 0}"),
        row("agenda messages delivered", f"{delivery['delivered']}/{delivery['expected']}", "messages", "100 %",
            f"{delivery['versions']} releases × {len(load.followers)} websocket clients; POST → client "
            f"p50 {ms(delivery['latencies'], 50)} ms, p99 {ms(delivery['latencies'], 99)} ms; "
            f"drops {sum(f.drops for f in load.followers)}"),
        row("websocket connect p50 / p99",
            f"{ms(a['ws connect'].latencies, 50)} / {ms(a['ws connect'].latencies, 99)}", "ms", "",
            f"{len(load.followers)} clients through nginx, 50 at a time: all connected in "
            f"{r['connect_seconds']:.1f} s; failed {dict(a['ws connect'].errors) or 0}"),
        row("errors", failed_attempts + wrong, "", "0",
            f"failed HTTP attempts {failed_attempts} (retried with the same nonce), unexpected answers {wrong}; "
            f"HTTP statuses {dict(load.http_statuses)}"),
    ]
    worker_cpu = 0.0
    for name, entry in sorted(r["sampler"].by_name().items()):
        if "worker" in name and name != "db_worker":
            worker_cpu += entry["cpu"]
        rows.append(row(f"CPU, {name}", round(entry["cpu"], 1), "s", "",
                        f"{entry['pids']} process(es); peak RSS {entry['rss']:.0f} MB (largest)"))
    rows.append(row("ASGI CPU per request", round(worker_cpu * 1000 / max(1, scans + len(a['agreement entry'].latencies)
                                                                   + len(a['agenda change'].latencies)), 1), "ms",
                    "", "all workers' CPU (incl. websocket fan-out, connects) / HTTP requests"))
    requests = scans + len(a["agreement entry"].latencies) + len(a["agenda change"].latencies)
    during = r["worker_cpu_end"] - r["worker_cpu_connect"]
    rows.append(row("ASGI CPU per request, load phase", round(during * 1000 / max(1, requests), 1), "ms", "",
                    f"workers' CPU after the {len(load.followers)} websockets connected ({during:.1f} s; connecting "
                    f"them cost {r['worker_cpu_connect']:.1f} s) / {requests} HTTP requests; includes the agenda "
                    "fan-out; measured on a loaded machine, where CPU time inflates too"))
    rows.append(row("CPU, PostgreSQL backends (sampled)", round(r["sampler"].pg_cpu(), 1), "s", "",
                    f"backends of {BENCH_DB} seen every 0.5 s (a lower bound: CONN_MAX_AGE=0 backends are short); "
                    f"peak {r['sampler'].pg_peak_backends} at once"))
    rows.append(row("CPU, load generator", round(r["cpu"], 1), "s", "", "this process (desks + websocket clients)"))
    unique_ok = ok_first
    db_ok = (verify["checkins"] == unique_ok == verify["badges_checked_in"] and verify["doubled_badges"] == 0
             and verify["checkins_without_scanlog"] == 0 and verify["badge_row_inconsistent"] == 0)
    rows.append(row("database check", "PASS" if db_ok else "FAIL", "", "PASS",
                    f"check-ins {verify['checkins']} == unique buyers admitted {unique_ok} == badges marked in "
                    f"{verify['badges_checked_in']}; badges checked in twice {verify['doubled_badges']}; check-ins "
                    f"without scan log {verify['checkins_without_scanlog']}; scan logs {verify['scanlogs']}; "
                    f"agreements {verify['agreements']} (missing parties {verify['agreements_missing_parties']})"))
    rows.append(row("load average (1/5/15 min)", r["load_before"] + " → " + r["load_after"], "", "",
                    "shared 2-core machine: other benchmarks and tests ran at the same time"))
    return rows


def run(args) -> list[dict]:
    o = options(args)
    raise_fd_limit()
    stack = Stack(pg_url=PG, database=BENCH_DB, redis_url=o["redis"], workers=o["workers"], server=o["server"])
    stack.create_database()
    try:
        stack.start()
        seed = stack.child("seed", str(o["buyers"]), str(o["desks"]), str(o["organizers"]))
        result = asyncio.run(eventday(stack, seed, o))
        verify = stack.child("verify", str(seed["event"]))
    finally:
        stack.stop()
        stack.drop_database()
    return report(o, result, verify)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(prog="python -m bench.bench_eventday")
    parser.add_argument("--quick", action="store_true", help="60 s instead of 10 minutes")
    parser.add_argument("--seconds", type=float)
    parser.add_argument("--buyers", type=int)
    parser.add_argument("--followers", type=int)
    parser.add_argument("--workers", type=int)
    parser.add_argument("--server", choices=["daphne", "uvicorn"])
    from bench.__main__ import print_table

    print_table(run(parser.parse_args()))
