from celery import shared_task

from portal.consent.services.lapses import lapses_announce


@shared_task(ignore_result=True)
def announce_lapses() -> int:
    """Beat, every minute: tell products what the clock changed."""
    return lapses_announce()
