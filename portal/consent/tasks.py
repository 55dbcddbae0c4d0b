from typing import Any

from celery import shared_task

from portal.advisory import alone
from portal.consent.services.bulk_answers import bulk_answer_run, bulk_answers_unfinished_queue
from portal.consent.services.lapses import lapses_announce

# A million answers take a minute or so; the project's default limit is for short tasks.
BULK_TIME_LIMIT = 3600
# An advisory lock key of bulk answers' own (the first of PostgreSQL's two 32-bit keys).
BULK_LOCK_SPACE = 0x1B0C
BULK_RETRY_AFTER = 60


@shared_task(ignore_result=True)
def announce_lapses() -> int:
    """Beat, every minute: tell products what the clock changed."""
    return lapses_announce()


@shared_task(
    bind=True,
    ignore_result=True,
    acks_late=True,
    reject_on_worker_lost=True,
    max_retries=None,
    time_limit=BULK_TIME_LIMIT,
    soft_time_limit=BULK_TIME_LIMIT - 60,
)
def bulk_answer_apply(self: Any, job_id: int) -> str:
    """Apply one recorded bulk answer in one transaction. Handed back if its worker dies:
    nothing of it was committed, so the next worker starts over. A second delivery while
    it runs comes back later (`portal.advisory`), and then finds it finished."""
    with alone(BULK_LOCK_SPACE, job_id) as first:
        if not first:
            raise self.retry(countdown=BULK_RETRY_AFTER)
        job = bulk_answer_run(job_id=job_id)
        return job.status if job else "nothing to do"


@shared_task(ignore_result=True)
def bulk_answers_resume() -> int:
    """Beat, every five minutes: queue again the bulk answers not finished whose message
    may be lost (a wiped Redis); a job still running turns the extra delivery away."""
    return bulk_answers_unfinished_queue()
