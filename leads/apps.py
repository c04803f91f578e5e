from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from eventsite.apps import InvitationRole, NavItem, NavSection

BOOTH_PEOPLE = frozenset({"exhibitor", "booth_staff"})
ORGANIZER = frozenset({"organizer"})


def _staff_label(invitation):
    from .services.staff import staff_label

    return staff_label(invitation)


def _accept_staff(*, invitation, user):
    from .services.staff import accept_staff_invitation

    return accept_staff_invitation(invitation=invitation, user=user)


class LeadsConfig(AppConfig):
    name = "leads"
    verbose_name = _("Lead capture")
    default_auto_field = "django.db.models.BigAutoField"

    event_nav = [
        NavItem(_("Booth leads"), "leads:list", roles=BOOTH_PEOPLE, order=46, section=NavSection.BOOTHS),
        NavItem(_("Booth visits"), "leads:report", roles=ORGANIZER, order=47, section=NavSection.BOOTHS),
    ]

    invitation_roles = {"booth_staff": InvitationRole(_staff_label, _accept_staff)}

    activity_actions = {
        "leads.lead_captured": _("Lead captured at a booth"),
        "leads.lead_updated": _("Lead edited"),
        "leads.staff_added": _("Booth staff added"),
        "leads.staff_removed": _("Booth staff removed"),
        "leads.settings_changed": _("Lead capture settings changed"),
    }

    def my_event_parts(self, event, user):
        """For a buyer: their consent and the booths that scanned them; for booth staff: the scan page."""
        from django.urls import reverse

        from eventsite.apps import MyPart
        from registration.models import Registration

        from .models import BoothStaff, Lead

        parts = []
        args = {"event_slug": event.slug}
        reg = Registration.objects.filter(event=event, user=user).order_by("-pk").first()
        if reg is not None:
            n = Lead.objects.filter(event=event, registration__user=user).count()
            lines = (str(_("Exhibitors may see your contact details.") if reg.contact_shared
                         else _("Exhibitors see only your name, organization and buyer type.")),
                     str(_("Booths that scanned your badge: %(n)s") % {"n": n}))
            parts.append(MyPart(_("Your details at the booths"), lines, reverse("leads:mine", kwargs=args),
                                _("Choose what exhibitors see"), order=45))
        booths = list(BoothStaff.objects.filter(event=event, user=user).select_related("booth"))
        if booths:
            parts.append(MyPart(_("Booth staff"), tuple(str(_("Booth %(code)s") % {"code": s.booth.code})
                                                       for s in booths),
                                reverse("leads:scan", kwargs=args), _("Scan badges"), order=46))
        return parts
