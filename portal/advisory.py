"""One worker at a time for a long task, whatever the broker does.

Long tasks are acknowledged late and outlive Redis' visibility timeout, after which
Redis hands the same message to another worker while the first still runs. A PostgreSQL
advisory lock, held by the running worker's connection (so released if that worker
dies), tells the second one to come back later instead of doing the work twice at once.
"""

import contextlib
from collections.abc import Iterator
from contextlib import contextmanager

from django.db import DatabaseError, connection


@contextmanager
def alone(space: int, key: int) -> Iterator[bool]:
    """Hold the advisory lock (`space`, `key`) for the block if no one else does: yields
    whether it was taken. Each kind of task has a `space` of its own."""
    if connection.vendor != "postgresql":  # SQLite runs tasks in-process, one at a time
        yield True
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s, %s)", [space, key])
        (locked,) = cursor.fetchone()
    try:
        yield bool(locked)
    finally:
        # A connection that broke has let go of its locks already.
        if locked:
            with contextlib.suppress(DatabaseError), connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(%s, %s)", [space, key])
