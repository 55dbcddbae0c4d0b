"""The worker's side of an import: a thin task over `services.run.import_run`.

Acknowledged late and handed back if its worker dies, so a killed worker's import runs
again and goes on from the first file not yet imported. A second delivery of the message
while the import runs waits its turn (`portal.advisory`).
"""

from typing import Any

from celery import shared_task

from portal.advisory import alone
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
    with alone(LOCK_SPACE, catalogue_import_id) as first:
        if not first:
            raise self.retry(countdown=RETRY_AFTER)
        catalogue_import = CatalogueImport.objects.filter(pk=catalogue_import_id).first()
        if catalogue_import is None or catalogue_import.finished:
            return "nothing to do"
        return run.import_run(catalogue_import=catalogue_import).status
