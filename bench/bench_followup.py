"""Follow-through over 10,000 agreements (issue 18): the organizer's follow-through page figures with 40,000
reports, and the periodic job that finds the due check points and sends the requests.

Each backend runs in a child process against scratch data (a temporary SQLite file; a scratch PostgreSQL database
``ketnoi_followup_bench``, created and dropped here). Data: agreements signed 100 days ago (the 3-month check point
is open), two parties each with a contact email; per agreement the seller and the buyer reported at 1 month, the
seller at 3 months, and one earlier report was corrected (3 current + 1 kept = 4 reports an agreement). So the job
has one request to send per agreement: the buyer's at 3 months. The job runs as in scale mode: the periodic pass
finds, claims and enqueues (the database task backend), then ``manage.py db_worker --batch`` makes the links and
sends (Django's in-memory email backend); each is timed, and the sum. Targets: page figures ≤ 150 ms with a constant
query count; the job ≤ 5 s.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.bench_agreements import PG_ADMIN, _pg

ROOT = Path(__file__).resolve().parent.parent
PG_DB = "ketnoi_followup_bench"
BOARD_TARGET_MS = 150.0
JOB_TARGET_S = 5.0


def _child(sizes: list[int], repeats: int) -> list[dict]:
    import django

    django.setup()
    from django.conf import settings

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    from django.core import mail
    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    call_command("migrate", verbosity=0)
    mail.outbox = []
    from datetime import datetime, timedelta
    from datetime import time as dtime

    from agreements.models import (
        Agreement,
        AgreementParty,
        CheckPoint,
        FollowupReport,
        FollowupStatus,
    )
    from agreements.services.followup_board import followup_board
    from agreements.services.followup_job import run_followup_job
    from eventsite.models import Event, Organization

    organizer = Organization.objects.create(name="Sở Công Thương", kind="government", province_code=96)
    provinces = [1, 4, 8, 11, 12, 14, 15, 19, 20, 22, 24, 25, 31, 33, 37, 38, 40, 42, 44, 46, 48, 51, 52, 56, 66,
                 68, 75, 79, 80, 82, 86, 91, 92, 96]
    sellers = Organization.objects.bulk_create(
        [Organization(name=f"HTX {i}", kind="cooperative", province_code=96, search_text=f"htx {i}")
         for i in range(300)])
    buyers = Organization.objects.bulk_create(
        [Organization(name=f"Nhà phân phối {i}", kind="distributor", province_code=provinces[i % 34],
                      search_text=f"nha phan phoi {i}") for i in range(60)])
    day = timezone.localdate() - timedelta(days=100)
    signed = timezone.make_aware(datetime.combine(day, dtime(10, 0)))
    states = ["orders", "regular", "in_progress", "not_started", "paused"]
    rows = []
    for size in sizes:
        event = Event.objects.create(
            name=f"Bench {size}", slug=f"bench-{size}", organizer=organizer, province_at_event="Cà Mau",
            province_code=96, venue="Cà Mau", starts_at=signed - timedelta(hours=2),
            ends_at=signed + timedelta(days=2), status="published")
        points = {m: CheckPoint.objects.create(event=event, months=m) for m in (1, 3, 6, 12)}
        agreements = Agreement.objects.bulk_create([
            Agreement(event=event, kind=Agreement.Kind.values[i % 5], title=f"Biên bản {i}", signed_at=signed,
                      signed_on=day, estimated_value=(i % 97) * 10_000_000, party_key=f"{i}",
                      partner_province_code=provinces[i % 34], buyer_key=str(buyers[i % 60].pk),
                      group_key=("food", "beverage", "herbal", "handicraft")[i % 4])
            for i in range(size)], batch_size=2000)
        AgreementParty.objects.bulk_create(
            [AgreementParty(agreement=a, organization=sellers[i % 300], role="seller", position=0,
                            contact_email=f"ban{i}@htx.vn") for i, a in enumerate(agreements)]
            + [AgreementParty(agreement=a, organization=buyers[i % 60], role="buyer", position=1,
                              contact_email=f"mua{i}@npp.vn") for i, a in enumerate(agreements)], batch_size=4000)
        reports = []
        for i, a in enumerate(agreements):
            s, b = sellers[i % 300], buyers[i % 60]
            state = states[i % 5]
            value = (a.estimated_value or 0) // 2 if state in ("orders", "regular") else None
            reports += [
                FollowupReport(agreement=a, organization=s, checkpoint=points[1], state="in_progress", via="link",
                               current=False),
                FollowupReport(agreement=a, organization=s, checkpoint=points[1], state=state, value=value,
                               via="link"),
                FollowupReport(agreement=a, organization=b, checkpoint=points[1], state=state, value=value,
                               via="link"),
                FollowupReport(agreement=a, organization=s, checkpoint=points[3], state=state, value=value,
                               via="link"),
            ]
        FollowupReport.objects.bulk_create(reports, batch_size=4000)
        FollowupStatus.objects.bulk_create([
            FollowupStatus(agreement=a, state=states[i % 5], implemented=states[i % 5] in ("orders", "regular"),
                           realized_value=(a.estimated_value or 0) // 2 if states[i % 5] in ("orders", "regular")
                           else None, last_reported_at=signed) for i, a in enumerate(agreements)], batch_size=4000)
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("VACUUM ANALYZE")
        backend = connection.vendor
        followup_board(event)  # warm up
        times = []
        for _ in range(repeats):
            with CaptureQueriesContext(connection) as queries:
                start = time.perf_counter()
                board = followup_board(event)
                times.append((time.perf_counter() - start) * 1000)
        assert board.total.count == size and len(reports) == 4 * size
        rows.append({"benchmark": "followup", "figure": f"follow-through figures, {size:,} agreements, "
                     f"{len(reports):,} reports ({backend})", "value": round(statistics.median(times), 1),
                     "unit": "ms (median)", "target": f"≤ {BOARD_TARGET_MS:.0f} ms" if size >= 10_000 else "",
                     "note": f"{len(queries.captured_queries)} queries; p95 "
                             f"{sorted(times)[int(len(times) * 0.95) - 1]:.1f} ms; {repeats} runs"})
        # Scale mode's shape: the periodic pass (``manage.py periodic``) finds the due check points, claims the
        # notices and enqueues the send tasks as rows (the database task backend); the task workers, already
        # running as in scale mode (``deploy/scale_mode.py --task-workers``, default 2), make the links and send
        # the emails. Timed from the start of the pass to the last notice marked sent.
        for workers in (1, 2):
            rows += _job_rows(event, size, backend, workers, run_followup_job)
    return rows


def _job_rows(event, size: int, backend: str, workers: int, run_followup_job) -> list[dict]:
    from django.db import connection
    from django.test.utils import override_settings

    from agreements.models import FollowupLink
    from agreements.models import FollowupNotice as Notice

    # A fresh round: every request of this event's agreements is due again.
    Notice.objects.filter(agreement__event=event).delete()
    FollowupLink.objects.filter(agreement__event=event).delete()
    connection.close()  # the workers start with the database to themselves
    env = {**os.environ, "KETNOI_TASKS": "database"}
    procs = [subprocess.Popen([sys.executable, "-m", "bench.bench_followup", "--worker"], cwd=ROOT, env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(workers)]
    try:
        for proc in procs:  # each says "ready" once warm (URLs and templates loaded, as an hour into the day)
            assert proc.stdout.readline().strip() == "ready", proc.stderr.read()[-2000:]
        with override_settings(TASKS={"default": {"BACKEND": "django_tasks_db.DatabaseBackend",
                                                  "QUEUES": ["default"]}}):
            start = time.perf_counter()
            first = run_followup_job(site="http://bench")
            pass_s = time.perf_counter() - start
            deadline = start + 300
            sent = Notice.objects.filter(agreement__event=event, status=Notice.Status.SENT)
            while (sent_rows := sent.count()) < size:
                if time.perf_counter() > deadline:
                    break
                time.sleep(0.01)
            end_s = time.perf_counter() - start
            again_start = time.perf_counter()
            second = run_followup_job(site="http://bench")
            again_s = time.perf_counter() - again_start
    finally:
        for proc in procs:
            proc.terminate()
        outputs = [proc.communicate(timeout=60) for proc in procs]
    sent_to = [to for out, _ in outputs for to in json.loads(out.strip().splitlines()[-1])]
    ok = (len(sent_to) == size and len(set(sent_to)) == size and sent_rows == size and first.claimed == size
          and second.claimed == 0)
    target = f"≤ {JOB_TARGET_S:.0f} s" if size >= 10_000 else ""
    label = f"{workers} task worker{'s' if workers > 1 else ''}"
    rows = []
    if workers == 1:
        rows.append({"benchmark": "followup", "figure": f"periodic pass, {size:,} agreements ({backend})",
                     "value": round(pass_s, 2) if ok else "FAIL", "unit": "s", "target": target,
                     "note": f"find the due check points, write and claim {first.created:,} notices, enqueue "
                             f"{len(first.tasks)} send tasks (database task backend, as in scale mode); "
                             f"a second pass right after: {again_s:.2f} s, {second.claimed} claimed"})
    rows.append({"benchmark": "followup", "figure": f"  pass + {label} sending ({backend})",
                 "value": round(end_s, 2) if ok else "FAIL", "unit": "s", "target": target,
                 "note": f"{label} (db_worker, warm, already running): {len(sent_to):,} links made and emails "
                         f"rendered and sent ({len(sent_to) / max(end_s - pass_s, 1e-9):,.0f}/s after the pass), "
                         f"{len(set(sent_to)):,} recipients, each once; the pass took {pass_s:.2f} s"})
    return rows


def _worker() -> None:
    """One task worker, as scale mode runs it: ``manage.py db_worker`` until SIGTERM, with Django's in-memory
    email backend; prints the recipients it sent to."""
    import django

    django.setup()
    from django.conf import settings
    from django.core import mail
    from django.core.management import call_command
    from django.template.loader import get_template
    from django.urls import reverse

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    mail.outbox = []
    reverse("agreements:followup_report", kwargs={"event_slug": "x", "token": "y"})
    for name in ("followup_request", "followup_request_subject"):
        get_template(f"agreements/email/{name}.txt")
    print("ready", flush=True)
    try:
        call_command("db_worker", startup_delay=False, interval=0.01, reload=False, verbosity=0)
    except SystemExit:  # SIGTERM while idle: db_worker exits at once
        pass
    finally:
        print(json.dumps([m.to[0] for m in mail.outbox]), flush=True)


def _run_child(env: dict, sizes: list[int], repeats: int) -> list[dict]:
    out = subprocess.run(
        [sys.executable, "-m", "bench.bench_followup", "--child", ",".join(map(str, sizes)), str(repeats)],
        # DEBUG off, as in production: with it on, every statement (a bulk INSERT of 200 links too) is also
        # formatted into connection.queries.
        cwd=ROOT, env={**os.environ, "DJANGO_SETTINGS_MODULE": "eventsite.settings", "DJANGO_DEBUG": "0", **env},
        capture_output=True, text=True, check=False,
    )
    if out.returncode != 0:
        return [{"benchmark": "followup", "figure": "child failed", "value": "FAIL", "unit": "", "target": "",
                 "note": out.stderr.strip().splitlines()[-1] if out.stderr.strip() else "?"}]
    return json.loads(out.stdout.strip().splitlines()[-1])


def run(args) -> list[dict]:
    quick = getattr(args, "quick", False)
    sizes = [100, 1_000] if quick else [1_000, 10_000]
    if os.environ.get("FOLLOWUP_SIZES"):  # e.g. FOLLOWUP_SIZES=10000 FOLLOWUP_BACKENDS=postgresql: one row set
        sizes = [int(n) for n in os.environ["FOLLOWUP_SIZES"].split(",")]
    backends = os.environ.get("FOLLOWUP_BACKENDS", "sqlite,postgresql").split(",")
    repeats = 5 if quick else 20
    rows: list[dict] = []
    if "sqlite" in backends:
        with tempfile.TemporaryDirectory(prefix="ketnoi-bench-followup-") as tmp:
            rows += _run_child({"DATABASE_URL": "", "SQLITE_PATH": str(Path(tmp) / "bench.sqlite3")}, sizes,
                               repeats)
    if "postgresql" not in backends:
        return rows
    _pg(f"DROP DATABASE IF EXISTS {PG_DB}")
    if _pg(f"CREATE DATABASE {PG_DB}"):
        try:
            rows += _run_child({"DATABASE_URL": PG_ADMIN.rsplit("/", 1)[0] + f"/{PG_DB}"}, sizes, repeats)
        finally:
            _pg(f"DROP DATABASE IF EXISTS {PG_DB} WITH (FORCE)")
    else:
        rows.append({"benchmark": "followup", "figure": "PostgreSQL", "value": "", "unit": "", "target": "",
                     "note": "skipped: no PostgreSQL at " + PG_ADMIN})
    return rows


if __name__ == "__main__" and sys.argv[1:2] == ["--worker"]:
    sys.path.insert(0, str(ROOT))
    _worker()
elif __name__ == "__main__" and len(sys.argv) >= 4 and sys.argv[1] == "--child":
    sys.path.insert(0, str(ROOT))
    result = _child([int(s) for s in sys.argv[2].split(",")], int(sys.argv[3]))
    print(json.dumps(result))
