"""The spreadsheet columns shared by export and import, so an exported file imports back as is."""

from __future__ import annotations

from django.utils import translation
from django.utils.translation import gettext_lazy as _

from eventsite.provinces import fold

# (field, header). Import recognises each header in English and in Vietnamese, and the field name.
COLUMNS: list[tuple[str, object]] = [
    ("full_name", _("Full name")),
    ("email", _("Email")),
    ("phone", _("Phone")),
    ("company", _("Company")),
    ("role", _("Role")),
    ("buyer_type", _("Buyer type")),
    ("job_title", _("Job title")),
    ("province", _("Province")),
]
EXPORT_ONLY: list[tuple[str, object]] = [
    ("status", _("Status")),
    ("product_groups", _("Product groups of interest")),
    ("needs", _("Needs")),
    ("created_at", _("Registered at")),
    ("source", _("Source")),
]


def normalise_header(text: object) -> str:
    return " ".join(fold(str(text or "")).replace("_", " ").replace("*", " ").split())


def header_aliases() -> dict[str, str]:
    """Folded header text -> field name, in both languages."""
    aliases: dict[str, str] = {}
    for field, label in COLUMNS:
        aliases[normalise_header(field)] = field
        for language in ("en", "vi"):
            with translation.override(language):
                aliases[normalise_header(str(label))] = field
    extra = {
        "name": "full_name", "ho ten": "full_name", "ho va ten": "full_name", "e-mail": "email",
        "sdt": "phone", "dien thoai": "phone", "organization": "company", "don vi": "company",
        "to chuc": "company", "chuc vu": "job_title", "tinh": "province", "tinh thanh": "province",
        "tinh/thanh pho": "province", "tinh / thanh pho": "province",
    }
    aliases.update(extra)
    return aliases


def choice_lookup(choices) -> dict[str, str]:
    """Folded code, English label and Vietnamese label -> code, for a TextChoices class."""
    table: dict[str, str] = {}
    for value, label in choices.choices:
        table[normalise_header(value)] = value
        for language in ("en", "vi"):
            with translation.override(language):
                table[normalise_header(str(label))] = value
    return table
