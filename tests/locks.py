"""Advisory locks as another worker holds them: taken on a connection of its own, and let
go when that connection closes, as when a worker dies."""

from collections.abc import Iterator
from contextlib import contextmanager

from django.db import connection, connections

from tests.processes import eventually


def advisory_held(space: int, key: int) -> bool:
    """Whether any session holds the advisory lock (space, key)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND granted"
            " AND classid = %s AND objid = %s AND objsubid = 2)",
            [space, key],
        )
        return bool(cursor.fetchone()[0])


@contextmanager
def held_by_another_worker(space: int, key: int) -> Iterator[None]:
    """Hold (space, key) on another connection until the block ends; then close it and
    wait for the server to let go, which it does as that backend ends, a moment later."""
    other = connections.create_connection("default")
    try:
        with other.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_lock(%s, %s)", [space, key])
        assert advisory_held(space, key)
        yield
    finally:
        other.close()
    assert eventually(lambda: not advisory_held(space, key), timeout=10)
