"""Import halls, zones and booths from CSV: parse and check everything first (the preview), then apply.

Columns: hall, zone, zone_theme, code, type, x, y, w, h, price (metres and whole đồng; zone and
zone_theme may be empty). Existing booths are matched by code and updated; nothing is deleted.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import F, Q
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from catalog.ocop import ProductGroup
from eventsite.activity import log_action, snapshot

from ..models import Booth, BoothKind, Hall, Zone

COLUMNS = ["hall", "zone", "zone_theme", "code", "type", "x", "y", "w", "h", "price"]
RESERVED_CODES = {"manage", "hold", "reserve", "cancel", "waitlist", "apply", "state.json"}
CODE_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,19}$")
MAX_ROWS = 3000
HALL_MARGIN = 2.0


@dataclass
class BoothRow:
    line: int
    hall: str
    zone: str
    zone_theme: str
    code: str
    kind: str
    x: float
    y: float
    w: float
    h: float
    price: int


@dataclass
class ImportPreview:
    rows: list[BoothRow] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return bool(self.rows) and not self.errors

    def halls(self) -> dict[str, tuple[float, float]]:
        sizes: dict[str, tuple[float, float]] = {}
        for r in self.rows:
            w, d = sizes.get(r.hall, (0.0, 0.0))
            sizes[r.hall] = (max(w, r.x + r.w), max(d, r.y + r.h))
        return sizes


def _number(raw: str, name: str, line: int, errors: list[str], *, minimum: float = 0) -> float:
    try:
        value = float(raw.replace(",", "."))
    except ValueError:
        errors.append(_("Line %(line)d: %(name)s “%(value)s” is not a number.") % {
            "line": line, "name": name, "value": raw})
        return 0.0
    if value < minimum:
        errors.append(_("Line %(line)d: %(name)s must be at least %(min)s.") % {
            "line": line, "name": name, "min": f"{minimum:g}"})
    return value


def parse_booths_csv(text: str) -> ImportPreview:
    """Check every row; nothing is written."""
    preview = ImportPreview()
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    missing = [c for c in COLUMNS if c not in (reader.fieldnames or [])]
    if missing:
        preview.errors.append(_("Missing columns: %(cols)s. Expected: %(expected)s.") % {
            "cols": ", ".join(missing), "expected": ", ".join(COLUMNS)})
        return preview
    kinds = {k.value for k in BoothKind}
    seen: dict[str, int] = {}
    for line, raw in enumerate(reader, start=2):
        if line - 1 > MAX_ROWS:
            preview.errors.append(_("Too many rows (at most %(n)d).") % {"n": MAX_ROWS})
            break
        row = {k: (raw.get(k) or "").strip() for k in COLUMNS}
        errors = preview.errors
        if not row["hall"]:
            errors.append(_("Line %(line)d: the hall is missing.") % {"line": line})
        code = row["code"]
        if not CODE_PATTERN.match(code) or code.lower() in RESERVED_CODES:
            errors.append(_("Line %(line)d: booth code “%(code)s” is not valid (letters, digits, - . _; "
                            "at most 20).") % {"line": line, "code": code})
        elif code in seen:
            errors.append(_("Line %(line)d: booth code %(code)s already used on line %(other)d.") % {
                "line": line, "code": code, "other": seen[code]})
        seen.setdefault(code, line)
        kind = row["type"] or BoothKind.STANDARD
        if kind not in kinds:
            errors.append(_("Line %(line)d: unknown booth type “%(kind)s” (use %(kinds)s).") % {
                "line": line, "kind": kind, "kinds": ", ".join(sorted(kinds))})
        theme = row["zone_theme"]
        if theme and theme not in ProductGroup.values:
            errors.append(_("Line %(line)d: unknown product group “%(theme)s”.") % {"line": line, "theme": theme})
        x = _number(row["x"], "x", line, errors)
        y = _number(row["y"], "y", line, errors)
        w = _number(row["w"], "w", line, errors, minimum=0.5)
        h = _number(row["h"], "h", line, errors, minimum=0.5)
        price = _number(row["price"], _("price"), line, errors)
        preview.rows.append(BoothRow(line, row["hall"][:100], row["zone"][:100], theme, code, kind, x, y, w, h,
                                     int(price)))
    _check_overlaps(preview)
    return preview


def _check_overlaps(preview: ImportPreview) -> None:
    by_hall: dict[str, list[BoothRow]] = {}
    for r in preview.rows:
        by_hall.setdefault(r.hall, []).append(r)
    for rows in by_hall.values():
        rows.sort(key=lambda r: r.x)
        for i, a in enumerate(rows):
            for b in rows[i + 1:]:
                if b.x >= a.x + a.w - 1e-6:
                    break
                if a.y < b.y + b.h - 1e-6 and b.y < a.y + a.h - 1e-6:
                    preview.errors.append(_("Lines %(a)d and %(b)d: booths %(ca)s and %(cb)s overlap.") % {
                        "a": a.line, "b": b.line, "ca": a.code, "cb": b.code})


def import_booths(*, event, preview: ImportPreview) -> tuple[int, int]:
    """Apply a checked preview: create or update halls, zones and booths. Returns (created, updated)."""
    if not preview.ok:
        raise ValueError("import an error-free preview only")
    created = updated = 0
    with transaction.atomic():
        halls: dict[str, Hall] = {}
        for name, (width, depth) in preview.halls().items():
            hall, _new = Hall.objects.get_or_create(
                event=event, name=name,
                defaults={"width_m": width + HALL_MARGIN, "depth_m": depth + HALL_MARGIN,
                          "order": Hall.objects.filter(event=event).count()})
            if hall.width_m < width or hall.depth_m < depth:
                hall.width_m, hall.depth_m = max(hall.width_m, width + HALL_MARGIN), max(hall.depth_m,
                                                                                       depth + HALL_MARGIN)
                hall.save(update_fields=["width_m", "depth_m"])
            halls[name] = hall
        zones: dict[tuple[str, str], Zone] = {}
        for r in preview.rows:
            if r.zone and (r.hall, r.zone) not in zones:
                zone, _new = Zone.objects.get_or_create(hall=halls[r.hall], name=r.zone,
                                                        defaults={"theme_group": r.zone_theme})
                if r.zone_theme and zone.theme_group != r.zone_theme:
                    zone.theme_group = r.zone_theme
                    zone.save(update_fields=["theme_group"])
                zones[(r.hall, r.zone)] = zone
        existing = {b.code: b for b in Booth.objects.select_for_update().filter(event=event)}
        for r in preview.rows:
            values = {"hall": halls[r.hall], "zone": zones.get((r.hall, r.zone)), "kind": r.kind, "x": r.x,
                      "y": r.y, "w": r.w, "h": r.h, "price": r.price}
            booth = existing.get(r.code)
            if booth is None:
                Booth.objects.create(event=event, code=r.code, **values)
                created += 1
            else:
                for key, value in values.items():
                    setattr(booth, key, value)
                booth.save()
                updated += 1
    return created, updated


# --- Editing on the plan --------------------------------------------------------------------------

class PlanEditError(ValueError):
    """A placement that would leave the hall or overlap another booth; ``message`` is for people."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def _check_placement(hall: Hall, rects: list[tuple[str, float, float, float, float]], ignore: set[int]) -> None:
    others = list(Booth.objects.filter(hall=hall).exclude(pk__in=ignore).values_list("code", "x", "y", "w", "h"))
    for code, x, y, w, h in rects:
        if x < 0 or y < 0 or x + w > hall.width_m + 1e-6 or y + h > hall.depth_m + 1e-6:
            raise PlanEditError(_("Booth %(code)s would be outside the hall (%(w)s × %(d)s m).") % {
                "code": code, "w": f"{hall.width_m:g}", "d": f"{hall.depth_m:g}"})
        for ocode, ox, oy, ow, oh in others:
            if x < ox + ow - 1e-6 and ox < x + w - 1e-6 and y < oy + oh - 1e-6 and oy < y + h - 1e-6:
                raise PlanEditError(_("Booth %(code)s would overlap booth %(other)s.") % {"code": code,
                                                                                            "other": ocode})
        others.append((code, x, y, w, h))


