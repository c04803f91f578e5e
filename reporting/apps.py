from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from eventsite.apps import NavItem, NavSection, ReportKind


class ReportingConfig(AppConfig):
    """The department's official report (DOCX and PDF per Decree 30/2020/NĐ-CP) and the event's open data.

    It imports no domain app: each app hands in its figures through ``official_report_sections(event)`` (and,
    for what happened after signing, ``follow_through_sections(event)``) on its AppConfig (eventsite/apps.py).
    """

    name = "reporting"
    verbose_name = _("Official report and open data")
    default_auto_field = "django.db.models.BigAutoField"

    event_nav = [NavItem(_("Official report"), "reporting:official_report", roles=frozenset({"organizer"}),
                         order=90, section=NavSection.REPORTS)]

    activity_actions = {"reporting.text_saved": _("Official report text saved")}

    def ready(self) -> None:
        from . import checks  # noqa: F401  (warns when the PDF font is missing)

    def report_kinds(self) -> dict[str, ReportKind]:
        from .services import build_docx, build_pdf

        return {
            "official_report_docx": ReportKind(_("Official report (Word DOCX)"), build_docx),
            "official_report_pdf": ReportKind(_("Official report (PDF)"), build_pdf),
        }
