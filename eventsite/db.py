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



def grow_pool_again(pool) -> None:
    """psycopg_pool's ``reconnect_failed`` callback (settings: DATABASES OPTIONS "pool"): try again at once.

    The pool grows only when a request starts waiting, by one connection attempt at a time, which retries with
    backoff until ``reconnect_timeout`` and then gives up. Requests already waiting never start another attempt, so
    after a PostgreSQL restart a pool could sleep through a server that was back while every waiting request ran
    into its timeout (503s for seconds, more the longer the outage lasted). With a short ``reconnect_timeout`` this
    callback keeps one attempt going about every second while the server is away: the pool reconnects within about
    a second of its return, however long the outage was. ``check()`` is the pool's public way to make it grow.
    """
    pool.check()
