"""Database helpers: for the apps' migrations, and SQLite's real parameter limit for bulk writes."""

from __future__ import annotations


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


def use_sqlite_parameter_limit(sender, connection, **kwargs) -> None:
    """On SQLite, let bulk writes batch by the library's own limit of parameters per statement.

    Django 5.2 assumes SQLite's old compile-time default of 999 parameters, so a bulk insert of 500 booths (12
    columns) took 7 INSERTs, and copying a floor plan took more queries the more booths it had. SQLite ≥ 3.32
    allows 32,766 by default (Debian's build 250,000), and Python ≥ 3.11 reads the limit of the open connection;
    Django 6.0 reads it the same way (ticket #36143). Connected to ``connection_created`` in EventsiteConfig.ready.
    """
    if connection.vendor != "sqlite":
        return
    import sqlite3

    connection.features.max_query_params = connection.connection.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)
