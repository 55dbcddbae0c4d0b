"""Thin tasks over `portal.delivery.services.send` and `.sweep`. Both are safe to run
twice or at once.

Acknowledged late and handed back if the worker dies (the project's defaults, stated
here too because delivery relies on them); the lease in the database, not Celery,
keeps two workers from sending the same batch, and the sweeper, not a countdown,
brings retries back.
"""

from celery import shared_task

from portal.delivery.services import send, sweep


@shared_task(ignore_result=True, acks_late=True, reject_on_worker_lost=True)
def deliveries_send(product_id: int) -> int:
    """Send what is due for one product, in order."""
    return send.deliveries_send_due(product_id=product_id)


# A sweep that waited in the queue past the next one is pointless: the next one runs.
@shared_task(ignore_result=True, acks_late=True, expires=30)
def deliveries_sweep() -> int:
    """Beat, every few seconds: queue whatever is behind and due, alert staff."""
    return sweep.deliveries_sweep()
