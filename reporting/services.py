"""Saving the organizer's text of the official report and starting its DOCX and PDF."""

from __future__ import annotations

from django.db import transaction

from eventsite import reports
from eventsite.activity import log_action

from .models import OfficialReportText

KINDS = ("official_report_docx", "official_report_pdf")


def save_report_text(*, form, event, actor) -> OfficialReportText:
    """Save the organizer's text (one per event) and log it."""
    with transaction.atomic():
        text = form.save(commit=False)
        text.event = event
        text.updated_by = actor
        text.save()
        log_action(actor=actor, event=event, action="reporting.text_saved", obj=text)
    return text


def start_official_report(*, event, kind: str, requested_by):
    """Queue the DOCX or PDF as a background report job: the file lands in private storage and organizers of the
    event download it through the reports' permission-checked view."""
    if kind not in KINDS:
        raise reports.UnknownReport(kind)
    return reports.start(event=event, kind=kind, requested_by=requested_by, language="vi")


def build_docx(event, params: dict, progress) -> tuple[bytes, str, str]:
    """Report kind "official_report_docx" (eventsite.reports)."""
    from .content import build_report
    from .docx_report import render_docx

    return (render_docx(build_report(event)), f"{event.slug}-bao-cao-ket-qua.docx",
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document")


def build_pdf(event, params: dict, progress) -> tuple[bytes, str, str]:
    """Report kind "official_report_pdf" (eventsite.reports)."""
    from .content import build_report
    from .pdf_report import render_pdf

    return render_pdf(build_report(event)), f"{event.slug}-bao-cao-ket-qua.pdf", "application/pdf"
