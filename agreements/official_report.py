"""The agreements' part of the official report and open data: agreements by type and the report's sentence
("34 biên bản hợp tác giữa doanh nghiệp với 8 nhà phân phối"), from the tally (services/tally.py)."""

from __future__ import annotations

from django.utils.translation import gettext as _

from eventsite.apps import ReportFigure, ReportSection
from eventsite.templatetags.ketnoi import format_vnd

from .models import Agreement
from .services.tally import dashboard


def agreements_section(event) -> ReportSection:
    """Counted agreements (verified, not cancelled) by type, every type listed; N business agreements with M
    distributors. The estimated value is only in a sentence: sentences go to the organizer's report, never to open
    data, which carries counts like the public tally page."""
    board = dashboard(event)
    by_kind = {row.key: row.count for row in board.by_kind}
    n, m = board.business_with_distributors
    figures = (
        ReportFigure("agreements.total", _("Cooperation agreements signed"), board.total_count),
        *(ReportFigure(f"agreements.kind.{kind}", str(label).replace("↔", "–"), by_kind.get(kind, 0))
          for kind, label in Agreement.Kind.choices),
        ReportFigure("agreements.business_with_distributors", _("Agreements between businesses and distributors"),
                     n),
        ReportFigure("agreements.distributors", _("Distributors and retail chains signing with businesses"), m),
    )
    sentences = [_("%(n)d cooperation agreements were signed.") % {"n": board.total_count}]
    if n:
        sentences.append(_("%(n)d cooperation agreements between businesses and %(m)d distributors.")
                         % {"n": n, "m": m})
    if board.total_value:
        sentences.append(_("Their estimated total value is %(value)s.") % {"value": format_vnd(board.total_value)})
    sentences.append(_("Only verified agreements that are not cancelled are counted."))
    return ReportSection("agreements", _("Cooperation agreements"), tuple(sentences), figures, order=60)


def follow_through_section(event) -> ReportSection:
    """What became of the counted agreements after signing (services/followup_board.py): how many reported orders
    or regular supply, by type; values only in sentences (the organizer's report), counts in figures (open data)."""
    from .services.followup_board import followup_board

    board = followup_board(event)
    total = board.total
    by_kind = {row.key: row for row in board.by_kind}
    figures = (
        ReportFigure("follow_through.agreements", _("Agreements followed up"), total.count),
        ReportFigure("follow_through.reported", _("Agreements with at least one follow-through report"),
                     board.reported),
        ReportFigure("follow_through.implemented", _("Agreements carried out (orders or regular supply)"),
                     total.implemented),
        *(ReportFigure(f"follow_through.implemented.{kind}", str(label).replace("↔", "–"),
                       by_kind[kind].implemented if kind in by_kind else 0)
          for kind, label in Agreement.Kind.choices),
    )
    sentences = [_("Of the %(n)d agreements signed, %(reported)d have reported on their follow-through and "
                   "%(done)d have been carried out (orders placed or regular supply).")
                 % {"n": total.count, "reported": board.reported, "done": total.implemented}]
    if total.realized:
        sentences.append(_("Orders reported so far are worth %(realized)s, against %(announced)s announced at "
                           "signing.") % {"realized": format_vnd(total.realized),
                                          "announced": format_vnd(total.announced)})
    return ReportSection("follow_through", _("Follow-through of the signed agreements"), tuple(sentences), figures,
                         order=70)
