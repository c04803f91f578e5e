"""Release reservations whose booth fee was not paid by the deadline the organizer set, and offer the booths to
the waitlist (run hourly from cron/systemd, or enqueue ``booths.tasks.release_unpaid_reservations``)."""

from django.core.management.base import BaseCommand
from django.utils import timezone

from booths.models import BookingStatus, PaymentRequest, PaymentStatus
from booths.services.booking import release_unpaid_reservations


class Command(BaseCommand):
    help = "Release unpaid booth reservations past their payment deadline (all events) and offer the booths."

    def add_arguments(self, parser):
        parser.add_argument("--queue", action="store_true",
                            help="Enqueue one background task per event instead of releasing here.")

    def handle(self, *args, queue=False, **options):
        event_ids = list(PaymentRequest.objects.filter(
            status=PaymentStatus.OPEN, due_at__lte=timezone.now(), booking__status=BookingStatus.RESERVED)
            .values_list("event_id", flat=True).distinct())
        if queue:
            from booths.tasks import release_unpaid_reservations as task

            for event_id in event_ids:
                task.enqueue(event_id)
            self.stdout.write(f"queued {len(event_ids)} events")
            return
        total = sum(release_unpaid_reservations(event_id=event_id) for event_id in event_ids)
        self.stdout.write(f"released {total} unpaid reservations")
