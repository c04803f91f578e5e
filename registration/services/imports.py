"""Import registrations (staff, press, invited buyers) from CSV or XLSX: parse and check every row
first (preview), then save all rows in one transaction or none.

The parsed rows wait in an ``ImportBatch`` so the organizer confirms without uploading again;
confirmation re-checks them against the database, because registrations may have arrived since
the preview (a stale preview is refreshed and shown again rather than saved).

Both steps run in the background (registration.tasks): ``start_import`` keeps the upload in private storage and
queues ``check_import`` (→ ``run_check``); ``request_confirm`` queues ``import_registrations``
(→ ``run_confirm``). The page polls the batch's status and progress. ``preview_import`` and ``confirm_import``
are the same steps called directly."""

from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings as django_settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from eventsite import tables
from eventsite.errors import DomainError
from eventsite.models import Event, User
from eventsite.numbers import NumberError, parse_int
from eventsite.provinces import current_choices, current_code_for, fold

from ..models import (
    BuyerType,
    ImportBatch,
    Registration,
    RegistrationRole,
    RegistrationSource,
    RegistrationStatus,
)
from . import roles as buyer_roles
from .columns import choice_lookup, header_aliases, normalise_header
from .registrations import ACTIVE, _announce, _lock_settings, _notify_on_commit, places_left

log = logging.getLogger(__name__)

MAX_BYTES = 2 * 1024 * 1024
MAX_ROWS = 5000
MAX_COLUMNS = 40
MAX_UNPACKED_BYTES = 40 * 1024 * 1024  # an XLSX is a zip: refuse one that unpacks to a huge size
PREVIEW_LIFETIME = timedelta(hours=2)
REQUIRED_FIELDS = ("full_name", "email", "company")

# Row-level problems: stored as codes on the batch, shown in the reader's language.
ROW_ERRORS = {
    "name_missing": gettext_lazy("Full name is missing."),
    "company_missing": gettext_lazy("Company is missing."),
    "email_missing": gettext_lazy("Email is missing."),
    "email_invalid": gettext_lazy("Email address is not valid."),
    "email_duplicate_file": gettext_lazy("This email appears more than once in the file."),
    "email_duplicate_db": gettext_lazy("This email is already registered for the event."),
    "role_unknown": gettext_lazy("Unknown role."),
    "buyer_type_unknown": gettext_lazy("Unknown buyer type."),
    "province_unknown": gettext_lazy("Unknown province."),
    "too_long": gettext_lazy("A value is too long."),
}
LIMITS = {"full_name": 200, "company": 255, "phone": 30, "job_title": 150, "email": 254}


class ImportFileError(DomainError):
    """The file as a whole cannot be read (size, format, encoding, columns)."""

    code = "import_file"


class ImportHasErrors(DomainError):
    code = "row_errors"


class ImportNotAvailable(DomainError):
    code = "import_not_available"


@dataclass
class ParsedFile:
    headers: list[str]
    rows: list[list[str]]


# --- Reading the file ------------------------------------------------------------------------

def read_table(data: bytes, filename: str) -> ParsedFile:
    """Rows of an uploaded CSV or XLSX file, checked for size and format by content, not by name
    (``eventsite.tables.read_table``, the upload checks every app shares)."""
    try:
        rows = tables.read_table(data, max_bytes=MAX_BYTES, max_rows=MAX_ROWS + 1, max_columns=MAX_COLUMNS,
                                 max_unpacked=MAX_UNPACKED_BYTES)
    except tables.TableFileError as error:
        if error.code == "too_many_rows":  # said with this import's limit (rows below the header)
            raise _too_many_rows() from None
        raise ImportFileError(error.message, code=error.code) from None
    table = _table(rows)
    if not table.headers:
        raise ImportFileError(_("The file has no header row."), code="no_header")
    if len(table.rows) > MAX_ROWS:
        raise _too_many_rows()
    return table


def _too_many_rows() -> ImportFileError:
    return ImportFileError(_("The file has more than %(max)d rows. Split it into smaller files.") % {"max": MAX_ROWS},
                           code="too_many_rows")


def _table(rows: list[list[str]]) -> ParsedFile:
    rows = [r for r in rows if any(c for c in r)]
    if not rows:
        return ParsedFile([], [])
    return ParsedFile(rows[0], rows[1:])


