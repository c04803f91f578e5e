"""Release reservations whose booth fee was not paid by the deadline the organizer set, and offer the booths to
the waitlist. One pass of the ``release_unpaid`` periodic job (booths/apps.py), for cron or by hand;
``manage.py periodic --loop`` (what ``make run`` and scale mode start) runs it every 5 minutes."""

from django.core.management.base import BaseCommand

from booths.services.booking import events_with_unpaid_due, release_all_unpaid_reservations


class Command(BaseCommand):
    help = "Release unpaid booth reservations past their payment deadline (all events) and offer the booths."

    def add_arguments(self, parser):
        parser.add_argument("--queue", action="store_true",
                            help="Enqueue one background task per event instead of releasing here.")

    def handle(self, *args, queue=False, **options):
        if queue:
            from booths.tasks import release_unpaid_reservations as task

            event_ids = events_with_unpaid_due()
            for event_id in event_ids:
                task.enqueue(event_id)
            self.stdout.write(f"queued {len(event_ids)} events")
            return
        self.stdout.write(f"released {release_all_unpaid_reservations()} unpaid reservations")