def move_booth(*, booth: Booth, x: float, y: float, w: float, h: float) -> Booth:
    """Place or resize one booth on its hall plan (inside the hall, no overlap)."""
    with transaction.atomic():
        booth = Booth.objects.select_for_update().select_related("hall").get(pk=booth.pk)
        _check_placement(booth.hall, [(booth.code, x, y, w, h)], ignore={booth.pk})
        booth.x, booth.y, booth.w, booth.h = x, y, w, h
        booth.save(update_fields=["x", "y", "w", "h"])
    return booth


def add_booth_row(*, hall: Hall, zone: Zone | None, prefix: str, first_number: int, count: int, x: float, y: float,
                  w: float, h: float, kind: str, price: int, gap: float = 0.0) -> list[Booth]:
    """A row of ``count`` booths left to right, codes ``{prefix}-{n:02d}``."""
    codes = [f"{prefix}-{first_number + i:02d}" for i in range(count)]
    rects = [(code, x + i * (w + gap), y, w, h) for i, code in enumerate(codes)]
    return _create(hall=hall, zone=zone, rects=rects, kind_of=lambda _i: kind, price_of=lambda _i: price)


def duplicate_row(*, hall: Hall, source_y: float, dy: float, prefix: str, first_number: int) -> list[Booth]:
    """Copy every booth whose top edge is at ``source_y`` to ``source_y + dy``, with new codes."""
    source = list(Booth.objects.filter(hall=hall, y=source_y).order_by("x"))
    if not source:
        raise PlanEditError(_("No booth starts at y = %(y)s m in this hall.") % {"y": f"{source_y:g}"})
    rects = [(f"{prefix}-{first_number + i:02d}", b.x, b.y + dy, b.w, b.h) for i, b in enumerate(source)]
    return _create(hall=hall, zone=None, rects=rects, kind_of=lambda i: source[i].kind,
                   price_of=lambda i: source[i].price, zone_of=lambda i: source[i].zone)


