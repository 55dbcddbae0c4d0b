"""Per-key rate limits: a fixed window counted in the cache, never in the database.

`API_RATE_LIMIT` is "<requests>/<second|minute|hour>" (default 600/minute). The count
lives in the `API_CACHE` cache (Redis in production, so every web process shares it).
If the cache is down, requests go through: a product must not be blocked because our
cache is, and the database still answers.

A Redis round trip on every check would cost as much as the check's own SQL, so while a
key is far from its limit each process takes its requests from Redis in leases: it adds
a whole batch to the window's count at once (a 64th of the limit, at most `BATCH_MAX`)
and lets that many through before asking again. Once the count it last read passes half
the limit, it takes one request at a time, counted before it is answered, as a small
limit always is (under 128 a window, the batch is one). A key is never let through more
than its limit, whatever the number of processes: every request let through was counted
first. A process that stops serving a key mid-batch leaves the rest of its lease unused,
so a key may be refused up to a batch per process before its limit.
"""

import logging
import math
import threading
import time
from dataclasses import dataclass
from functools import lru_cache

from django.conf import settings
from django.core.cache import caches

from portal.accounts.cache import RedisCache

logger = logging.getLogger(__name__)

PERIODS = {"second": 1, "minute": 60, "hour": 3600}
BATCH_MAX = 100
# Keys counted in this process before windows gone by are forgotten.
KEPT_MAX = 10_000


@lru_cache(maxsize=8)
def parse_rate(rate: str) -> tuple[int, int]:
    """ "600/minute" -> (600, 60)."""
    count, _, period = rate.partition("/")
    return int(count), PERIODS[period.strip().lower()]


def rate_limit() -> tuple[int, int]:
    """(requests, seconds) from the API_RATE_LIMIT setting."""
    return parse_rate(settings.API_RATE_LIMIT)


def batch_of(limit: int) -> int:
    """How many requests one process takes at once while a key is far from its limit."""
    return max(1, min(BATCH_MAX, limit // 64))


@dataclass(slots=True)
class _Lease:
    """One key's window as this process knows it."""

    window: int
    left: int = 0  # requests taken from the window's count and not used yet
    known: int = 0  # the window's count as last read (every process's)


_leases: dict[str, _Lease] = {}
_lock = threading.Lock()


def rate_limit_retry_after(*, key_hash: str, now: float | None = None) -> int | None:
    """Count one request for the key. Returns the seconds to wait if it is over its
    limit, else None."""
    limit, period = rate_limit()
    now = time.time() if now is None else now
    window = int(now // period)
    # The hash, not the key id: the count is kept before (and without) any database read.
    name = f"rl:{key_hash[:32]}:{period}"
    with _lock:
        lease = _leases.get(name)
        if lease is None or lease.window != window:
            if len(_leases) >= KEPT_MAX:
                _forget_old(window)
            lease = _leases[name] = _Lease(window)
        if lease.left > 0:
            lease.left -= 1
            return None
        size = batch_of(limit) if lease.known * 2 <= limit else 1
    total = _add(f"{name}:{window}", size, period)
    if total is None:
        return None
    # Of the `size` just counted, those within the limit are ours to let through.
    granted = max(0, min(size, limit - (total - size)))
    with _lock:
        lease.known = max(lease.known, total)
        if granted:
            lease.left += granted - 1
            return None
    return max(1, math.ceil((window + 1) * period - now))


def _forget_old(window: int) -> None:
    for name in [name for name, lease in _leases.items() if lease.window != window]:
        del _leases[name]


def _add(name: str, amount: int, period: int) -> int | None:
    """Add `amount` to the window's count in the cache; the new count, or None if the
    cache is unavailable."""
    try:
        cache = caches[settings.API_CACHE]
        if isinstance(cache, RedisCache):
            return _redis_add(cache, name, amount, period)
        try:
            return int(cache.incr(name, amount))
        except ValueError:
            # The window's first request; if another process counted it first, add fails.
            return (
                amount if cache.add(name, amount, timeout=period + 1) else cache.incr(name, amount)
            )
    except Exception:
        logger.warning("API rate limit skipped: the cache is unavailable", exc_info=True)
        return None


def _redis_add(cache: RedisCache, name: str, amount: int, period: int) -> int:
    """One round trip: INCRBY, and EXPIRE only on the window's first. The cache API's
    incr() costs two (EXISTS, then INCRBY). A window whose EXPIRE was lost is never
    reused: the window number is part of the key."""
    key = cache.make_and_validate_key(name)
    client = cache._cache.get_client(key, write=True)
    count = int(client.incrby(key, amount))
    if count == amount:
        client.expire(key, period + 1)
    return count
