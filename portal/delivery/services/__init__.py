"""Writes for delivery, one module per concept: queue, send, sweep, alerts, and staff's
controls over endpoints.

How a product's changes reach its webhook (docs/delivery.md has the whole story):

1. Consent records `PermissionChange` rows and sends `changes_recorded`, on which
   `deliveries_schedule` (`queue`) queues a send task only once the transaction has
   committed (and shrugs off a broker that is down: the sweeper covers for it).
2. A worker runs `deliveries_send_due` (`send`): it claims the product's endpoint with
   a lease, sends its due batches in order and records each attempt; a failure writes
   the next attempt's time by the backoff schedule.
3. Beat runs `deliveries_sweep` (`sweep`) every few seconds: it queues every endpoint
   that is behind, due and unclaimed, disables endpoints failing for too long, and has
   staff alerted (`alerts`).

Staff add, edit, re-enable, retry and replay through `endpoints`.

The names below are re-exported for callers outside delivery; code inside it imports
from the concept module.
"""

from portal.delivery.services.alerts import endpoints_alert
from portal.delivery.services.endpoints import (
    ROTATION_OVERLAP,
    DeliveryError,
    deliveries_replay,
    endpoint_create,
    endpoint_enable,
    endpoint_retry_now,
    endpoint_secret_rotate,
    endpoint_url_set,
)
from portal.delivery.services.queue import deliveries_schedule
from portal.delivery.services.send import (
    Claim,
    LeaseLost,
    Stuck,
    deliveries_send_due,
    endpoint_claim,
    endpoint_release,
    retry_delay,
)
from portal.delivery.services.sweep import SWEEP_LIMIT, deliveries_sweep, endpoints_disable_stale

__all__ = [
    "ROTATION_OVERLAP",
    "SWEEP_LIMIT",
    "Claim",
    "DeliveryError",
    "LeaseLost",
    "Stuck",
    "deliveries_replay",
    "deliveries_schedule",
    "deliveries_send_due",
    "deliveries_sweep",
    "endpoint_claim",
    "endpoint_create",
    "endpoint_enable",
    "endpoint_release",
    "endpoint_retry_now",
    "endpoint_secret_rotate",
    "endpoint_url_set",
    "endpoints_alert",
    "endpoints_disable_stale",
    "retry_delay",
]
