"""Run the apps' periodic jobs (eventsite/periodic.py): follow-through requests, unpaid booth reservations, ...

``manage.py periodic`` runs every job once (cron: ``*/10 * * * *``) and exits non-zero when one failed;
``--loop`` keeps running them on their intervals until stopped (``make run`` and scale mode start it), and stops by
itself when the process that started it is gone. ``--only KEY`` runs the named jobs; ``--list`` names them all.
"""

from __future__ import annotations

import os
import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from eventsite.periodic import Schedule, run_loop, run_once, select_jobs


class Command(BaseCommand):
    help = "Run the periodic jobs (follow-through requests, unpaid reservations): once, or on their intervals."

    def add_arguments(self, parser):
        parser.add_argument("--loop", action="store_true", help="Keep running each job on its interval.")
        parser.add_argument("--only", action="append", default=[], metavar="KEY", help="Run only this job.")
        parser.add_argument("--list", action="store_true", help="Name the jobs and their intervals, run nothing.")
        parser.add_argument("--site", default="", help="Scheme and host the links in emails start with (SITE_URL).")

    def handle(self, *args, loop: bool, only: list[str], list: bool, site: str, **options):
        try:
            jobs = select_jobs(only)
        except KeyError as error:
            raise CommandError(error.args[0])
        if list:
            for job in jobs:
                self.stdout.write(f"{job.key}\tevery {job.every} s\t{job.label}")
            return
        site = (site or settings.SITE_URL).rstrip("/")
        verbose = options["verbosity"] >= 1
        failed: list[str] = []

        def run(job) -> None:
            try:
                outcome = run_once(job, site=site, wait=not loop)
            except Exception as error:  # the database may be restarting: log, go on, try again next interval
                failed.append(job.key)
                self.stderr.write(f"{job.key} failed: {type(error).__name__}: {error}")
                return
            if verbose:
                self.stdout.write(f"{job.key}: {outcome.summary}")

        schedule = Schedule(jobs)
        if loop:
            parent = os.getppid()
            # Until the process that started us (make run, scale mode) is gone.
            run_loop(schedule, run, keep_going=lambda: os.getppid() == parent)
            return
        schedule.tick(time.monotonic(), run)
        if failed:
            raise CommandError(f"failed: {', '.join(failed)}")
