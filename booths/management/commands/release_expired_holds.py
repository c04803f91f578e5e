"""Release expired booth holds and offer the booths to the waitlist (run every minute from cron/systemd).

Expired holds already count as free everywhere; this sweep makes the waitlist offers happen without
waiting for the next booking attempt on the booth, and updates live plans.
"""

from django.core.management.base import BaseCommand

from booths.models import Booking, BookingStatus
from booths.services.booking import release_expired_holds


class Command(BaseCommand):
    help = "Release expired booth holds (all events) and offer freed booths to waitlisted exhibitors."

    def handle(self, *args, **options):
        event_ids = (Booking.objects.filter(status=BookingStatus.HELD).values_list("event_id", flat=True)
                     .distinct())
        total = sum(release_expired_holds(event_id=event_id) for event_id in list(event_ids))
        self.stdout.write(f"released {total} expired holds")
