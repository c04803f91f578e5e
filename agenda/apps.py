from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from eventsite.apps import NavItem, NavSection


class AgendaConfig(AppConfig):
    name = "agenda"
    verbose_name = _("Agenda")
    default_auto_field = "django.db.models.BigAutoField"

    event_nav = [
        NavItem(_("Agenda"), "agenda:agenda", order=40, section=NavSection.AGENDA),
        NavItem(_("Edit the programme"), "agenda:edit", roles=frozenset({"organizer"}), order=41,
                section=NavSection.AGENDA),
        NavItem(_("Agenda control"), "agenda:control", roles=frozenset({"organizer"}), order=42,
                section=NavSection.AGENDA),
    ]

    activity_actions = {
        "agenda.room_created": _("Room added"),
        "agenda.room_updated": _("Room edited"),
        "agenda.room_deleted": _("Room deleted"),
        "agenda.speaker_created": _("Speaker added"),
        "agenda.speaker_updated": _("Speaker edited"),
        "agenda.speaker_deleted": _("Speaker deleted"),
        "agenda.session_created": _("Session added"),
        "agenda.session_updated": _("Session edited"),
        "agenda.session_deleted": _("Session deleted"),
    }

    def event_copy_parts(self):
        from eventsite.apps import CopyPart

        from .setup import copy_agenda

        return [CopyPart("agenda", _("Rooms and the agenda's sessions, moved to the new dates (no speakers)"),
                         copy_agenda, order=30)]

    def setup_checks(self, event):
        from .setup import setup_checks

        return setup_checks(event)

    def event_stats(self, event):
        from django.urls import reverse

        from eventsite.apps import Stat

        from .models import Session

        count = Session.objects.filter(event=event).exclude(status=Session.Status.CANCELLED).count()
        url = reverse("agenda:control", kwargs={"event_slug": event.slug})
        return [Stat(pgettext_lazy("agenda", "sessions"), count, url=url, order=40)]

    def official_report_sections(self, event):
        """This app's part of the official report and open data (reporting/)."""
        from .official_report import sessions_section

        return [sessions_section(event)]
