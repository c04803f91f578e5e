"""Registration's part of the official report and open data: buyers by type."""

from __future__ import annotations

from django.db.models import Count
from django.utils.translation import gettext as _

from eventsite.apps import ReportFigure, ReportSection

from .models import BuyerType, Registration, RegistrationRole, RegistrationStatus

NOT_STATED = "not_stated"


def buyers_section(event) -> ReportSection:
    """Approved buyer registrations by buyer type (every type listed, zero included; a blank type is "not
    stated"). One query."""
    counts = dict(Registration.objects.filter(event=event, role=RegistrationRole.BUYER,
                                              status=RegistrationStatus.APPROVED)
                  .order_by().values_list("buyer_type").annotate(n=Count("id")).values_list("buyer_type", "n"))
    total = sum(counts.values())
    rows = [(value, str(label), counts.get(value, 0)) for value, label in BuyerType.choices]
    rows.append((NOT_STATED, _("Type not stated"), counts.get("", 0)))
    figures = (ReportFigure("buyers.total", _("Buyers approved to attend"), total),
               *(ReportFigure(f"buyers.type.{value}", label, n) for value, label, n in rows))
    listed = "; ".join(f"{label}: {n}" for _value, label, n in rows if n)
    sentence = (_("%(n)d buyers were approved to attend (%(types)s).") % {"n": total, "types": listed} if total
                else _("No buyer was approved to attend."))
    return ReportSection("buyers", _("Buyers"), (sentence,), figures, order=30)
