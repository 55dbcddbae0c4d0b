"""Per-key rate limits: a fixed window counted in the cache, never in the database.

`API_RATE_LIMIT` is "<requests>/<second|minute|hour>" (default 600/minute). The count
lives in the `API_CACHE` cache (Redis in production, so every web process shares it).
If the cache is down, requests go through: a product must not be blocked because our
cache is, and the database still answers.

A Redis round trip on every check would cost as much as the check's own SQL, so each
process sends its count in batches while a key is far from its limit: it holds back at
most `batch` requests (a 64th of the limit, at most `BATCH_MAX`), and at least once a
`SYNC_SECONDS`. Once what it knows of the window's count passes half the limit, it
counts every request in Redis before answering, as a small limit always does (under 128
a window, the batch is one). So a key is held to its limit exactly as long as no more
than 32 processes serve it at once (32 batches fit in the half left), and up to 32
batches over it beyond that.
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
SYNC_SECONDS = 1.0
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
    """How many requests one process may count before telling the cache."""
    return max(1, min(BATCH_MAX, limit // 64))


@dataclass(slots=True)
class _Count:
    """One key's window as this process knows it."""

    window: int
    known: int = 0  # the window's count the cache last told us (every process's)
    held: int = 0  # ours since, not yet sent
    sent_at: float = 0.0


_counts: dict[str, _Count] = {}
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
        count = _counts.get(name)
        if count is None or count.window != window:
            # Held requests of a window gone by counted for it; they are not sent.
            if len(_counts) >= KEPT_MAX:
                _forget_old(window)
            count = _counts[name] = _Count(window, sent_at=now)
        count.held += 1
        seen = count.known + count.held
        if (
            seen * 2 <= limit
            and count.held < batch_of(limit)
            and now - count.sent_at < SYNC_SECONDS
        ):
            return None
        held, count.held, count.sent_at = count.held, 0, now
    total = _add(f"{name}:{window}", held, period)
    if total is None:
        return None
    with _lock:
        count.known = max(count.known, total)
    if total <= limit:
        return None
    return max(1, math.ceil((window + 1) * period - now))


def _forget_old(window: int) -> None:
    for name in [name for name, count in _counts.items() if count.window != window]:
        del _counts[name]


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
