"""Spreadsheet exports (XLSX, CSV) that cannot smuggle formulas into Excel, and the printable PDF report."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Count, Prefetch, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from eventsite.provinces import current_name
from eventsite.spreadsheets import csv_bytes, xlsx_bytes

from ..models import Agreement, AgreementParty, Signatory


def export_queryset(qs: QuerySet[Agreement]) -> QuerySet[Agreement]:
    return qs.select_related("event", "ceremony_session").prefetch_related(
        Prefetch("parties", queryset=AgreementParty.objects.select_related("organization").prefetch_related(
            Prefetch("signatories", queryset=Signatory.objects.order_by("id")))),
        "product_groups",
    ).order_by("signed_at", "id")


def header() -> list[str]:
    return [_("No."), _("Title"), _("Kind"), _("Parties"), _("Signatories"), _("Product groups"),
            _("Estimated value (VND)"), _("Volume"), _("Term"), _("Signed at"), _("Signing-ceremony session"),
            _("Partner province"), _("Status"), _("Verification"), _("Scan SHA-256")]


def rows(agreements: Iterable[Agreement]) -> Iterable[list]:
    for i, a in enumerate(agreements, start=1):
        parties = list(a.parties.all())
        yield [
            i,
            a.title,
            a.get_kind_display(),
            "; ".join(f"{p.organization.name} ({p.get_role_display()})" for p in parties),
            "; ".join(f"{s.name}{', ' + s.title if s.title else ''}" for p in parties for s in p.signatories.all()),
            ", ".join(g.get_group_display() for g in a.product_groups.all()),
            a.estimated_value,
            a.volume,
            a.term,
            a.signed_at,
            _session(a.ceremony_session),
            current_name(a.partner_province_code),
            a.get_status_display(),
            a.get_verification_display(),
            a.scan_sha256,
        ]


def _session(session) -> str:
    if session is None:
        return ""
    return f"{session.title} ({timezone.localtime(session.starts_at):%d/%m/%Y %H:%M})"


def to_csv(agreements: Iterable[Agreement]) -> bytes:
    return csv_bytes(header(), rows(agreements))


def to_xlsx(agreements: Iterable[Agreement]) -> bytes:
    return xlsx_bytes(header(), rows(agreements), title=_("Agreements"),
                      widths=(6, 50, 30, 60, 40, 30, 20, 20, 15, 17, 40, 22, 15, 18, 20))


def participant_counts(event) -> dict[str, int]:
    from eventsite.models import EventRole

    return dict(EventRole.objects.filter(event=event).values_list("role").annotate(n=Count("id"))
                .values_list("role", "n"))


# --- Background exports (eventsite.reports kinds "agreements_csv" and "agreements_xlsx") ---------------------

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _agreements(event, progress):
    qs = export_queryset(Agreement.objects.filter(event=event))
    total = qs.count()
    progress(0, total)
    agreements = list(qs)
    return agreements, total


def _name(event, ext: str) -> str:
    return f"{event.slug}-agreements-{timezone.localdate():%Y%m%d}.{ext}"


def build_csv_report(event, params: dict, progress) -> tuple[bytes, str, str]:
    agreements, total = _agreements(event, progress)
    content = to_csv(agreements)
    progress(total, total)
    return content, _name(event, "csv"), "text/csv; charset=utf-8"


def build_xlsx_report(event, params: dict, progress) -> tuple[bytes, str, str]:
    agreements, total = _agreements(event, progress)
    content = to_xlsx(agreements)
    progress(total, total)
    return content, _name(event, "xlsx"), XLSX