# --- Checking rows ---------------------------------------------------------------------------


def _map_headers(headers: list[str]) -> dict[int, str]:
    aliases = header_aliases()
    mapping: dict[int, str] = {}
    for index, header in enumerate(headers):
        field = aliases.get(normalise_header(header))
        if field and field not in mapping.values():
            mapping[index] = field
    missing = [f for f in ("full_name", "email") if f not in mapping.values()]
    if missing:
        raise ImportFileError(
            _("The file needs at least the columns “Full name” and “Email” in its first row."),
            code="missing_columns",
        )
    return mapping


def _province(value: str) -> int | None | str:
    if not value:
        return None
    try:
        code = parse_int(value, minimum=1, maximum=999)
    except NumberError:
        code = None
    if code in dict(current_choices()):
        return code
    return current_code_for(value) or "unknown"


def check_rows(event: Event, table: ParsedFile, progress=None) -> list[dict]:
    """One dict per data row: its line number, cleaned values and error codes (``progress(done)`` now and then)."""
    mapping = _map_headers(table.headers)
    roles = choice_lookup(RegistrationRole)
    buyer_types = choice_lookup(BuyerType)
    checked = []
    for offset, cells in enumerate(table.rows):
        raw = {field: (cells[i] if i < len(cells) else "") for i, field in mapping.items()}
        errors: list[str] = []
        data = {
            "full_name": raw.get("full_name", ""), "email": raw.get("email", "").lower(),
            "phone": raw.get("phone", ""), "company": raw.get("company", ""),
            "job_title": raw.get("job_title", ""), "role": RegistrationRole.BUYER, "buyer_type": "",
            "province_code": None,
        }
        if not data["full_name"]:
            errors.append("name_missing")
        if not data["company"]:
            errors.append("company_missing")
        if not data["email"]:
            errors.append("email_missing")
        else:
            try:
                validate_email(data["email"])
            except ValidationError:
                errors.append("email_invalid")
        if raw.get("role"):
            data["role"] = roles.get(normalise_header(raw["role"]), "")
            if not data["role"]:
                errors.append("role_unknown")
        if raw.get("buyer_type"):
            data["buyer_type"] = buyer_types.get(normalise_header(raw["buyer_type"]), "")
            if not data["buyer_type"]:
                errors.append("buyer_type_unknown")
        province = _province(raw.get("province", ""))
        if province == "unknown":
            errors.append("province_unknown")
        else:
            data["province_code"] = province
        if any(len(data[f]) > limit for f, limit in LIMITS.items()):
            errors.append("too_long")
        checked.append({"line": offset + 2, "raw": raw, "data": data, "errors": errors})
        if progress and len(checked) % 500 == 0:
            progress(len(checked))
    _mark_duplicates(event, checked)
    return checked


def _mark_duplicates(event: Event, rows: list[dict]) -> None:
    """Flag emails repeated in the file and emails already holding a live registration."""
    for row in rows:
        row["errors"] = [e for e in row["errors"] if e not in ("email_duplicate_file", "email_duplicate_db")]
    seen: dict[str, int] = {}
    for row in rows:
        email = row["data"]["email"]
        if email:
            seen[email] = seen.get(email, 0) + 1
    emails = list(seen)
    taken: set[str] = set()
    for start in range(0, len(emails), 500):  # stay under SQLite's parameter limit
        taken.update(
            e.lower() for e in Registration.objects.filter(
                event=event, status__in=ACTIVE, email_claimed=True, email__in=emails[start:start + 500]
            ).values_list("email", flat=True)
        )
    for row in rows:
        email = row["data"]["email"]
        if email and seen.get(email, 0) > 1:
            row["errors"].append("email_duplicate_file")
        if email in taken:
            row["errors"].append("email_duplicate_db")


# --- Preview and confirmation ----------------------------------------------------------------


def _checked_rows(event: Event, data: bytes, filename: str, progress=None) -> list[dict]:
    table = read_table(data, filename)
    if progress:
        progress(0, len(table.rows))
    checked = check_rows(event, table, progress=(lambda done: progress(done, len(table.rows))) if progress else None)
    if not checked:
        raise ImportFileError(_("The file has a header row but no data rows."), code="no_rows")
    return checked


