"""The one scheduler of the platform: runs the apps' periodic jobs (``periodic_jobs()`` on their AppConfig,
eventsite/apps.py) on their intervals.

``manage.py periodic --loop`` runs beside the server (``make run``) and the task worker (scale mode); cron can run
``manage.py periodic`` instead. Every job is idempotent and safe beside a second copy, so a loop restarted at any
moment, two machines running it, or cron and a loop together do nothing twice. A job that fails (the database
restarting, say) is logged and tried again at its next interval; the others go on.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.db import close_old_connections, transaction

from .apps import PeriodicJob, PeriodicRun, collect_periodic_jobs


def wait_for_thread_tasks(results: Iterable, timeout: float = 600) -> None:
    """With the embedded thread backend the enqueued tasks run in this process's threads: wait for them, so a
    one-shot run (cron) does not exit before they are done. With the database backend, db_worker runs them.
    Inside a transaction the tasks start only when it commits (the backend enqueues on commit), so there is
    nothing to wait for yet: waiting would only run into the timeout."""
    from django_tasks import DEFAULT_TASK_BACKEND_ALIAS, task_backends
    from django_tasks.base import TaskResultStatus

    from .task_backends import ThreadBackend

    if not isinstance(task_backends[DEFAULT_TASK_BACKEND_ALIAS], ThreadBackend):
        return
    if transaction.get_connection().in_atomic_block:
        return
    deadline = time.monotonic() + timeout
    for result in results:
        while result.status in (TaskResultStatus.READY, TaskResultStatus.RUNNING) and time.monotonic() < deadline:
            time.sleep(0.1)
            result.refresh()


def select_jobs(only: Iterable[str] = ()) -> list[PeriodicJob]:
    """The registered jobs, or those named in ``only`` (an unknown name is a KeyError naming the known ones)."""
    jobs = collect_periodic_jobs()
    only = list(only)
    unknown = [key for key in only if key not in jobs]
    if unknown:
        raise KeyError(f"unknown periodic job {', '.join(unknown)}; known: {', '.join(jobs)}")
    return [jobs[key] for key in only] if only else list(jobs.values())


def run_once(job: PeriodicJob, *, site: str, wait: bool = True) -> PeriodicRun:
    """One pass of ``job``; with ``wait`` (a one-shot run), until the tasks it enqueued are done in this process."""
    outcome = job.run(site=site)
    if wait:
        wait_for_thread_tasks(outcome.tasks)
    return outcome


@dataclass
class Schedule:
    """When each job ran last (monotonic seconds); a job is due when its interval has passed since then, and every
    job is due on the first tick. A failed pass counts as a pass: it is tried again one interval later, not in a
    tight loop against a database that is down."""

    jobs: list[PeriodicJob]
    last: dict[str, float] = field(default_factory=dict)

    def due(self, now: float) -> list[PeriodicJob]:
        return [job for job in self.jobs if job.key not in self.last or now - self.last[job.key] >= job.every]

    def tick(self, now: float, run: Callable[[PeriodicJob], None]) -> list[str]:
        """Run every due job through ``run``; the keys of those that ran."""
        ran = []
        for job in self.due(now):
            self.last[job.key] = now
            run(job)
            ran.append(job.key)
        return ran


def run_loop(schedule: Schedule, run: Callable[[PeriodicJob], None], *, keep_going: Callable[[], bool],
             clock: Callable[[], float] = time.monotonic, sleep: Callable[[float], None] = time.sleep) -> None:
    """``manage.py periodic --loop``: tick once a second while ``keep_going()``; before each tick drop a database
    connection the server closed (a PostgreSQL restart), so the next pass opens a fresh one."""
    schedule.tick(clock(), run)
    while keep_going():
        sleep(1)
        close_old_connections()
        schedule.tick(clock(), run)
