"""Keep a table's displayed booth code in step with the booth it stands at."""

from __future__ import annotations

from django.db.models.signals import post_save
from django.dispatch import receiver

from booths.models import Booth

from .models import MeetingTable


@receiver(post_save, sender=Booth, dispatch_uid="matchmaking-table-booth-code")
def _booth_saved(sender, instance: Booth, **kwargs) -> None:
    MeetingTable.objects.filter(booth=instance).exclude(booth_code=instance.code).update(booth_code=instance.code)
