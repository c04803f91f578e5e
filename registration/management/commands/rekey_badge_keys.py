"""Re-encrypt every event's badge signing key with the current ``KETNOI_BADGE_KEY_SECRET``.

Run after a rotation (the old secret still listed in ``KETNOI_BADGE_KEY_FALLBACKS``); afterwards the old secret can
be dropped from the fallbacks. Keys and badges do not change, only how the private keys are stored.
"""

from django.core.management.base import BaseCommand, CommandError

from registration.services.tokens import rekey_all


class Command(BaseCommand):
    help = "Re-encrypt every badge signing key with the current KETNOI_BADGE_KEY_SECRET (after a rotation)."

    def handle(self, *args, **options):
        done, failed = rekey_all()
        self.stdout.write(f"re-encrypted {done} badge signing keys")
        if failed:
            raise CommandError(f"{failed} keys decrypt with no configured secret: add the secret they were "
                               "encrypted with to KETNOI_BADGE_KEY_FALLBACKS and run this again")
