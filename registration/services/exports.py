"""CSV and XLSX exports of a registration list, safe to open in a spreadsheet.

A cell that starts with = + - @, a tab or a carriage return would be run as a formula by Excel or
LibreOffice (CSV injection); such cells get a leading apostrophe, which spreadsheets show as text."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable

from django.utils import timezone
from django.utils.translation import gettext as _

from catalog.ocop import ProductGroup
from eventsite.provinces import current_choices
from eventsite.spreadsheets import csv_bytes, xlsx_bytes

from ..models import Registration, RegistrationQuestion
from .columns import COLUMNS, EXPORT_ONLY
from .queries import RegistrationFilter, choice_labels, filter_registrations

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def export_table(registrations: Iterable[Registration],
                 questions: list[RegistrationQuestion]) -> tuple[list[str], list[list[str]]]:
    """Header and rows (typed values: text, and the registration time as a datetime) for the given registrations;
    the writers in ``eventsite.spreadsheets`` guard text against formulas and format dates."""
    groups = {value: str(label) for value, label in ProductGroup.choices}
    provinces = dict(current_choices())
    labels = choice_labels()
    yes, no = _("Yes"), _("No")
    headers = [str(label) for _f, label in COLUMNS + EXPORT_ONLY] + [q.label for q in questions]
    rows = []
    for r in registrations:
        answers = []
        for q in questions:
            value = r.answers.get(q.key)
            if isinstance(value, bool):
                value = yes if value else no
            answers.append(value)
        values = [
            r.full_name, r.email, r.phone, r.company, labels["role"].get(r.role, r.role),
            labels["buyer_type"].get(r.buyer_type, ""), r.job_title, provinces.get(r.province_code, ""),
            labels["status"].get(r.status, r.status), "; ".join(groups.get(g, g) for g in r.product_groups),
            r.needs, r.created_at,
            labels["source"].get(r.source, r.source), *answers,
        ]
        rows.append(values)
    return headers, rows


def render_csv(headers: list[str], rows: list[list]) -> bytes:
    return csv_bytes(headers, rows)


def render_xlsx(headers: list[str], rows: list[list], title: str) -> bytes:
    return xlsx_bytes(headers, rows, title=title or "Registrations")


# --- Background exports (eventsite.reports kinds "registrations_csv" and "registrations_xlsx") ----------------


def report_params(data) -> dict:
    """The list's filters, as the organizer had them when starting the export."""
    from ..forms import RegistrationFilterForm

    return dataclasses.asdict(RegistrationFilterForm(data or None).to_filter())


def _report_table(event, params: dict, progress: Callable[[int, int], None]):
    from . import registrations as svc

    known = {f.name for f in dataclasses.fields(RegistrationFilter)}
    registrations = filter_registrations(event, RegistrationFilter(**{k: v for k, v in params.items() if k in known}))
    total = registrations.count()
    progress(0, total)

    def counted():
        for done, registration in enumerate(registrations.iterator(chunk_size=1000), start=1):
            if done % 500 == 0:
                progress(done, total)
            yield registration
        progress(total, total)

    questions = list(svc.settings_for(event).questions.all())
    return export_table(counted(), questions)


def _report_name(event, fmt: str) -> str:
    return f"registrations-{event.slug}-{timezone.localtime():%Y%m%d-%H%M}.{fmt}"


def build_csv_report(event, params: dict, progress) -> tuple[bytes, str, str]:
    headers, rows = _report_table(event, params, progress)
    return render_csv(headers, rows), _report_name(event, "csv"), "text/csv; charset=utf-8"


def build_xlsx_report(event, params: dict, progress) -> tuple[bytes, str, str]:
    headers, rows = _report_table(event, params, progress)
    return render_xlsx(headers, rows, title=_("Registrations")), _report_name(event, "xlsx"), XLSX