def _forget_unconfirmed(event: Event, by: User) -> None:
    """Old unconfirmed previews (and files not yet checked) of this organizer are no longer needed."""
    old = ImportBatch.objects.filter(event=event, created_by=by).exclude(
        status__in=[ImportBatch.Status.CONFIRMED, ImportBatch.Status.IMPORTING])
    for batch in old:
        if batch.file:
            batch.file.delete(save=False)
    old.delete()


def preview_import(*, event: Event, data: bytes, filename: str, by: User) -> ImportBatch:
    """Read and check an uploaded file; keep the rows for the organizer to confirm. Saves no registration."""
    checked = _checked_rows(event, data, filename)
    _forget_unconfirmed(event, by)
    return ImportBatch.objects.create(
        event=event, created_by=by, filename=filename[:255], rows=checked,
        error_count=sum(1 for r in checked if r["errors"]),
    )


def start_import(*, event: Event, data: bytes, filename: str, by: User, language: str = "") -> ImportBatch:
    """Keep the uploaded file privately and queue its check; the batch shows "checking" until the preview is
    ready (or "failed" with the reason). Saves no registration."""
    from ..tasks import check_import

    _forget_unconfirmed(event, by)
    with transaction.atomic():  # the batch and its task commit together
        batch = ImportBatch(event=event, created_by=by, filename=filename[:255], status=ImportBatch.Status.CHECKING,
                            language=language or translation.get_language() or "")
        batch.file.save(f"event-{event.pk}-{secrets.token_hex(8)}.upload", ContentFile(data), save=False)
        batch.save()
        check_import.enqueue(batch_id=batch.pk)
    return batch


def run_check(batch_id: int) -> ImportBatch | None:
    """The background half of ``start_import``: read and check the file, keep the rows, delete the file."""
    batch = ImportBatch.objects.select_related("event").filter(
        pk=batch_id, status=ImportBatch.Status.CHECKING).first()
    if batch is None:  # replaced by a newer upload meanwhile
        return None

    def progress(done: int, total: int) -> None:
        ImportBatch.objects.filter(pk=batch.pk).update(done=done, total=total)

    with translation.override(batch.language or django_settings.LANGUAGE_CODE):
        try:
            with batch.file.open("rb") as upload:
                data = upload.read()
            checked = _checked_rows(batch.event, data, batch.filename, progress)
        except ImportFileError as exc:
            changes = {"status": ImportBatch.Status.FAILED, "error": str(exc.message)[:300]}
        except Exception:
            log.exception("checking import %s failed", batch.pk)
            changes = {"status": ImportBatch.Status.FAILED,
                       "error": _("The file could not be checked; please try again.")}
        else:
            changes = {"status": ImportBatch.Status.PREVIEW, "rows": checked, "done": len(checked),
                       "total": len(checked), "error_count": sum(1 for r in checked if r["errors"])}
    if batch.file:
        batch.file.delete(save=False)
    ImportBatch.objects.filter(pk=batch.pk, status=ImportBatch.Status.CHECKING).update(file="", **changes)
    return ImportBatch.objects.filter(pk=batch.pk).first()  # None if a newer upload replaced it meanwhile


def request_confirm(*, batch: ImportBatch, notify: bool) -> ImportBatch:
    """Queue the import of a previewed batch (``run_confirm``); refuses one already imported or expired."""
    from ..tasks import import_registrations

    with transaction.atomic():
        batch = ImportBatch.objects.select_for_update().get(pk=batch.pk)
        if batch.status != ImportBatch.Status.PREVIEW:
            raise ImportNotAvailable(_("This file has already been imported."), code="already_imported")
        if is_stale(batch):
            raise ImportNotAvailable(_("This preview has expired. Upload the file again."), code="expired")
        batch.status = ImportBatch.Status.IMPORTING
        batch.notify = notify
        batch.error = ""
        batch.done = 0
        batch.save(update_fields=["status", "notify", "error", "done"])
        import_registrations.enqueue(batch_id=batch.pk)
    return batch


