"""Ask the parties of signed agreements for their follow-through reports when a check point falls due.

Idempotent: run it from cron (``*/10 * * * * manage.py followup_due``) or let it loop beside the task worker
(``manage.py followup_due --loop``, what ``make run`` and scale mode start). A second run, or a second copy running
at the same moment, sends nothing twice (services/followup_job.py).
"""

from __future__ import annotations

import os
import time

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import close_old_connections

from agreements.services.followup_job import run_followup_job


def wait_for_threads(results, timeout: float = 600) -> None:
    """With the embedded thread backend the emails go out from this process's threads: wait for them, so a
    one-shot run (cron) does not exit before they are sent. The database backend's db_worker sends instead."""
    from django_tasks import DEFAULT_TASK_BACKEND_ALIAS, task_backends
    from django_tasks.base import TaskResultStatus

    from eventsite.task_backends import ThreadBackend

    if not isinstance(task_backends[DEFAULT_TASK_BACKEND_ALIAS], ThreadBackend):
        return
    deadline = time.monotonic() + timeout
    for result in results:
        while result.status in (TaskResultStatus.READY, TaskResultStatus.RUNNING) and time.monotonic() < deadline:
            time.sleep(0.1)
            result.refresh()


class Command(BaseCommand):
    help = "Send the follow-through requests that are due (safe to run often and in parallel)."

    def add_arguments(self, parser):
        parser.add_argument("--loop", action="store_true", help="Run again every --every seconds until stopped.")
        parser.add_argument("--every", type=int, default=600, help="Seconds between runs with --loop (600).")
        parser.add_argument("--site", default="", help="Scheme and host the links start with (SITE_URL).")

    def handle(self, *args, loop: bool, every: int, site: str, **options):
        site = (site or settings.SITE_URL).rstrip("/")
        parent = os.getppid()
        while True:
            try:
                result = run_followup_job(site=site)
                wait_for_threads(result.tasks)
                if options["verbosity"] >= 1:
                    self.stdout.write(f"followup_due: {result.created} new, {result.claimed} handed to the worker")
            except Exception as error:  # a loop keeps going (the database may be restarting); cron sees the code
                if not loop:
                    raise
                self.stderr.write(f"followup_due failed: {type(error).__name__}: {error}")
            if not loop:
                return
            close_old_connections()  # between runs of a long-lived loop: drop a connection the database closed
            for _ in range(max(every, 1)):
                time.sleep(1)
                if os.getppid() != parent:  # the process that started us (make run, scale mode) is gone
                    return
