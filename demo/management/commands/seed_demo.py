from django.core.management.base import BaseCommand
from django.db import transaction

from demo.seeds import run_all


class Command(BaseCommand):
    help = "Build the demo event (Cà Mau OCOP supply–demand conference). Safe to run again: it changes nothing."

    def handle(self, *args, **options):
        with transaction.atomic():
            ctx = run_all(stdout=self.stdout)
        self.stdout.write(self.style.SUCCESS(f"Demo event ready: http://127.0.0.1:8000/e/{ctx.event.slug}/"))
        self.stdout.write(f"Demo logins (password for all: {ctx.password}):")
        for role, email in ctx.logins:
            self.stdout.write(f"  {role:<12} {email}")