def _create(*, hall, zone, rects, kind_of, price_of, zone_of=None) -> list[Booth]:
    with transaction.atomic():
        Hall.objects.select_for_update().get(pk=hall.pk)  # one editor at a time per hall
        taken = set(Booth.objects.filter(event_id=hall.event_id, code__in=[r[0] for r in rects])
                    .values_list("code", flat=True))
        for code, *_rest in rects:
            if not CODE_PATTERN.match(code) or code.lower() in RESERVED_CODES:
                raise PlanEditError(_("Booth code “%(code)s” is not valid.") % {"code": code})
        if taken:
            raise PlanEditError(_("Booth codes already in use: %(codes)s.") % {"codes": ", ".join(sorted(taken))})
        _check_placement(hall, rects, ignore=set())
        return [Booth.objects.create(event_id=hall.event_id, hall=hall,
                                     zone=zone_of(i) if zone_of else zone, code=code, kind=kind_of(i),
                                     price=price_of(i), x=x, y=y, w=w, h=h)
                for i, (code, x, y, w, h) in enumerate(rects)]


# --- Halls and zones ------------------------------------------------------------------------------

HALL_FIELDS = ("name", "width_m", "depth_m", "order")
ZONE_FIELDS = ("name", "theme_group")


def save_hall(*, event, values: dict, hall: Hall | None = None, actor=None) -> Hall:
    """Create, rename or resize a hall. A size that would leave a booth outside the hall is refused, naming the
    booth (the same rule as placing a booth: every booth lies inside its hall)."""
    with transaction.atomic():
        if hall is not None:
            hall = Hall.objects.select_for_update().get(pk=hall.pk, event=event)  # one editor at a time per hall
            before = snapshot(hall, HALL_FIELDS)
        else:
            hall, before = Hall(event=event, order=Hall.objects.filter(event=event).count()), None
        for name in HALL_FIELDS:
            if name in values and values[name] is not None:
                setattr(hall, name, values[name])
        if Hall.objects.filter(event=event, name=hall.name).exclude(pk=hall.pk).exists():
            raise PlanEditError(_("This event already has a hall named “%(name)s”.") % {"name": hall.name})
        if hall.pk:
            outside = (Booth.objects.filter(hall=hall)
                       .filter(Q(x__lt=0) | Q(y__lt=0) | Q(x__gt=hall.width_m + 1e-6 - F("w"))
                               | Q(y__gt=hall.depth_m + 1e-6 - F("h")))
                       .order_by("code").values_list("code", flat=True)[:5])
            if outside:
                outside = list(outside)
                raise PlanEditError(ngettext(
                    "At %(w)s × %(d)s m, booth %(codes)s would be outside the hall. Move it first or choose a "
                    "larger size.",
                    "At %(w)s × %(d)s m, booths %(codes)s would be outside the hall. Move them first or choose a "
                    "larger size.", len(outside)) % {
                    "w": f"{hall.width_m:g}", "d": f"{hall.depth_m:g}", "codes": ", ".join(outside)})
        hall.save()
        log_action(action="booths.hall_updated" if before else "booths.hall_created", obj=hall, event=event,
                   actor=actor, before=before, after=snapshot(hall, HALL_FIELDS))
    return hall


def save_zone(*, hall: Hall, values: dict, zone: Zone | None = None, actor=None) -> Zone:
    """Create or rename a zone of ``hall`` (its product-group theme too); a zone stays in its hall."""
    with transaction.atomic():
        Hall.objects.select_for_update().get(pk=hall.pk)
        if zone is not None:
            zone = Zone.objects.select_for_update().get(pk=zone.pk, hall=hall)
            before = snapshot(zone, ZONE_FIELDS)
        else:
            zone, before = Zone(hall=hall), None
        for name in ZONE_FIELDS:
            if name in values:
                setattr(zone, name, values[name] or "")
        if zone.theme_group and zone.theme_group not in ProductGroup.values:
            raise PlanEditError(_("Unknown product group “%(theme)s”.") % {"theme": zone.theme_group})
        if Zone.objects.filter(hall=hall, name=zone.name).exclude(pk=zone.pk).exists():
            raise PlanEditError(_("Hall %(hall)s already has a zone named “%(name)s”.") % {
                "hall": hall.name, "name": zone.name})
        zone.save()
        log_action(action="booths.zone_updated" if before else "booths.zone_created", obj=zone,
                   event=hall.event_id, actor=actor, before=before, after=snapshot(zone, ZONE_FIELDS))
    return zone
