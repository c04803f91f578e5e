"""Database helpers: for the apps' migrations, the connection pool, and planning for reporting queries."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager


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


@contextmanager
def custom_plans() -> Iterator[None]:
    """Plan each statement in this block for its own parameters (PostgreSQL; elsewhere nothing to do).

    Pooled connections prepare a statement after ``prepare_threshold`` runs (settings), and after five runs of a
    prepared statement PostgreSQL may switch to one generic plan for any parameters. That suits the hot paths (a
    row by its id); it does not suit reporting aggregates, whose best plan depends on the event's size: the
    follow-through figures over 10,000 agreements went from 84 to 147 ms from the tenth page view on (bench
    followup). ``SET LOCAL`` lasts until the transaction ends, so the block runs in one (read-only work).
    """
    from django.db import connection, transaction

    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL plan_cache_mode = force_custom_plan")
        yield