def run_confirm(batch_id: int) -> ImportBatch | None:
    """The background half of ``request_confirm``: all rows or none. When rows have errors now (someone
    registered meanwhile) the batch goes back to preview with them and the reason; nothing is saved."""
    batch = ImportBatch.objects.select_related("event", "created_by").filter(
        pk=batch_id, status=ImportBatch.Status.IMPORTING).first()
    if batch is None:
        return None
    with translation.override(batch.language or django_settings.LANGUAGE_CODE):
        try:
            created = confirm_import(batch=batch, by=batch.created_by, notify=batch.notify)
        except ImportHasErrors as exc:
            changes = {"status": ImportBatch.Status.PREVIEW, "error": str(exc.message)[:300]}
        except ImportNotAvailable as exc:
            changes = {"status": ImportBatch.Status.FAILED, "error": str(exc.message)[:300]}
        except Exception:
            log.exception("import %s failed", batch.pk)
            changes = {"status": ImportBatch.Status.PREVIEW,
                       "error": _("The import failed and nothing was saved; please try again.")}
        else:
            changes = {"done": len(created), "total": len(created)}
    ImportBatch.objects.filter(pk=batch.pk).update(**changes)
    return ImportBatch.objects.filter(pk=batch.pk).first()


def is_stale(batch: ImportBatch) -> bool:
    return timezone.now() - batch.created_at > PREVIEW_LIFETIME


def confirm_import(*, batch: ImportBatch, by: User, notify: bool = True) -> list[Registration]:
    """Save every row of a previewed batch as a registration, in one transaction, or none of them.

    Rows are checked again against the database first; when that finds errors (someone registered
    meanwhile) the batch is updated with them and ``ImportHasErrors`` is raised with nothing saved.
    Imported staff, speakers and press are approved; imported buyers take free places in file
    order and wait on the list once the event is full.
    """
    with transaction.atomic():
        settings = _lock_settings(batch.event)
        batch = ImportBatch.objects.select_for_update().get(pk=batch.pk)
        if batch.status not in (ImportBatch.Status.PREVIEW, ImportBatch.Status.IMPORTING):
            raise ImportNotAvailable(_("This file has already been imported."), code="already_imported")
        if is_stale(batch):
            raise ImportNotAvailable(_("This preview has expired. Upload the file again."), code="expired")
        _mark_duplicates(batch.event, batch.rows)
        batch.error_count = sum(1 for r in batch.rows if r["errors"])
        if batch.error_count:
            batch.status = ImportBatch.Status.PREVIEW
            batch.save(update_fields=["rows", "error_count", "status"])
        else:
            created = _create_rows(batch, settings, by, notify)
    if batch.error_count:
        raise ImportHasErrors(_("Some rows have errors; nothing was imported."))
    return created


def _create_rows(batch: ImportBatch, settings, by: User, notify: bool) -> list[Registration]:
    now = timezone.now()
    left = places_left(settings)
    registrations = []
    for row in batch.rows:
        data = row["data"]
        status = RegistrationStatus.APPROVED
        if data["role"] == RegistrationRole.BUYER and left is not None:
            status = RegistrationStatus.APPROVED if left > 0 else RegistrationStatus.WAITLISTED
            left -= 1 if left > 0 else 0
        registration = Registration(
            event=batch.event, status=status, source=RegistrationSource.IMPORT,
            decided_at=now, decided_by=by, **data,
        )
        registration.search_text = fold(" ".join(p for p in registration.searchable_parts() if p))
        registrations.append(registration)
    owners = buyer_roles.owners_of([r.email for r in registrations])
    for registration in registrations:  # the organizer vouches for the address; its proven owner is linked
        registration.user_id = owners.get(registration.email.lower())
    try:
        with transaction.atomic():
            created = Registration.objects.bulk_create(registrations, batch_size=500)
    except IntegrityError:
        raise ImportHasErrors(_("Some rows clash with registrations saved meanwhile; nothing was imported."),
                              code="conflict")
    batch.status = ImportBatch.Status.CONFIRMED
    batch.confirmed_at = now
    batch.save(update_fields=["status", "confirmed_at"])
    for user_id in sorted({r.user_id for r in created if r.user_id and r.role == RegistrationRole.BUYER
                           and r.status == RegistrationStatus.APPROVED}):
        buyer_roles.sync_buyer_role(event=batch.event, user=user_id, by=by)
    if notify:
        for registration in created:  # primary keys come back from bulk_create on PostgreSQL and SQLite
            _notify_on_commit(registration, kind="decision")
    _announce(batch.event, [])
    return created
