"""The cache sign-in counts in: Django's Redis cache, shared by every web process.

allauth keeps its rate limits and its record of spent TOTP codes in the default cache
(config/settings/base.py, "Caches"), so it must be one store for every process that
signs people in, on every machine.
"""

import re
from typing import Any

from django.core.cache.backends.redis import RedisCache as DjangoRedisCache
from django.core.cache.backends.redis import RedisCacheClient

# Keys deleted per round trip when clearing.
_DELETE_BATCH = 500


class _Client(RedisCacheClient):
    """Django's client, except that it makes one `redis.Redis` per connection pool, not
    one per operation: setting one up costs a few hundred microseconds (as much as the
    round trip), and a client only holds its pool, which is thread-safe and knows
    forks."""

    def __init__(self, servers: list[str], **options: Any) -> None:
        super().__init__(servers, **options)
        self._clients: dict[int, Any] = {}

    def get_client(self, key: Any = None, *, write: bool = False) -> Any:
        index = self._get_connection_pool_index(write)  # type: ignore[attr-defined]
        client = self._clients.get(index)
        if client is None:
            pool = self._get_connection_pool(write)  # type: ignore[attr-defined]
            client = self._clients[index] = self._client(connection_pool=pool)  # type: ignore[attr-defined]
        return client


class RedisCache(DjangoRedisCache):
    """Django's Redis cache, except that `clear()` deletes this cache's own keys only.

    Django's `clear()` is FLUSHDB, and the database at REDIS_URL also holds Celery's
    queues, the API's counters and the workers' heartbeats: clearing sign-in's cache
    must not drop queued webhooks (or, in tests, another run's tasks).
    """

    # Django's client, a cached property of the parent that the stubs leave out.
    _cache: RedisCacheClient

    def __init__(self, server: str, params: dict[str, Any]) -> None:
        super().__init__(server, params)
        self._class = _Client

    def clear(self) -> bool:  # type: ignore[override]  # as Django's RedisCache; stubs say None
        client = self._cache.get_client(None, write=True)
        # Every key this cache makes is "<prefix>:<version>:<key>" (Django's key function).
        pattern = _glob_escape(self.key_prefix) + ":*"
        batch: list[bytes] = []
        for key in client.scan_iter(match=pattern, count=_DELETE_BATCH):
            batch.append(key)
            if len(batch) >= _DELETE_BATCH:
                client.delete(*batch)
                batch.clear()
        if batch:
            client.delete(*batch)
        return True


def _glob_escape(text: str) -> str:
    return re.sub(r"([\\*?\[\]])", r"\\\1", text)
