"""Prometheus metrics: request latency, observed as requests pass, and the state of the
domain, read from the database and Redis when Prometheus scrapes (so no write path needs
instrumenting and every web process reports the same truth).

Under gunicorn each worker process keeps its own histogram. With PROMETHEUS_MULTIPROC_DIR
set (to a directory emptied before the server starts) prometheus_client writes them to
files there and a scrape, whichever worker answers it, sums them; unset, the one process's
own registry is read. See docs/operations.md.
"""

import logging
import os
from collections.abc import Callable, Iterable, Iterator, Mapping

import redis
from django.conf import settings
from django.db import DatabaseError
from django.http import HttpRequest
from django.utils import timezone
from prometheus_client import REGISTRY, CollectorRegistry, Histogram, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.registry import Collector

from portal.ops import selectors
from portal.ops.heartbeat import redis_client, workers_alive

log = logging.getLogger(__name__)

REQUEST_SECONDS = Histogram(
    "portal_http_request_duration_seconds",
    "Time to answer an HTTP request, by route (view name), method and status.",
    ["view", "method", "status"],
)
# Anything else is counted as OTHER, so made-up methods cannot add series.
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
UNMATCHED = "<unmatched>"


def request_observe(*, request: HttpRequest, status: int, seconds: float) -> None:
    """Record one request. `<unmatched>` covers 404s and answers given before routing
    (an HTTPS redirect, say)."""
    match = request.resolver_match
    view = match.view_name if match is not None else UNMATCHED
    method = request.method if request.method in METHODS else "OTHER"
    REQUEST_SECONDS.labels(view=view, method=method, status=str(status)).observe(seconds)


def _family(
    kind: type[GaugeMetricFamily] | type[CounterMetricFamily],
    name: str,
    doc: str,
    label: str,
    values: Mapping[str, float],
) -> Metric:
    family = kind(name, doc, labels=[label])
    for value_of, value in values.items():
        family.add_metric([value_of], value)
    return family


def database_metrics() -> Iterator[Metric]:
    decisions = GaugeMetricFamily(
        "portal_decisions", "Current answers, by side and answer.", labels=["side", "answer"]
    )
    for (side, answer), n in selectors.decision_counts().items():
        decisions.add_metric([side, answer], n)
    yield decisions
    ledger = CounterMetricFamily("portal_ledger_entries", "Decisions ever recorded in the ledger.")
    ledger.add_metric([], selectors.ledger_length())
    yield ledger
    yield _family(
        CounterMetricFamily,
        "portal_permission_changes",
        "Effective permissions that flipped, by product.",
        "product",
        selectors.permission_changes_by_product(),
    )
    yield _family(
        GaugeMetricFamily,
        "portal_deliveries_open",
        "Webhook deliveries not yet acknowledged, by status.",
        "status",
        selectors.open_deliveries_by_status(),
    )
    yield _family(
        GaugeMetricFamily,
        "portal_webhook_endpoints",
        "Webhook endpoints, by status.",
        "status",
        selectors.endpoints_by_status(),
    )
    yield from backlog_metrics()


def backlog_metrics() -> Iterator[Metric]:
    now = timezone.now()
    backlogs = selectors.delivery_backlogs()
    yield _family(
        GaugeMetricFamily,
        "portal_delivery_lag_changes",
        "Permission changes the product's receiver has not acknowledged.",
        "product",
        {b.product: b.behind for b in backlogs},
    )
    yield _family(
        GaugeMetricFamily,
        "portal_delivery_lag_seconds",
        "Age of the oldest change the product's receiver has not acknowledged (0: none).",
        "product",
        {
            b.product: max(0.0, (now - b.oldest_at).total_seconds()) if b.oldest_at else 0.0
            for b in backlogs
        },
    )


def redis_metrics() -> Iterator[Metric]:
    with redis_client() as client:
        lengths = {queue: client.llen(queue) for queue in settings.CELERY_TASK_QUEUES}
    yield _family(
        GaugeMetricFamily,
        "portal_celery_queue_length",
        "Tasks waiting in each Celery queue.",
        "queue",
        lengths,
    )
    yield GaugeMetricFamily(
        "portal_celery_workers",
        "Celery workers whose heartbeat is fresh.",
        value=workers_alive().alive,
    )


Source = tuple[str, Callable[[], Iterator[Metric]], type[Exception]]


def sources() -> list[Source]:
    found: list[Source] = [("database", database_metrics, DatabaseError)]
    if settings.REDIS_URL:
        found.append(("redis", redis_metrics, redis.RedisError))
    return found


class DomainCollector(Collector):
    """The domain's state at scrape time. A source that is down is reported as
    `portal_metrics_source_up{source=...} 0` (and logged) instead of failing the scrape,
    so the request metrics still arrive."""

    def collect(self) -> Iterator[Metric]:
        up = GaugeMetricFamily(
            "portal_metrics_source_up", "Whether a metrics source answered.", labels=["source"]
        )
        for name, read, failure in sources():
            try:
                metrics = list(read())
            except failure:
                log.warning("Metrics source %s is unavailable", name, exc_info=True)
                up.add_metric([name], 0)
                continue
            up.add_metric([name], 1)
            yield from metrics
        yield up


class _Scrape(Collector):
    """What one scrape reads: the request metrics and the domain collector."""

    def __init__(self, sources: Iterable[Collector | CollectorRegistry]) -> None:
        self.sources = list(sources)

    def collect(self) -> Iterator[Metric]:
        for source in self.sources:
            yield from source.collect()


def request_registry() -> CollectorRegistry:
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        MultiProcessCollector(registry)
        return registry
    return REGISTRY


def exposition() -> bytes:
    """The text Prometheus scrapes."""
    return generate_latest(_Scrape([request_registry(), DomainCollector()]))
