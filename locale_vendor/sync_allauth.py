"""Bring locale_vendor/vi in line with the installed django-allauth's English catalog.

Run after upgrading django-allauth:

    .venv/bin/python locale_vendor/sync_allauth.py

Strings allauth added (in scope: everything but socialaccount/, headless/ and idp/) are appended
with an empty translation, which tests/eventsite/test_translations_vendor.py then lists until they
are translated; strings allauth dropped become obsolete (#~); locations and format flags follow
allauth; translations, and the entries for Django's own strings (locations under django/), stay.
"""

from __future__ import annotations

import sys
from pathlib import Path

import polib

OUT_OF_SCOPE = ("socialaccount/", "headless/", "idp/")
VENDOR_VI = Path(__file__).resolve().parent / "vi" / "LC_MESSAGES" / "django.po"


def allauth_english_catalog() -> Path:
    import allauth

    return Path(allauth.__file__).parent / "locale" / "en" / "LC_MESSAGES" / "django.po"


def in_scope(entry: polib.POEntry) -> bool:
    return any(not path.startswith(OUT_OF_SCOPE) for path, _line in entry.occurrences)


def sync(vendor_path: Path, english_path: Path) -> tuple[int, int]:
    """Update vendor_path in place; return (strings added, strings made obsolete)."""
    vendor = polib.pofile(str(vendor_path), wrapwidth=79)
    english = [e for e in polib.pofile(str(english_path)) if not e.obsolete and in_scope(e)]
    have = {(e.msgctxt, e.msgid): e for e in vendor if not e.obsolete}
    wanted = set()
    added = 0
    for source in english:
        key = (source.msgctxt, source.msgid)
        wanted.add(key)
        entry = have.get(key)
        if entry is None:
            entry = polib.POEntry(msgid=source.msgid, msgctxt=source.msgctxt, msgid_plural=source.msgid_plural)
            if source.msgid_plural:
                entry.msgstr_plural = {0: ""}
            vendor.append(entry)
            added += 1
        entry.occurrences = list(source.occurrences)
        entry.flags = [f for f in source.flags if f != "fuzzy"] + (["fuzzy"] if entry.fuzzy else [])
    obsolete = 0
    for entry in vendor:
        ours_for_django = any(path.startswith("django/") for path, _line in entry.occurrences)
        if not entry.obsolete and not ours_for_django and (entry.msgctxt, entry.msgid) not in wanted:
            entry.obsolete = True
            obsolete += 1
    vendor.save(str(vendor_path))
    return added, obsolete


if __name__ == "__main__":
    added, obsolete = sync(VENDOR_VI, allauth_english_catalog())
    sys.stdout.write(f"{VENDOR_VI}: {added} new strings to translate, {obsolete} made obsolete\n")
