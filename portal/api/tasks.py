from celery import shared_task

from portal.api.services import idempotency_records_purge


@shared_task(ignore_result=True)
def purge_idempotency_records() -> int:
    """Beat, hourly: forget replayable responses past their 24 hours."""
    return idempotency_records_purge()
