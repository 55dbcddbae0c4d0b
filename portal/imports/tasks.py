"""The worker's side of an import: a thin task over `services.run.import_run`.

Acknowledged late and handed back if its worker dies, so a killed worker's import runs
again and goes on from the first file not yet imported. A long import outlives the
broker's visibility timeout, after which Redis hands the same message to another worker
while the first still runs: a PostgreSQL advisory lock, held by the running worker's
connection (and so released if that worker dies), makes the second one wait its turn
instead of running the import twice at once.
"""

import contextlib
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from celery import shared_task
from django.db import DatabaseError, connection

from portal.imports.models import CatalogueImport
from portal.imports.services import run

# An advisory lock key of imports' own (the first of PostgreSQL's two 32-bit keys).
LOCK_SPACE = 0x1A4F
# A million recordings take minutes; the project's default limit is for short tasks.
TIME_LIMIT = 6 * 3600
RETRY_AFTER = 60


@shared_task(
    bind=True,
    ignore_result=True,
    acks_late=True,
    reject_on_worker_lost=True,
    max_retries=None,
    time_limit=TIME_LIMIT,
    soft_time_limit=TIME_LIMIT - 60,
)
def import_run(self: Any, catalogue_import_id: int) -> str:
    """Import the waiting files of one import, unless another worker is doing it now."""
    with _alone(catalogue_import_id) as alone:
        if not alone:
            raise self.retry(countdown=RETRY_AFTER)
        catalogue_import = CatalogueImport.objects.filter(pk=catalogue_import_id).first()
        if catalogue_import is None or catalogue_import.finished:
            return "nothing to do"
        return run.import_run(catalogue_import=catalogue_import).status


@contextmanager
def _alone(import_id: int) -> Iterator[bool]:
    if connection.vendor != "postgresql":  # SQLite runs tasks in-process, one at a time
        yield True
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s, %s)", [LOCK_SPACE, import_id])
        (locked,) = cursor.fetchone()
    try:
        yield bool(locked)
    finally:
        # A connection that broke has let go of its locks already.
        if locked:
            with contextlib.suppress(DatabaseError), connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(%s, %s)", [LOCK_SPACE, import_id])
