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

