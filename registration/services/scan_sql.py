"""The scan hot path as two plain SQL statements, for PostgreSQL.

A scan is the busiest write of the event day (a queue at ten desks), and the ORM spends more CPU compiling the
four statements of :func:`registration.services.checkin._redeem` than PostgreSQL spends running them. On
PostgreSQL the same steps run here as fixed SQL text, built once per process from the models' table names:

1. :data:`lock` — lock the badge row (``FOR UPDATE OF b``), read its registration and any earlier answer to this
   client nonce, in one statement;
2. :data:`admit` — insert the check-in, point the badge at it and log the scan, in one statement (data-modifying
   CTEs), or :data:`log_only` when the answer is not an admission.

So an admission is BEGIN, two statements, COMMIT. The decision between them is the same Python as on every other
database (``checkin._decide``); the constraints that guard correctness are the tables' own (one live check-in
per badge, one scan per nonce), so a race that slips past the lock still ends in an ``IntegrityError`` that the
caller turns into the first answer. Every other backend (SQLite in the embedded default) keeps the ORM path.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import Any

from django.db import connection


@dataclass(frozen=True)
class BadgeRow:
    """What a scan needs to know about a badge and its holder (the locked row)."""

    pk: int
    counter: int
    checked_in_at: datetime | None
    checked_in_gate: str
    current_checkin_id: int | None
    registration_id: int
    status: str
    full_name: str
    company: str
    role: str


def enabled() -> bool:
    return connection.vendor == "postgresql"


def _table(model_label: str) -> str:
    from django.apps import apps

    return connection.ops.quote_name(apps.get_model("registration", model_label)._meta.db_table)


@cache
def _statements() -> dict[str, str]:
    badge, reg, checkin, log = (_table(m) for m in ("Badge", "Registration", "CheckIn", "ScanLog"))
    log_columns = ("event_id, nonce, gate, status, badge_id, checkin_id, at, scanned_at, result, "
                   "by_user_id, by_device_id")
    return {
        "lock": f"""
            SELECT b.id, b.counter, b.checked_in_at, b.checked_in_gate, b.current_checkin_id,
                   r.id, r.status, r.full_name, r.company, r.role,
                   (SELECT l.result FROM {log} l WHERE l.event_id = %s AND l.nonce = %s)
              FROM {badge} b JOIN {reg} r ON r.id = b.registration_id
             WHERE b.id = %s AND b.event_id = %s
               FOR UPDATE OF b""",  # noqa: S608 (table names from the models, values bound)
        "prior": f"SELECT result FROM {log} WHERE event_id = %s AND nonce = %s",  # noqa: S608
        "admit": f"""
            WITH c AS (
                INSERT INTO {checkin} (event_id, badge_id, gate, at, role, by_user_id, by_device_id, annulled_at)
                VALUES (%s, %s, %s, %s, %s, %s, %s, NULL) RETURNING id
            ), b AS (
                UPDATE {badge} SET checked_in_at = %s, checked_in_gate = %s, current_checkin_id = (SELECT id FROM c)
                 WHERE id = %s
            )
            INSERT INTO {log} ({log_columns})
            SELECT %s, %s, %s, %s, %s, c.id, %s, %s, %s::jsonb, %s, %s FROM c""",  # noqa: S608
        "log_only": f"INSERT INTO {log} ({log_columns}) "  # noqa: S608
                    "VALUES (%s, %s, %s, %s, %s, NULL, %s, %s, %s::jsonb, %s, %s)",
    }


def _json(value: Any) -> dict | None:
    if value is None or isinstance(value, dict):
        return value
    return json.loads(value)


def lock(*, event_id: int, badge_id: int, nonce: str) -> tuple[BadgeRow | None, dict | None]:
    """Lock the badge of a genuine token; return it (None if it is not this event's) and any earlier answer."""
    with connection.cursor() as cursor:
        cursor.execute(_statements()["lock"], [event_id, nonce, badge_id, event_id])
        found = cursor.fetchone()
    if found is not None:
        return BadgeRow(*found[:10]), _json(found[10])
    return None, prior_answer(event_id=event_id, nonce=nonce)


def prior_answer(*, event_id: int, nonce: str) -> dict | None:
    with connection.cursor() as cursor:
        cursor.execute(_statements()["prior"], [event_id, nonce])
        prior = cursor.fetchone()
    return _json(prior[0]) if prior else None


def admit(*, event_id: int, badge: BadgeRow, gate: str, at: datetime, now: datetime, nonce: str, status: str,
          result: dict, scanned_at: datetime | None, by_user_id: int | None, by_device_id: int | None) -> None:
    """Insert the check-in, point the badge at it, log the scan: one statement."""
    with connection.cursor() as cursor:
        cursor.execute(_statements()["admit"], [
            event_id, badge.pk, gate, at, badge.role, by_user_id, by_device_id,
            at, gate, badge.pk,
            event_id, nonce, gate, status, badge.pk, now, scanned_at, json.dumps(result), by_user_id, by_device_id,
        ])


def log_only(*, event_id: int, badge_id: int | None, gate: str, now: datetime, nonce: str, status: str,
             result: dict, scanned_at: datetime | None, by_user_id: int | None, by_device_id: int | None) -> None:
    with connection.cursor() as cursor:
        cursor.execute(_statements()["log_only"], [
            event_id, nonce, gate, status, badge_id, now, scanned_at, json.dumps(result), by_user_id, by_device_id,
        ])
