"""The parts of an event's official report that the organizer writes (the figures come from the apps)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from eventsite.models import Event


class OfficialReportText(models.Model):
    """One per event: the free text, number and signature of the "Báo cáo kết quả Hội nghị …", saved before the
    DOCX and PDF are made. Blank fields take defaults from the event (reporting/content.py)."""

    event = models.OneToOneField(Event, on_delete=models.CASCADE, related_name="official_report_text")
    parent_body = models.CharField(
        _("governing body"), max_length=200, blank=True,
        help_text=_("The body above the issuing one, printed above it in capitals, e.g. UBND TỈNH CÀ MAU. "
                    "Leave empty if there is none."))
    issuing_body = models.CharField(
        _("issuing body"), max_length=200, blank=True,
        help_text=_("Empty: the event's organizer."))
    number = models.CharField(
        _("number"), max_length=20, blank=True,
        help_text=_("Empty: left blank for the clerk to fill in when the report is registered."))
    symbol = models.CharField(_("symbol"), max_length=40, default="BC-SCT",
                              help_text=_("Printed after the number, e.g. BC-SCT for Số: 12/BC-SCT."))
    place = models.CharField(_("place"), max_length=100, blank=True,
                             help_text=_("Empty: the province the event is in today."))
    date = models.DateField(_("date of the report"), null=True, blank=True, help_text=_("Empty: the day it is made."))
    subject = models.CharField(_("subject"), max_length=300, blank=True,
                               help_text=_("Empty: Kết quả Hội nghị followed by the event's name."))
    opening = models.TextField(_("opening"), blank=True,
                               help_text=_("Why and how the event was held. One paragraph per line."))
    assessment = models.TextField(_("assessment"), blank=True,
                                  help_text=_("What went well, what did not. One paragraph per line."))
    proposals = models.TextField(_("proposals"), blank=True,
                                 help_text=_("Proposals and recommendations. One paragraph per line."))
    recipients = models.TextField(_("recipients"), blank=True,
                                  help_text=_("One recipient per line, e.g. UBND tỉnh (b/c);"))
    signer_position = models.CharField(_("signer's position"), max_length=150, blank=True,
                                       help_text=_("e.g. GIÁM ĐỐC, or KT. GIÁM ĐỐC on one line and PHÓ GIÁM ĐỐC "
                                                   "on the next."))
    signer_name = models.CharField(_("signer's name"), max_length=150, blank=True)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+")

    class Meta:
        verbose_name = _("official report text")
        verbose_name_plural = _("official report texts")

    def __str__(self) -> str:
        return str(self.event)
