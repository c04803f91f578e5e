"""Readable URL names from Vietnamese text: "Hội nghị Sóc Trăng 2027" → ``hoi-nghi-soc-trang-2027``."""

from __future__ import annotations

import re

from django.utils.text import slugify

from .models import Event
from .provinces import fold

MAX_LENGTH = Event._meta.get_field("slug").max_length


def vietnamese_slug(text: str, max_length: int = MAX_LENGTH) -> str:
    """Tone marks dropped and đ/Đ read as d (``slugify`` alone would drop the whole letter: "hi-ngh-kt-ni")."""
    slug = slugify(fold(text or ""))
    return slug[:max_length].strip("-")


def unique_event_slug(text: str, *, exclude_pk: int | None = None) -> str:
    """``vietnamese_slug(text)``, or with ``-2``, ``-3`` … when another event already uses it (one query)."""
    base = vietnamese_slug(text) or "su-kien"
    taken_qs = Event.objects.filter(slug__startswith=base)
    if exclude_pk is not None:
        taken_qs = taken_qs.exclude(pk=exclude_pk)
    taken = set(taken_qs.values_list("slug", flat=True))
    if base not in taken:
        return base
    pattern = re.compile(re.escape(base[: MAX_LENGTH - 4]) + r"-(\d+)$")
    used = {int(m.group(1)) for slug in taken if (m := pattern.match(slug))}
    n = 2
    while n in used:
        n += 1
    suffix = f"-{n}"
    return base[: MAX_LENGTH - len(suffix)].rstrip("-") + suffix
