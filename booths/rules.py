"""Booth-fee permissions as django-rules predicates: a payment request is seen by the event's organizers and by
the exhibitor who owes it (their application is the booking's), nobody else."""

from __future__ import annotations

import rules

from eventsite.rules import is_organizer

from .selectors import application_of


@rules.predicate
def is_payer(user, request) -> bool:
    if request is None:
        return False
    application = application_of(user, request.event)
    return application is not None and application.pk == request.booking.application_id


may_see_payment = is_organizer | is_payer

rules.add_perm("booths.view_payment", may_see_payment)
