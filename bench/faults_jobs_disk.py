"""Drills e and f of ``bench faults`` (bench/bench_faults.py runs them after a–d on the same stack).

e. The background task worker (``db_worker``) is killed with SIGKILL while it renders a bulk badge job that an
   organizer started on the print page (``/e/<slug>/badges/``, a few hundred badges). scale_mode starts the worker
   again. The job must end visibly for the organizer, on the page the organizer polls: failed with a message (the
   job's lease ran out: registration/services/jobs.py) or done, never "running" forever. The restarted worker must
   then print a new job to the end, and the download must be the PDF.
f. The disk of the uploads is full: a small tmpfs is mounted over the folder the signed agreement scans are stored
   in (``PRIVATE_MEDIA_ROOT/agreements`` of the running stack; we are root, as in CI) and filled to a few kilobytes.
   An organizer enters an agreement with its scan through nginx: the answer must be a 503 with Retry-After and the
   Vietnamese message, no agreement row and no file (whole or partial, temporary or not) on that disk. Space is
   freed, the same upload is sent again: 302, the agreement row exists and its file holds exactly the bytes sent.
"""

from __future__ import annotations

import asyncio
import hashlib
import io
import os
import re
import signal
import subprocess
import time
import uuid
from pathlib import Path

BADGE_ROLE = "press"  # the drill's badges: a role the check-in load does not use, so the job prints exactly these


def noisy_png(size: int = 110) -> bytes:
    """A PNG that does not compress (about 3 × size² bytes): larger than the room left on the full disk."""
    from PIL import Image

    image = Image.frombytes("RGB", (size, size), os.urandom(size * size * 3))
    buf = io.BytesIO()
    image.save(buf, format="PNG")
    return buf.getvalue()


def files_under(root: Path) -> list[str]:
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file())


def free_bytes(path: Path) -> int:
    stats = os.statvfs(path)
    return stats.f_bavail * stats.f_frsize


# --- e. the task worker killed during a bulk badge job -----------------------------------------------------------


async def _job_partial(faults, session, job_id: int) -> tuple[int, str]:
    load = faults.load
    url = f"{load.base}/e/{load.slug}/badges/jobs/{job_id}/"
    async with session.get(url, headers=load.organizer_headers(faults.seed["organizers"][0])) as r:
        return r.status, await r.text()


def _job_state(html: str) -> tuple[str, int]:
    """("queued" / "running" while the page keeps polling, "failed" / "done" once it stops; badges done).

    A job shows a progress value once a worker has claimed it (it knows its total then): that is "running"."""
    done = re.search(r'<progress[^>]* value="(\d+)"', html)
    if 'hx-trigger="every 1s"' in html:
        state = "running" if done else "queued"
    elif 'role="alert"' in html:
        state = "failed"
    else:
        state = "done" if "/download/" in html else "other"
    return state, int(done.group(1)) if done else 0


async def _start_job(faults, session) -> int:
    load = faults.load
    data = {"layout": "a4_8xa7", "role": BADGE_ROLE, "status": "approved"}
    async with session.post(f"{load.base}/e/{load.slug}/badges/", data=data, allow_redirects=False,
                            headers=load.organizer_headers(faults.seed["organizers"][0])) as r:
        location = r.headers.get("Location", "")
        if r.status != 302 or "job=" not in location:
            raise RuntimeError(f"the print page answered {r.status} {location!r}")
        return int(location.rsplit("job=", 1)[1])


async def _wait_job(faults, session, job_id: int, timeout: float) -> tuple[str, int, str, float]:
    t0 = time.perf_counter()
    state, done, html = "queued", 0, ""
    while time.perf_counter() - t0 < timeout:
        with_status, html = await _job_partial(faults, session, job_id)
        if with_status == 200:
            state, done = _job_state(html)
            if state not in ("queued", "running"):
                break
        await asyncio.sleep(0.5)
    return state, done, html, time.perf_counter() - t0


