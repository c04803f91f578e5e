from django.core.management.base import BaseCommand

from matchmaking.services.requests import expire_stale_requests


class Command(BaseCommand):
    help = "Mark unanswered meeting requests past their expiry as expired (pages also do this as they load)."

    def handle(self, *args, **options):
        count = expire_stale_requests()
        self.stdout.write(f"{count} meeting requests expired")
