"""Is this instance fit to take traffic? Each check is named, timed and answered on its own,
so /readyz says which dependency is the problem.

A failing check is logged with its exception; the response only names the exception's
type, so a connection string or a host name never reaches a caller. The checks are shown
only to trusted callers (`portal.ops.views.trusted_caller`); others get the verdict.
"""

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from django.conf import settings
from django.utils import timezone

from portal.delivery.models import Endpoint
from portal.ops.heartbeat import redis_client, workers_alive
from portal.ops.selectors import database_ping, delivery_backlogs

log = logging.getLogger(__name__)

OK, FAILING, SKIPPED = "ok", "failing", "skipped"

Detail = dict[str, object]


@dataclass(frozen=True)
class Check:
    name: str
    status: str
    ms: float
    detail: Detail = field(default_factory=dict)

    def as_json(self) -> Detail:
        return {"status": self.status, "ms": self.ms, **self.detail}


@dataclass(frozen=True)
class Readiness:
    checks: list[Check]

    @property
    def ready(self) -> bool:
        return all(check.status != FAILING for check in self.checks)

    def status_json(self) -> Detail:
        """The verdict alone, for callers who may not see the checks."""
        return {"status": "ok" if self.ready else "failing"}

    def as_json(self) -> Detail:
        return {
            **self.status_json(),
            "failing": [check.name for check in self.checks if check.status == FAILING],
            "checks": {check.name: check.as_json() for check in self.checks},
        }


def database() -> tuple[str, Detail]:
    database_ping()
    return OK, {}


def redis() -> tuple[str, Detail]:
    if not settings.REDIS_URL:
        return SKIPPED, {"reason": "REDIS_URL is not set"}
    with redis_client() as client:
        client.ping()
    return OK, {}


def worker() -> tuple[str, Detail]:
    if settings.TASKS_IN_PROCESS:
        return SKIPPED, {"reason": "tasks run in-process"}
    workers = workers_alive()
    age = None if workers.newest_age is None else round(workers.newest_age, 1)
    detail: Detail = {
        "workers": workers.alive,
        "last_heartbeat_s": age,
        "max_age_s": settings.OPS_HEARTBEAT_MAX_AGE,
    }
    return (OK if workers.alive else FAILING), detail


def delivery_lag(now: datetime | None = None) -> tuple[str, Detail]:
    """The oldest change an active endpoint has not acknowledged. Failing and disabled
    endpoints are left out: a product's broken receiver is that product's outage (staff are
    alerted, docs/delivery.md) and must not take the portal out of service. An active one
    this far behind means nothing is sending: workers, beat's sweeper or the broker."""
    now = timezone.now() if now is None else now
    pending = [
        b.oldest_at
        for b in delivery_backlogs()
        if b.status == Endpoint.Status.ACTIVE and b.oldest_at is not None
    ]
    age = (now - min(pending)).total_seconds() if pending else 0.0
    limit = settings.OPS_DELIVERY_LAG_LIMIT
    detail: Detail = {
        "endpoints_behind": len(pending),
        "oldest_pending_s": round(max(0.0, age), 1),
        "limit_s": limit,
    }
    return (FAILING if limit and age > limit else OK), detail


CHECKS: dict[str, Callable[[], tuple[str, Detail]]] = {
    "database": database,
    "redis": redis,
    "worker": worker,
    "delivery_lag": delivery_lag,
}


def run_check(name: str, check: Callable[[], tuple[str, Detail]]) -> Check:
    started = time.perf_counter()
    try:
        status, detail = check()
    except Exception as exc:  # a probe answers whatever the dependency does
        log.warning("Readiness check %s failed", name, exc_info=True)
        status, detail = FAILING, {"error": type(exc).__name__}
    return Check(name, status, round((time.perf_counter() - started) * 1000, 1), detail)


def readiness() -> Readiness:
    return Readiness([run_check(name, check) for name, check in CHECKS.items()])
