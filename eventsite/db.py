"""Hot-path SQL: statements that PostgreSQL plans once per connection instead of once per call.

Django's psycopg backend binds parameters on the client (``ClientCursor``) and turns psycopg's statement
preparation off, so every call of a hand-written hot statement is parsed and planned again. For the booking
race that planning was most of the database's work (0.3–0.5 ms a statement against 0.04–0.08 ms to execute).
``prepared_cursor`` gives Django's usual cursor wrapper (query logging, execute wrappers, error translation)
around a server-binding psycopg cursor that executes with ``prepare=True``: the first call on a connection
prepares the statement, later calls only bind and execute. Prepared statements live as long as the connection,
which is why scale mode keeps connections in a pool (settings ``DB_POOL_*``).

Statements sent this way bind their parameters on the server, so a parameter whose type PostgreSQL cannot infer
from where it stands (e.g. a NULL in an ``INSERT … SELECT`` list) needs a ``CAST``. On other backends this is
Django's plain cursor.
"""

from __future__ import annotations

from typing import Any

from django.db import connection


class _Preparing:
    """A psycopg cursor whose ``execute`` asks for a prepared statement; everything else is the cursor's."""

    __slots__ = ("_cursor",)

    def __init__(self, cursor) -> None:
        self._cursor = cursor

    def execute(self, sql: str, params: Any = None):
        return self._cursor.execute(sql, params, prepare=True)

    def __getattr__(self, name: str):
        return getattr(self._cursor, name)

    def __iter__(self):
        return iter(self._cursor)


def prepared_cursor(db=None):
    """A cursor for hot statements on ``db`` (default: this thread's default connection): prepared on PostgreSQL,
    Django's plain cursor elsewhere."""
    db = connection if db is None else db
    if db.vendor != "postgresql":
        return db.cursor()
    import psycopg

    db.ensure_connection()
    db.validate_thread_sharing()
    with db.wrap_database_errors:
        raw = _Preparing(psycopg.Cursor(db.connection))
    return db.make_debug_cursor(raw) if db.queries_logged else db.make_cursor(raw)


def sql_one(sql: str, params: list, db=None) -> tuple | None:
    with prepared_cursor(db) as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone()


def sql_all(sql: str, params: list, db=None) -> list[tuple]:
    with prepared_cursor(db) as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def postgres_only_sql(forward: str, backward: str):
    """A migration operation running ``forward`` (and ``backward`` when unapplied) on PostgreSQL only: SQLite runs
    the portable code path instead of these functions."""
    from django.db import migrations

    def run(sql):
        def operation(apps, schema_editor):
            if schema_editor.connection.vendor == "postgresql":
                schema_editor.execute(sql)

        return operation

    return migrations.RunPython(run(forward), run(backward))
