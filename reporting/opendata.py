"""Open data: an event's result figures as JSON and CSV for the province's open-data portal (docs/open-data.md).

The figures are the ``figures`` of the same sections the official report prints (reporting/content.py gathers
them from the apps), so the two never disagree. Counts only: no person's name, email or phone, no agreement values,
no organization named. The schema is versioned (``SCHEMA_VERSION``); keys are never renamed, new ones may be added
in a minor version. Follow-through figures have their slot (``follow_through``), filled from the apps'
``follow_through_sections`` hook, empty until an app provides it.
"""

from __future__ import annotations

import csv
import io
import json

from django.utils import timezone, translation

from eventsite.apps import ReportSection, collect_follow_through_sections, collect_report_sections
from eventsite.provinces import current_name
from eventsite.spreadsheets import neutralise_cell

SCHEMA = "ketnoi-event-results"
SCHEMA_VERSION = "1.1"  # 1.1: follow-through records (docs/open-data.md)
CSV_COLUMNS = ("schema_version", "event", "part", "section", "key", "label", "value")


def _records(sections: list[ReportSection], part: str) -> list[dict]:
    return [{"part": part, "section": section.key, "key": figure.key, "label": str(figure.label),
             "value": int(figure.value)} for section in sections for figure in section.figures]


def open_data(event) -> dict:
    """The document behind both formats, labels in Vietnamese (the portal's language)."""
    with translation.override("vi"):
        results = _records(collect_report_sections(event), "results")
        follow_through = _records(collect_follow_through_sections(event), "follow_through")
        return {
            "schema": SCHEMA,
            "schema_version": SCHEMA_VERSION,
            "generated_at": timezone.now().replace(microsecond=0).isoformat(),
            "event": {
                "slug": event.slug,
                "name": event.name,
                "organizer": event.organizer.name,
                "province_code": event.province_code,
                "province": current_name(event.province_code),
                "province_at_event": event.province_at_event,
                "venue": event.venue,
                "starts_on": timezone.localtime(event.starts_at).date().isoformat(),
                "ends_on": timezone.localtime(event.ends_at).date().isoformat(),
            },
            "results": results,
            "follow_through": follow_through,
        }


def as_json(data: dict) -> bytes:
    return json.dumps(data, ensure_ascii=False, indent=2).encode()


def as_csv(data: dict) -> bytes:
    """One row per figure, results then follow-through; UTF-8 with a BOM so Excel reads the Vietnamese labels."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    for record in [*data["results"], *data["follow_through"]]:
        writer.writerow([data["schema_version"], neutralise_cell(data["event"]["slug"]), record["part"],
                         record["section"], record["key"], neutralise_cell(record["label"]), record["value"]])
    return ("\ufeff" + out.getvalue()).encode()
