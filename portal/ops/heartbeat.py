"""Celery workers say they are alive by writing to Redis; readiness and metrics read it.

Each worker's main process stamps its hostname with the time into one sorted set, from
its own timer (a Celery bootstep, so no beat, queue or broker round trip is involved) every
`OPS_HEARTBEAT_INTERVAL` seconds, and removes it on a clean shutdown. A worker whose
stamp is older than `OPS_HEARTBEAT_MAX_AGE` counts as gone; the set itself expires that
long after the last stamp, so it vanishes when every worker has.
"""

import logging
import time
from dataclasses import dataclass
from typing import Any

import redis
from celery import bootsteps
from django.conf import settings

log = logging.getLogger(__name__)


def redis_client(*, timeout: float | None = None) -> redis.Redis:
    """A client for REDIS_URL that gives up quickly: a probe must answer fast even when
    Redis does not."""
    seconds = settings.OPS_REDIS_TIMEOUT if timeout is None else timeout
    return redis.Redis.from_url(
        settings.REDIS_URL, socket_connect_timeout=seconds, socket_timeout=seconds
    )


def heartbeat_write(*, hostname: str, at: float | None = None) -> None:
    """Stamp a worker as alive at `at` (now by default), dropping long-gone workers."""
    now = time.time() if at is None else at
    max_age = settings.OPS_HEARTBEAT_MAX_AGE
    key = settings.OPS_HEARTBEAT_KEY
    with redis_client() as client:
        pipe = client.pipeline()
        pipe.zadd(key, {hostname: now})
        pipe.zremrangebyscore(key, "-inf", now - 10 * max_age)
        pipe.expire(key, int(max_age) + 1)
        pipe.execute()


def heartbeat_remove(*, hostname: str) -> None:
    with redis_client() as client:
        client.zrem(settings.OPS_HEARTBEAT_KEY, hostname)


@dataclass(frozen=True)
class Workers:
    alive: int
    # Seconds since the freshest stamp of any worker; None when none ever stamped.
    newest_age: float | None


def workers_alive(*, now: float | None = None) -> Workers:
    """How many workers stamped within `OPS_HEARTBEAT_MAX_AGE`. Raises redis errors."""
    now = time.time() if now is None else now
    with redis_client() as client:
        stamps = [
            score for _, score in client.zrange(settings.OPS_HEARTBEAT_KEY, 0, -1, withscores=True)
        ]
    fresh = [s for s in stamps if now - s <= settings.OPS_HEARTBEAT_MAX_AGE]
    return Workers(alive=len(fresh), newest_age=max(0.0, now - max(stamps)) if stamps else None)


class WorkerHeartbeat(bootsteps.StartStopStep):
    """The worker-side timer. Runs in the worker's main loop, so a worker whose loop is
    stuck stops stamping, and never raises into it: a Redis blip is logged and the next
    tick tries again."""

    requires = {"celery.worker.components:Timer"}

    def __init__(self, parent: Any, **kwargs: Any) -> None:
        super().__init__(parent, **kwargs)
        self.tref: Any = None

    def start(self, parent: Any) -> None:
        if not settings.REDIS_URL:
            return
        self._beat(parent.hostname)
        self.tref = parent.timer.call_repeatedly(
            settings.OPS_HEARTBEAT_INTERVAL, self._beat, (parent.hostname,), priority=10
        )

    def stop(self, parent: Any) -> None:
        if self.tref is None:
            return
        self.tref.cancel()
        self.tref = None
        try:
            heartbeat_remove(hostname=parent.hostname)
        except redis.RedisError:
            log.warning("Could not remove the heartbeat of %s", parent.hostname, exc_info=True)

    def _beat(self, hostname: str) -> None:
        try:
            heartbeat_write(hostname=hostname)
        except redis.RedisError:
            log.warning("Could not write the heartbeat of %s", hostname, exc_info=True)
