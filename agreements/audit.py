"""The actions on an agreement's record that the activity log keeps (no model of its own: ``eventsite.ActivityEntry``
with the agreement as its object). Kept apart from the models so the app's config can label them."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditAction(models.TextChoices):
    """What happened to an agreement's record, as written in the activity log (``eventsite.ActivityEntry``, the
    agreement as its object; ``agreements.services.entry`` writes them). Parties of the agreement read these on
    its page; organizers also read the follow-through entries."""

    CREATED = "agreements.created", _("Created")
    SUBMITTED = "agreements.submitted", _("Submitted")
    UPDATED = "agreements.updated", _("Edited")
    VERIFIED = "agreements.verified", _("Verified")
    REJECTED = "agreements.rejected", _("Rejected")
    STATUS = "agreements.status", _("Status changed")
    CANCELLED = "agreements.cancelled", _("Cancelled")
    SCAN = "agreements.scan", _("Scan attached")
