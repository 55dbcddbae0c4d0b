"""Queueing a product's sends: after the commit that recorded its changes, never before,
and never failing the caller because the broker is down (the sweeper covers for it)."""

import logging
from collections.abc import Iterable
from functools import partial

from django.db import DatabaseError, transaction
from django.utils import timezone

from portal.delivery.selectors import endpoint_ids_ready

log = logging.getLogger(__name__)

# Publishing to a broker that is down fails after about half a second instead of
# holding the web request that triggered it; the sweeper sends what it could not queue.
PUBLISH_RETRY = {"max_retries": 2, "interval_start": 0, "interval_step": 0.2, "interval_max": 0.2}


def deliveries_schedule(*, product_ids: Iterable[int]) -> None:
    """Have these products' new changes sent as soon as the current transaction commits.

    Call it in the transaction that recorded the changes; nothing leaves if it rolls
    back. Never raises on the caller's behalf: a broker that is down is logged and the
    sweeper delivers within seconds of it coming back. Calling it more than once costs
    one query and one message per call, no more.
    """
    ids = sorted(set(product_ids))
    if ids:
        transaction.on_commit(partial(_enqueue_ready, ids), robust=True)


def _enqueue_ready(product_ids: list[int]) -> None:
    try:
        ready = endpoint_ids_ready(product_ids=product_ids, now=timezone.now())
    except DatabaseError:
        log.exception("Could not look up endpoints of %s; the sweeper will send", product_ids)
        return
    for product_id in ready:
        publish(product_id)


def publish(product_id: int) -> bool:
    """Queue a send for the product now. False (logged) when the broker would not take it.

    The one place a send task is queued from (on commit, after a run that has more, and
    by the sweeper), so replacing it stops every send from being queued."""
    # Imported here: tasks depend on services, not the other way round.
    from portal.delivery.tasks import deliveries_send

    try:
        deliveries_send.apply_async((product_id,), retry_policy=PUBLISH_RETRY)
    except Exception:
        # With TASKS_IN_PROCESS (`make run`) the send runs right here; its errors land here too.
        log.warning(
            "Could not queue webhook delivery for product %s; the sweeper will send it",
            product_id,
            exc_info=True,
        )
        return False
    return True
