"""Statements PostgreSQL parses and plans once per connection, for the API's hottest
reads: the single check's statement is long (its facts column has six subqueries), and
planning it cost three times what running it does.

Django binds parameters on the client and never prepares (so that transaction-pooling
proxies work); this cursor binds on the server and prepares its statement on first use.
Behind PgBouncer, that needs its `max_prepared_statements` (1.21 and later): see
docs/api.md. Elsewhere (SQLite) it is Django's ordinary cursor. It is still Django's
cursor wrapper, so tests count its queries like any other.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from typing import Any

from django.db import connection
from django.db.backends.utils import CursorWrapper


@cache
def _prepared_class() -> type:
    # Django's psycopg 3 cursor that binds on the server (the stubs do not know it).
    from django.db.backends.postgresql.base import (  # type: ignore[attr-defined]
        ServerBindingCursor,
    )

    class Prepared(ServerBindingCursor):
        def execute(self, query: Any, params: Any = None, **kwargs: Any) -> Any:
            return super().execute(query, params, prepare=True, **kwargs)

    return Prepared


# psycopg prepares a statement after this many runs; ours ask for it on the first.
NEVER_BY_COUNT = 2**31 - 1


@contextmanager
def prepared_cursor() -> Iterator[CursorWrapper]:
    if connection.vendor != "postgresql":
        with connection.cursor() as cursor:
            yield cursor
        return
    connection.close_if_health_check_failed()
    connection.ensure_connection()
    pg = connection.connection
    # One server-binding cursor per connection, used again by every check: making one
    # costs as much as running a prepared statement.
    raw = getattr(connection, "_prepared_raw", None)
    if raw is None or raw.closed or raw.connection is not pg:
        with connection.wrap_database_errors:
            if pg.prepare_threshold is None:
                # Django turns preparing off for the connection, and psycopg then ignores
                # `prepare=True`. Django's own cursors bind on the client, which never
                # prepares, so only this cursor's statements are prepared.
                pg.prepare_threshold = NEVER_BY_COUNT
            raw = _prepared_class()(pg)
        connection._prepared_raw = raw  # type: ignore[attr-defined]
    # Django's own wrapping (query logging and counting, execute wrappers); closing the
    # wrapper would close the cursor, so it is left open for the next statement.
    yield connection._prepare_cursor(raw)  # type: ignore[attr-defined]
