"""The sweeper, run by beat every few seconds: it re-queues from the database, not the
broker, every endpoint that is behind and due, disables those failing too long, and
alerts staff."""

from datetime import datetime, timedelta

from django.utils import timezone

from portal.delivery.conf import DeliveryConf, delivery_conf
from portal.delivery.models import Endpoint
from portal.delivery.selectors import endpoints_due
from portal.delivery.services import queue
from portal.delivery.services.alerts import endpoints_alert
from portal.delivery.services.send import stale_reason

# Endpoints the sweeper queues per run; the rest wait for the next run seconds later.
SWEEP_LIMIT = 500


def deliveries_sweep() -> int:
    """Queue a send for every endpoint that is behind, due and unclaimed; disable those
    failing too long; alert staff. Run by beat every few seconds; idempotent.

    This is what makes a lost task, a wiped broker or a crashed worker cost a delay
    rather than a delivery. Returns how many sends it queued.
    """
    conf = delivery_conf()
    now = timezone.now()
    endpoints_disable_stale(now=now, conf=conf)
    endpoints_alert(now=now, conf=conf)
    requeue_after = timedelta(seconds=conf.requeue_after)
    due = list(
        endpoints_due(now=now, requeue_after=requeue_after)
        .order_by("next_attempt_at", "pk")
        .values_list("pk", "product_id", "enqueued_at")[:SWEEP_LIMIT]
    )
    queued = 0
    for pk, product_id, enqueued_at in due:
        # Marked one by one, conditionally: of two sweeps running at once, one queues it.
        marked = Endpoint.objects.filter(pk=pk, enqueued_at=enqueued_at).update(enqueued_at=now)
        if not marked:
            continue
        if queue.publish(product_id):
            queued += 1
        else:  # try again on the next run, not after `requeue_after`
            Endpoint.objects.filter(pk=pk, enqueued_at=now).update(enqueued_at=None)
    return queued


def endpoints_disable_stale(*, now: datetime, conf: DeliveryConf | None = None) -> int:
    """Disable endpoints that have not had a success for `disable_after`."""
    conf = conf or delivery_conf()
    return Endpoint.objects.filter(
        status=Endpoint.Status.FAILING,
        failing_since__lte=now - timedelta(seconds=conf.disable_after),
    ).update(
        status=Endpoint.Status.DISABLED,
        disabled_at=now,
        disabled_reason=stale_reason(conf),
        next_attempt_at=None,
    )