async def badge_worker_killed(faults, session, badges: int = 600) -> None:
    stack = faults.stack
    faults.stack.child("badge_people", str(faults.seed["event"]), str(badges), BADGE_ROLE)
    load = faults.load
    for _ in range(4):  # the organizer opens the print page first (and every ASGI worker has loaded its views)
        async with session.get(f"{load.base}/e/{load.slug}/badges/",
                               headers=load.organizer_headers(faults.seed["organizers"][0])) as r:
            await r.read()
    job_id = await _start_job(faults, session)
    # Watch the organizer's own progress partial; kill the worker once it has printed some of the job's badges.
    victim, seen, state = None, 0, "queued"
    deadline = time.perf_counter() + 120
    while time.perf_counter() < deadline:
        _status, html = await _job_partial(faults, session, job_id)
        state, seen = _job_state(html)
        if state == "running" and seen >= 50:
            victim = stack.status().get("db_worker")
            os.kill(victim, signal.SIGKILL)
            break
        if state not in ("queued", "running"):
            break
        await asyncio.sleep(0.05)
    if victim is None:
        faults.report("e. kill -9 the task worker during a bulk badge job", False,
                      f"the job was not caught running (state after {seen} badges: {state}): nothing was killed")
        return
    lease = float(stack.env["KETNOI_JOB_LEASE_SECONDS"])
    state, done, html, waited = await _wait_job(faults, session, job_id, timeout=lease + 90)
    visible = state == "done" or (state == "failed" and "bị gián đoạn" in html)
    restarted, until = victim, time.perf_counter() + 60
    while restarted == victim and time.perf_counter() < until:  # scale_mode starts it again after a second
        await asyncio.sleep(0.2)
        restarted = stack.status().get("db_worker")
    # The restarted worker prints a new job to the end; the organizer downloads it.
    t0 = time.perf_counter()
    second = await _start_job(faults, session)
    state2, done2, _html2, _ = await _wait_job(faults, session, second, timeout=180)
    second_seconds = time.perf_counter() - t0
    async with session.get(f"{load.base}/e/{load.slug}/badges/jobs/{second}/download/",
                           headers=load.organizer_headers(faults.seed["organizers"][0])) as r:
        body = await r.read()
        pdf_ok = r.status == 200 and body[:5] == b"%PDF-" and r.headers.get("Cache-Control") == "private, no-store"
    db = stack.child("badge_jobs", str(job_id), str(second))
    first_db, second_db = db[str(job_id)], db[str(second)]
    # The kill must have hit the task mid-run: its task row is left "RUNNING" by the dead worker (django-tasks-db
    # never finishes it); a job the worker had finished before the kill would prove nothing.
    hit = first_db["task"] == "RUNNING"
    passed = (hit and visible and first_db["status"] in ("failed", "done") and restarted not in (None, victim)
              and state2 == "done" and done2 == badges and second_db["status"] == "done" and second_db["file"]
              and pdf_ok and (first_db["status"] == "done" or not first_db["file"]))
    faults.report("e. kill -9 the task worker during a bulk badge job", passed,
                  f"job of {badges} badges started on the print page, worker pid {victim} killed at {seen}/"
                  f"{badges} (its task row left {first_db['task']}); the organizer's page showed '{state}' "
                  f"{waited:.1f} s after the kill (lease {lease:.0f} s)"
                  f"{' with the Vietnamese message' if state == 'failed' and visible else ''}; "
                  f"DB: job {first_db['status']}, file {'kept' if first_db['file'] else 'none'}; worker restarted "
                  f"(pid {restarted}); a new job printed {done2}/{badges} badges in {second_seconds:.1f} s, state "
                  f"{state2}, download {'a private PDF' if pdf_ok else 'NOT the PDF'} ({len(body)} bytes)")


# --- f. the uploads disk is full ----------------------------------------------------------------------------------


def _mount_small_disk(folder: Path, size: str = "256k") -> str | None:
    folder.mkdir(parents=True, exist_ok=True)
    if os.geteuid() != 0:
        return "needs root to mount a small tmpfs"
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size},mode=0755", "tmpfs", str(folder)],
                          capture_output=True, text=True)
    return None if done.returncode == 0 else f"mount failed: {done.stderr.strip()}"


async def _post_scan(faults, session, title: str, scan: bytes) -> tuple[int, str, str]:
    import aiohttp

    from bench.scale_stack import agreement_parties

    load = faults.load
    form = aiohttp.FormData()
    fields = {"kind": "biz_distributor", "title": title, "signed_at": "2026-12-09T10:30",
              "estimated_value": "250000000", **agreement_parties(faults.seed["sellers"][0], faults.seed["buyers"][0]),
              "confirm_duplicate": "on"}
    for key, value in fields.items():
        form.add_field(key, value)
    form.add_field("scan", scan, filename="bien-ban-ky-ket.png", content_type="image/png")
    headers = load.organizer_headers(faults.seed["organizers"][0])
    headers.pop("Content-Type")  # multipart, with its boundary
    async with session.post(f"{load.base}/e/{load.slug}/agreements/new/", data=form, headers=headers,
                            allow_redirects=False) as r:
        return r.status, r.headers.get("Retry-After", ""), await r.text()


async def uploads_disk_full(faults, session) -> None:
    stack = faults.stack
    folder = Path(stack.env["PRIVATE_MEDIA_ROOT"]) / "agreements"
    problem = _mount_small_disk(folder)
    if problem:
        faults.report("f. uploads disk full", False, problem)
        return
    try:
        filler = folder / "filler.bin"
        filler.write_bytes(b"\0" * max(0, free_bytes(folder) - 8 * 1024))
        scan = noisy_png()
        title = f"Biên bản ghi nhớ có bản quét {uuid.uuid4().hex[:6]}"
        full_status, retry_after, page = await _post_scan(faults, session, title, scan)
        translated = "Máy chủ đã hết chỗ lưu tệp tải lên" in page
        left_on_disk = files_under(folder)
        rows_full = stack.child("agreement_scans", str(faults.seed["event"]), title)
        filler.unlink()
        ok_status, _retry, _page = await _post_scan(faults, session, title, scan)
        rows_after = stack.child("agreement_scans", str(faults.seed["event"]), title)
    finally:
        subprocess.run(["umount", "-l", str(folder)], check=False)
    stored = rows_after["rows"][0] if rows_after["rows"] else {}
    same = stored.get("sha256") == hashlib.sha256(scan).hexdigest()
    passed = (full_status == 503 and bool(retry_after) and translated and left_on_disk == ["filler.bin"]
              and not rows_full["rows"] and ok_status == 302 and len(rows_after["rows"]) == 1 and same)
    faults.report("f. uploads disk full (agreement scan through nginx)", passed,
                  f"a {len(scan) // 1024} KiB scan on a 256 KiB disk with 8 KiB free: HTTP {full_status}, "
                  f"Retry-After {retry_after or 'missing'}, Vietnamese message {'shown' if translated else 'MISSING'}; "
                  f"files on that disk afterwards {left_on_disk}; agreement rows {len(rows_full['rows'])}; "
                  f"space freed, sent again: HTTP {ok_status}, {len(rows_after['rows'])} row, stored file "
                  f"{'identical to the upload' if same else 'NOT the upload'}")
