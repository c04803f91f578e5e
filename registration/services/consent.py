"""A buyer's consent to show their contact details to the exhibitors who scan their badge at a booth.

Vietnam's Decree 13/2023/NĐ-CP on personal data protection asks for consent that is specific, given freely, and
provable later: each answer is stored with its time and the exact wording shown (``ContactConsent``), and can be
withdrawn as easily as it was given. The current answer sits on the registration (``contact_shared``), so that
whoever shows a lead reads it with the lead and a withdrawal takes effect everywhere at once.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from eventsite.activity import log_action
from eventsite.models import User

from ..models import ContactConsent, Registration

CONTACT_CONSENT_LABEL = _("I agree to share my contact details with the exhibitors who scan my badge")
CONTACT_CONSENT = _(
    "I agree that exhibitors whose staff scan my badge at their booth may see my email address, phone number "
    "and job title, to follow up on what I was interested in. Without this, they see only my name, my "
    "organization and my buyer type. I can withdraw this at any time on my page for the event "
    "(Decree 13/2023/NĐ-CP on personal data protection)."
)


def consent_wording() -> str:
    """What the person saw, as stored with each answer: the checkbox's label and the explanation under it."""
    return f"{CONTACT_CONSENT_LABEL}\n{CONTACT_CONSENT}"


def set_contact_consent(*, registration: Registration, shared: bool, actor: User | None) -> ContactConsent:
    """Record the buyer's answer with its wording and time, and make it the current one."""
    with transaction.atomic():
        answer = ContactConsent.objects.create(
            registration=registration, shared=bool(shared), wording=consent_wording(),
            language=translation.get_language() or "vi", given_at=timezone.now(),
            given_by=actor if getattr(actor, "is_authenticated", False) else None)
        Registration.objects.filter(pk=registration.pk).update(contact_shared=answer.shared)
        registration.contact_shared = answer.shared
        log_action(action="registration.contact_consent", obj=registration, actor=answer.given_by,
                   after={"contact_shared": answer.shared})
    return answer
