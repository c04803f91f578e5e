"""Ask the parties of signed agreements for their follow-through reports when a check point falls due.

One pass of the ``followup`` periodic job (agreements/apps.py), for cron or by hand; ``manage.py periodic --loop``
(what ``make run`` and scale mode start) runs the same job every 10 minutes. Idempotent: a second run, or a second
copy running at the same moment, sends nothing twice (services/followup_job.py).
"""

from __future__ import annotations

from django.conf import settings
from django.core.management.base import BaseCommand

from agreements.services.followup_job import periodic_followup
from eventsite.periodic import wait_for_thread_tasks


class Command(BaseCommand):
    help = "Send the follow-through requests that are due (safe to run often and in parallel)."

    def add_arguments(self, parser):
        parser.add_argument("--site", default="", help="Scheme and host the links start with (SITE_URL).")

    def handle(self, *args, site: str, **options):
        outcome = periodic_followup(site=(site or settings.SITE_URL).rstrip("/"))
        wait_for_thread_tasks(outcome.tasks)
        if options["verbosity"] >= 1:
            self.stdout.write(f"followup_due: {outcome.summary}")
