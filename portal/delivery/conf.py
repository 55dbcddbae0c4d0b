"""Delivery's knobs, with production defaults. `settings.WEBHOOK_DELIVERY` overrides any of them.

The defaults are the documented schedule (docs/delivery.md); the test settings shrink
the timings so a retry or a timeout takes a moment, not minutes.
"""

from dataclasses import dataclass, fields, replace
from datetime import timedelta
from typing import Any

from django.conf import settings

MINUTE = 60.0
HOUR = 60 * MINUTE


@dataclass(frozen=True)
class DeliveryConf:
    # Changes per request: the contract's maximum.
    batch_size: int = 1000
    # Whole request, connect to last byte read. Also bounds how long a lease must last.
    timeout: float = 15.0
    # Delay before retry n (n = 1, 2, ...) after a failed attempt, before jitter; the last
    # repeats. Eleven attempts over about three days, then one every 20 hours.
    retry_delays: tuple[float, ...] = (
        10.0,
        1 * MINUTE,
        5 * MINUTE,
        30 * MINUTE,
        2 * HOUR,
        5 * HOUR,
        10 * HOUR,
        14 * HOUR,
        20 * HOUR,
        20 * HOUR,
    )
    # Each delay is multiplied by a random factor in [1 - jitter, 1 + jitter], so the
    # products a receiver outage hit do not all come back in the same second.
    jitter: float = 0.2
    # A receiver's Retry-After is honoured (we wait at least that long) up to this.
    retry_after_cap: float = 24 * HOUR
    # A failing endpoint is disabled once it has had no success for this long.
    disable_after: float = 5 * 24 * HOUR
    # Staff are alerted once an endpoint has been failing this long (the sweeper checks
    # every few seconds), so one blip that the next retry fixes alarms nobody.
    alert_after: float = 2 * MINUTE
    # The sweeper does not enqueue the same endpoint again for this long (a task it sent
    # may still be waiting in the queue), unless a worker has picked that task up.
    requeue_after: float = 30.0
    # One task sends at most this many batches, then hands the rest to a fresh task, so
    # no task nears Celery's time limit and other products get a turn.
    batches_per_task: int = 20
    task_budget: float = 50.0

    @property
    def lease(self) -> timedelta:
        """How long a claim on an endpoint lasts: one batch (at most `timeout` on the wire)
        with room to spare. A crashed worker's claim lapses after this."""
        return timedelta(seconds=2 * self.timeout)


def delivery_conf() -> DeliveryConf:
    """The knobs in force: the defaults above with `settings.WEBHOOK_DELIVERY` over them.
    Read afresh on each call, so a test that changes the setting is served its values."""
    overrides: dict[str, Any] = dict(settings.WEBHOOK_DELIVERY)
    known = {f.name for f in fields(DeliveryConf)}
    unknown = set(overrides) - known
    if unknown:
        raise ValueError(f"Unknown WEBHOOK_DELIVERY settings: {', '.join(sorted(unknown))}")
    if "retry_delays" in overrides:
        overrides["retry_delays"] = tuple(float(d) for d in overrides["retry_delays"])
    return replace(DeliveryConf(), **overrides)
