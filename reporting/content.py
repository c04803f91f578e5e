"""The content of an event's official report ("Báo cáo kết quả Hội nghị …"), built once and laid out twice.

One content builder, two renderers: ``build_report(event)`` gathers the organizer's text (OfficialReportText) and
every app's figures (the ``official_report_sections`` hook, eventsite/apps.py) into an ``OfficialReport``;
``docx_report.render_docx`` and ``pdf_report.render_pdf`` lay that same object out per Decree 30/2020/NĐ-CP, so
the DOCX and the PDF cannot say different things. This module imports no domain app: the apps hand their sections in.

Follow-through ("what became of the agreements after signing") has its own slot: ``follow_through`` holds the
sections of the ``follow_through_sections`` hook. No app provides it yet, so the slot is empty and the report prints
no follow-through part at all (never a placeholder figure); the app that tracks follow-through fills it by defining
the hook on its AppConfig, and the report and open data pick it up with no change here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.utils import timezone, translation
from django.utils.translation import gettext as _

from eventsite.apps import ReportSection, collect_follow_through_sections, collect_report_sections
from eventsite.provinces import current_name

from .models import OfficialReportText

MOTTO_NATION = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
MOTTO = "Độc lập - Tự do - Hạnh phúc"
# The document is in Vietnamese by law (Decree 30), whatever the organizer's language: its fixed words are constants.
TITLE = "BÁO CÁO"
RECIPIENTS_HEADING = "Nơi nhận:"
TABLE_HEADER = ("Chỉ tiêu", "Số lượng")
ROMAN = ("I", "II", "III", "IV", "V", "VI", "VII", "VIII")


@dataclass(frozen=True)
class Part:
    """A numbered part of the body (I., II. …): its heading, paragraphs and the apps' numbered sub-sections."""

    heading: str
    paragraphs: tuple[str, ...] = ()
    sections: tuple[ReportSection, ...] = ()


@dataclass(frozen=True)
class OfficialReport:
    """Everything the two renderers print, already in the document's language (Vietnamese: the decree's)."""

    parent_body: str  # printed in capitals above the issuing body; may be empty
    issuing_body: str
    number_line: str  # "Số: 12/BC-SCT" (the number may be left blank for the clerk)
    place_date: str  # "Cà Mau, ngày 7 tháng 12 năm 2026"
    title: str  # "BÁO CÁO"
    subject: str
    opening: tuple[str, ...]
    parts: tuple[Part, ...]
    closing: str
    recipients_heading: str
    recipients: tuple[str, ...]
    signer_position: tuple[str, ...]  # one line each (e.g. "KT. GIÁM ĐỐC", "PHÓ GIÁM ĐỐC")
    signer_name: str
    document_title: str  # the file's metadata title


def place_date_line(place: str, day: date) -> str:
    """Decree 30's place and date line, "Cà Mau, ngày 07 tháng 12 năm 2026": a day below 10 and the months 1 and 2
    take a leading 0."""
    day_text = f"{day.day:02d}" if day.day < 10 else str(day.day)
    month_text = f"{day.month:02d}" if day.month < 3 else str(day.month)
    return f"{place}, ngày {day_text} tháng {month_text} năm {day.year}"


def count_text(value: int) -> str:
    """1234 → "1.234" (Vietnamese digit grouping)."""
    return f"{value:,}".replace(",", ".")


def shown_figures(section: ReportSection) -> tuple:
    """The rows of a section's table in the report: the figures that are not zero (open data keeps every key, zero
    included; a report listing "0" for every buyer type nobody came as is noise)."""
    return tuple(figure for figure in section.figures if figure.value)


def lines(text: str) -> tuple[str, ...]:
    return tuple(line.strip() for line in (text or "").splitlines() if line.strip())


def text_for(event) -> OfficialReportText:
    """The organizer's saved text, or an unsaved one with the defaults."""
    return OfficialReportText.objects.filter(event=event).first() or OfficialReportText(event=event)


def default_subject(event) -> str:
    """ "Kết quả Hội nghị <name>", without saying "Hội nghị" twice when the name starts with it."""
    if event.name.lower().startswith("hội nghị"):
        return f"Kết quả {event.name}"
    return f"Kết quả Hội nghị {event.name}"


def build_report(event, text: OfficialReportText | None = None) -> OfficialReport:
    """The report of ``event``: the organizer's text (blank fields take the event's defaults) around the apps'
    figures, in Vietnamese whatever the organizer's language (it goes to the state's administration). Each app's
    sections run a few GROUP BY queries, whatever the size of the event."""
    with translation.override("vi"):
        return _build(event, text or text_for(event))


def _build(event, text: OfficialReportText) -> OfficialReport:
    issuing = text.issuing_body.strip() or event.organizer.name
    place = text.place.strip() or current_name(event.province_code) or event.province_at_event
    day = text.date or timezone.localdate()
    number = text.number.strip() or "\u00a0" * 6  # blank space for the clerk's number
    results = tuple(s for s in collect_report_sections(event) if s.sentences or s.figures)
    follow_through = tuple(collect_follow_through_sections(event))
    parts = [Part(_("RESULTS OF THE EVENT"), sections=results)]
    if follow_through:
        parts.append(Part(_("FOLLOW-THROUGH OF THE AGREEMENTS SO FAR"), sections=follow_through))
    if lines(text.assessment):
        parts.append(Part(_("ASSESSMENT"), lines(text.assessment)))
    if lines(text.proposals):
        parts.append(Part(_("PROPOSALS AND RECOMMENDATIONS"), lines(text.proposals)))
    parts = [Part(f"{ROMAN[i]}. {p.heading}", p.paragraphs, p.sections) for i, p in enumerate(parts)]
    subject = text.subject.strip() or default_subject(event)
    return OfficialReport(
        parent_body=text.parent_body.strip().upper(),
        issuing_body=issuing.upper(),
        number_line=f"Số: {number}/{text.symbol.strip()}" if text.symbol.strip() else f"Số: {number}",
        place_date=place_date_line(place, day),
        title=TITLE,
        subject=subject,
        opening=lines(text.opening),
        parts=tuple(parts),
        closing=_("The above is the report on %(subject)s by %(issuing)s./.") % {
            "subject": subject[:1].lower() + subject[1:], "issuing": issuing},
        recipients_heading=RECIPIENTS_HEADING,
        recipients=lines(text.recipients) or ("- Lưu: VT.",),
        signer_position=tuple(line.upper() for line in lines(text.signer_position)),
        signer_name=text.signer_name.strip(),
        document_title=f"Báo cáo – {subject}",
    )
