"""Per-key rate limits: a fixed window counted in the cache, never in the database.

`API_RATE_LIMIT` is "<requests>/<second|minute|hour>" (default 600/minute). The counter
lives in the `API_CACHE` cache (Redis in production, so every web process shares it).
If the cache is down, requests go through: a product must not be blocked because our
cache is, and the database still answers.
"""

import logging
import math
import time
from functools import lru_cache

from django.conf import settings
from django.core.cache import caches

from portal.accounts.cache import RedisCache

logger = logging.getLogger(__name__)

PERIODS = {"second": 1, "minute": 60, "hour": 3600}


@lru_cache(maxsize=8)
def parse_rate(rate: str) -> tuple[int, int]:
    """ "600/minute" -> (600, 60)."""
    count, _, period = rate.partition("/")
    return int(count), PERIODS[period.strip().lower()]


def rate_limit() -> tuple[int, int]:
    """(requests, seconds) from the API_RATE_LIMIT setting."""
    return parse_rate(settings.API_RATE_LIMIT)


def rate_limit_retry_after(*, key_hash: str, now: float | None = None) -> int | None:
    """Count one request for the key. Returns the seconds to wait if it is over its
    limit, else None."""
    limit, period = rate_limit()
    now = time.time() if now is None else now
    window = int(now // period)
    # The hash, not the key id: the count is kept before (and without) any database read.
    name = f"rl:{key_hash[:32]}:{period}:{window}"
    try:
        cache = caches[settings.API_CACHE]
        if isinstance(cache, RedisCache):
            count = _redis_count(cache, name, period)
        else:
            try:
                count = cache.incr(name)
            except ValueError:
                # The window's first request; if another process counted it first, add fails.
                count = 1 if cache.add(name, 1, timeout=period + 1) else cache.incr(name)
    except Exception:
        logger.warning("API rate limit skipped: the cache is unavailable", exc_info=True)
        return None
    if count <= limit:
        return None
    return max(1, math.ceil((window + 1) * period - now))


def _redis_count(cache: RedisCache, name: str, period: int) -> int:
    """One round trip per request: INCR, and EXPIRE only on the window's first. The cache
    API's incr() costs two (EXISTS, then INCRBY), and this runs on every check, the
    hottest path in the system. A window whose EXPIRE was lost is never reused: the
    window number is part of the key."""
    key = cache.make_and_validate_key(name)
    client = cache._cache.get_client(key, write=True)
    count = int(client.incr(key))
    if count == 1:
        client.expire(key, period + 1)
    return count
