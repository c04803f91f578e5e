"""Bulk badge benchmark: speed and peak memory of printing 10,000 badges.

`python -m bench badges [--quick]` runs, for each layout, two measurements, each in a **fresh child process**
so that its peak RSS (``VmHWM``, bench/memory.py) is the work's own:

1. *render*: the PDF writing of a bulk job over N ready badge records (real signed tokens, Vietnamese names)
   into a temporary folder, no database (``pdf.write_badge_volumes`` with the job's file size limit, or
   ``pdf.write_badges`` where the code has no volumes);
2. *job*: ``jobs.run_badge_job`` end to end on a scratch PostgreSQL database (``ketnoi_badges_bench``, created and
   dropped here; ``BENCH_BADGES_DB`` for another name): reading registrations, issuing badges, signing tokens,
   rendering and storing the file.

RSS growth = peak RSS of the child (``VmHWM``) minus its resident size just before the work started
(``VmRSS``, Django loaded, tokens or registrations ready). Throughput is badges per wall-clock second (and per
CPU second of the child, the figure to compare on a busy machine). Sizes: ``BENCH_BADGES_SIZES`` (default
10000; ``--quick`` 1000); layouts: ``BENCH_BADGES_LAYOUTS`` (default ``a4_8xa7,a6``).
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tempfile
import time
import uuid
import zipfile
from pathlib import Path

from bench.memory import rss_now_mb, rss_peak_mb

ROOT = Path(__file__).resolve().parent.parent
PG = os.environ.get("BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432")
BENCH_DB = os.environ.get("BENCH_BADGES_DB", "ketnoi_badges_bench")
NAMES = ["Nguyễn Thị Ngọc Huyền", "Trần Văn Út", "Tôn Nữ Thị Phương Thảo Nguyên", "Lê Hà", "Đặng Văn Sáu"]
COMPANY = "Liên hiệp HTX Thương mại TP. Hồ Chí Minh (Saigon Co.op)"


def row(figure, value, unit, target="", note="") -> dict:
    return {"benchmark": "badges", "figure": figure, "value": value, "unit": unit, "target": target, "note": note}


def _setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "eventsite.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def _pages(path) -> int:
    out = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    return int(re.search(r"^Pages:\s+(\d+)", out, re.M).group(1))


# --- children ----------------------------------------------------------------------------------------------------


def child_render(layout: str, n: int) -> dict:
    _setup_django()
    from nacl.signing import SigningKey

    from registration.services import pdf, tokens

    key = SigningKey.generate()
    codes = []
    for i in range(n):
        message = tokens.payload(tokens.Claims(10_000 + i, 42, 1))
        codes.append(tokens.encode(message + key.sign(message).signature))

    def items():
        for i, code in enumerate(codes):
            yield pdf.BadgeData(name=f"{NAMES[i % 5]} {i}", company=COMPANY, role="buyer", role_label="Người mua",
                                role_label_en="Buyer", token=code,
                                event_name="Hội nghị kết nối cung cầu sản phẩm OCOP tỉnh Cà Mau năm 2026",
                                event_dates="09/12/2026 – 11/12/2026", venue="Cà Mau")

    pdf.register_fonts()
    with tempfile.TemporaryDirectory() as folder:
        baseline = rss_now_mb()
        t0, c0 = time.perf_counter(), time.process_time()
        if hasattr(pdf, "write_badge_volumes"):
            def open_volume(n: int):
                return open(Path(folder) / f"{n}.pdf", "wb")

            count, _volumes = pdf.write_badge_volumes(layout, items(), open_volume, max_pages=pdf.MAX_PAGES_PER_FILE)
        else:  # the code before chunks and volumes: one streamed file
            with open(Path(folder) / "1.pdf", "wb") as out:
                count = pdf.write_badges(layout, items(), out)
        seconds, cpu = time.perf_counter() - t0, time.process_time() - c0
        peak = rss_peak_mb()
        files = sorted(Path(folder).glob("*.pdf"))
        return {"seconds": seconds, "cpu": cpu, "baseline": baseline, "peak": peak, "count": count,
                "mb": sum(f.stat().st_size for f in files) / 2**20, "pages": sum(_pages(f) for f in files),
                "files": len(files)}


def child_seed(n: int) -> dict:
    _setup_django()
    from eventsite.provinces import fold
    from registration.models import Registration, RegistrationRole, RegistrationStatus
    from tests.factories import EventFactory

    event = EventFactory(slug=f"bench-badges-{uuid.uuid4().hex[:6]}", organizer__tax_code=uuid.uuid4().hex[:12])
    rows = []
    for i in range(n):
        name = f"{NAMES[i % 5]} {i}"
        rows.append(Registration(event=event, role=RegistrationRole.BUYER, status=RegistrationStatus.APPROVED,
                                 full_name=name, company=COMPANY, phone=f"08{i:08d}", email=f"bench{i}@example.vn",
                                 search_text=fold(f"{name} {COMPANY}")))
    Registration.objects.bulk_create(rows, batch_size=1000)
    return {"event": event.pk}


def child_job(layout: str, event_id: int) -> dict:
    _setup_django()
    from eventsite.models import Event
    from registration.services import jobs

    event = Event.objects.get(pk=event_id)
    job = jobs.start_badge_job(event=event, requested_by=None, layout=layout, roles=[], statuses=["approved"],
                               background=False)
    baseline = rss_now_mb()
    t0, c0 = time.perf_counter(), time.process_time()
    job = jobs.run_badge_job(job.pk)
    seconds, cpu = time.perf_counter() - t0, time.process_time() - c0
    peak = rss_peak_mb()  # before anything below reads the file
    assert job.status == "done", (job.status, job.error)
    with tempfile.TemporaryDirectory() as folder, job.file.open("rb") as stored:
        copy = Path(folder) / Path(job.file.name).name
        with open(copy, "wb") as out:
            for chunk in iter(lambda: stored.read(1 << 20), b""):
                out.write(chunk)
        size = copy.stat().st_size
        if copy.suffix == ".zip":
            with zipfile.ZipFile(copy) as zf:
                zf.extractall(folder)
                names = zf.namelist()
        else:
            names = [copy.name]
        pages = sum(_pages(Path(folder) / name) for name in names)
    job.file.delete(save=False)
    return {"seconds": seconds, "cpu": cpu, "baseline": baseline, "peak": peak, "count": job.done,
            "mb": size / 2**20, "pages": pages, "files": len(names)}


# --- parent ------------------------------------------------------------------------------------------------------


def _child(args: list[str], env: dict | None = None) -> dict:
    out = subprocess.run([sys.executable, "-m", "bench.bench_badges", *args], cwd=ROOT, check=True,
                         capture_output=True, text=True, env={**os.environ, "DJANGO_DEBUG": "0", **(env or {})})
    return json.loads(out.stdout.strip().splitlines()[-1])


def _psql(sql: str) -> None:
    import psycopg

    with psycopg.connect(f"{PG}/postgres", autocommit=True) as conn:
        conn.execute(sql)


def _figures(kind: str, layout: str, n: int, result: dict) -> list[dict]:
    assert result["count"] == n, result
    growth = result["peak"] - result["baseline"]
    note = (f"{n:,} badges, {layout}: {result['seconds']:.1f} s wall, {n / result['cpu']:.0f} badges/s by CPU time; "
            f"RSS {result['baseline']:.1f} MB before, peak {result['peak']:.1f} MB; PDF {result['mb']:.1f} MB, "
            f"{result['pages']:,} pages in {result.get('files', 1)} file(s); load average {os.getloadavg()[0]:.1f}")
    return [row(f"{kind} {layout}, throughput", round(n / result["seconds"]), "badges/s", "≥ 200/s", note),
            row(f"{kind} {layout}, peak RSS growth", round(growth, 1), "MB", "≤ 100 MB", "")]


def run(args) -> list[dict]:
    quick = bool(getattr(args, "quick", False))
    sizes = [int(x) for x in os.environ.get("BENCH_BADGES_SIZES", "1000" if quick else "10000").split(",")]
    layouts = [x.strip() for x in os.environ.get("BENCH_BADGES_LAYOUTS", "a4_8xa7,a6").split(",") if x.strip()]
    rows: list[dict] = []
    for layout in layouts:
        for n in sizes:
            rows += _figures("render", layout, n, _child(["render", layout, str(n)]))
    _psql(f'DROP DATABASE IF EXISTS "{BENCH_DB}" WITH (FORCE)')
    _psql(f'CREATE DATABASE "{BENCH_DB}"')
    env = {"DATABASE_URL": f"{PG}/{BENCH_DB}", "PRIVATE_MEDIA_ROOT": tempfile.mkdtemp(prefix="bench-badges-"),
           "MEDIA_ROOT": tempfile.mkdtemp(prefix="bench-badges-media-")}
    try:
        subprocess.run([sys.executable, "manage.py", "migrate", "-v0", "--noinput"], cwd=ROOT, check=True,
                       env={**os.environ, **env})
        for layout in layouts:
            for n in sizes:
                event = _child(["seed", str(n)], env)["event"]
                rows += _figures("job", layout, n, _child(["job", layout, str(event)], env))
    finally:
        _psql(f'DROP DATABASE IF EXISTS "{BENCH_DB}" WITH (FORCE)')
    return rows


if __name__ == "__main__":
    command = sys.argv[1]
    if command == "render":
        result = child_render(sys.argv[2], int(sys.argv[3]))
    elif command == "seed":
        result = child_seed(int(sys.argv[2]))
    else:
        result = child_job(sys.argv[2], int(sys.argv[3]))
    print(json.dumps(result))
