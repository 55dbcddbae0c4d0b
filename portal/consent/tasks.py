from celery import shared_task

from portal.consent.services.bulk_answers import bulk_answer_run
from portal.consent.services.lapses import lapses_announce

# A million answers take a minute or so; the project's default limit is for short tasks.
BULK_TIME_LIMIT = 3600


@shared_task(ignore_result=True)
def announce_lapses() -> int:
    """Beat, every minute: tell products what the clock changed."""
    return lapses_announce()


@shared_task(
    ignore_result=True,
    acks_late=True,
    reject_on_worker_lost=True,
    time_limit=BULK_TIME_LIMIT,
    soft_time_limit=BULK_TIME_LIMIT - 60,
)
def bulk_answer_apply(job_id: int) -> str:
    """Apply one recorded bulk answer in one transaction. Handed back if its worker dies:
    nothing of it was committed, so the next worker starts over."""
    job = bulk_answer_run(job_id=job_id)
    return job.status if job else "nothing to do"
