"""What keeps the single check cheap: a statement prepared once per connection, the rate
limit counted in Redis in batches while a key is far from its limit (and held to it
exactly across processes), and no log line for an answer a product reads."""

import logging
import multiprocessing
import secrets

import pytest
from django.conf import settings
from django.core.cache import caches
from django.db import connection
from django.test import Client, override_settings

from portal.accounts.cache import RedisCache
from portal.api import ratelimit
from portal.api.services import api_key_issue
from tests.conftest import World

CHECK = "/api/v1/permissions/check"
needs_redis = pytest.mark.skipif(
    not isinstance(caches[settings.API_CACHE], RedisCache), reason="needs Redis (REDIS_URL)"
)
NOW = 1_800_001_800.0  # a fixed instant, half an hour into its hour


def api(raw: str) -> Client:
    return Client(headers={"Authorization": f"Bearer {raw}"})


def counted(key_hash: str, period: int, now: float = NOW) -> int:
    """What the cache holds for the key's window: every process's count as sent."""
    window = int(now // period)
    return int(caches[settings.API_CACHE].get(f"rl:{key_hash[:32]}:{period}:{window}") or 0)


def fresh_hash() -> str:
    return secrets.token_hex(32)


# --- the statement ---------------------------------------------------------------------------


@pytest.mark.skipif(connection.vendor != "postgresql", reason="prepared on PostgreSQL")
def test_the_check_statement_is_prepared_once_per_connection(world: World) -> None:
    raw = api_key_issue(product=world.product)[1]
    for work in world.works[:3]:
        assert api(raw).get(CHECK, {"isrc": work.isrc, "use": "training"}).status_code == 200
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*), sum(generic_plans + custom_plans) FROM pg_prepared_statements "
            "WHERE statement LIKE %s",
            ["%k.hashed = $4%"],
        )
        prepared, runs = cursor.fetchone()
    assert prepared == 1
    assert runs == 3


# --- the rate limit --------------------------------------------------------------------------


def test_a_batch_is_a_64th_of_the_limit_at_most_100() -> None:
    assert ratelimit.batch_of(1) == 1
    assert ratelimit.batch_of(127) == 1
    assert ratelimit.batch_of(600) == 9
    assert ratelimit.batch_of(6400) == 100
    assert ratelimit.batch_of(10**9) == 100


@needs_redis
@override_settings(API_RATE_LIMIT="6400/hour")
def test_far_from_its_limit_a_key_takes_its_requests_in_batches() -> None:
    key_hash = fresh_hash()
    assert ratelimit.rate_limit_retry_after(key_hash=key_hash, now=NOW) is None
    assert counted(key_hash, 3600) == 100
    for _ in range(99):
        assert ratelimit.rate_limit_retry_after(key_hash=key_hash, now=NOW) is None
    assert counted(key_hash, 3600) == 100
    assert ratelimit.rate_limit_retry_after(key_hash=key_hash, now=NOW) is None
    assert counted(key_hash, 3600) == 200


@needs_redis
@override_settings(API_RATE_LIMIT="640/hour")
def test_past_half_its_limit_every_request_is_counted_before_it_is_answered() -> None:
    key_hash = fresh_hash()
    answers = [ratelimit.rate_limit_retry_after(key_hash=key_hash, now=NOW) for _ in range(630)]
    assert answers == [None] * 630
    assert counted(key_hash, 3600) == 630
    # Another process took 10 meanwhile: this one hears it at once, and is refused.
    caches[settings.API_CACHE].incr(f"rl:{key_hash[:32]}:3600:{int(NOW // 3600)}", 10)
    assert ratelimit.rate_limit_retry_after(key_hash=key_hash, now=NOW) == 1800


@needs_redis
@override_settings(API_RATE_LIMIT="640/hour")
def test_a_batch_that_reaches_the_limit_lets_through_only_what_fits() -> None:
    key_hash = fresh_hash()
    caches[settings.API_CACHE].set(f"rl:{key_hash[:32]}:3600:{int(NOW // 3600)}", 315)
    # Far from the limit as far as this process knows: it takes a batch of 10, and all
    # of it fits; then, past half, one at a time until the limit.
    answers = [ratelimit.rate_limit_retry_after(key_hash=key_hash, now=NOW) for _ in range(330)]
    assert answers.count(None) == 640 - 315
    assert answers[640 - 315 :] == [1800] * 5


def _count_in_a_process(key_hash: str, calls: int, results: "multiprocessing.Queue[int]") -> None:
    allowed = sum(
        ratelimit.rate_limit_retry_after(key_hash=key_hash, now=NOW) is None for _ in range(calls)
    )
    results.put(allowed)


@needs_redis
@override_settings(API_RATE_LIMIT="2000/hour")
def test_processes_sharing_a_key_are_held_to_its_limit_exactly() -> None:
    """Four processes, each sending 1,000 requests as fast as it can, with batches of 31:
    together they are let through 2,000 times at most, and short of that only by what a
    process took and did not use (under a batch each)."""
    key_hash = fresh_hash()
    fork = multiprocessing.get_context("fork")
    results: multiprocessing.Queue[int] = fork.Queue()
    processes = [
        fork.Process(target=_count_in_a_process, args=(key_hash, 1000, results)) for _ in range(4)
    ]
    for process in processes:
        process.start()
    allowed = [results.get(timeout=60) for _ in processes]
    for process in processes:
        process.join(timeout=30)
        assert process.exitcode == 0
    assert 2000 - 4 * 30 <= sum(allowed) <= 2000
    assert all(0 < n <= 1000 for n in allowed)


# --- the log ---------------------------------------------------------------------------------


def test_answers_a_product_reads_are_not_logged_as_warnings(world: World, caplog) -> None:
    raw = api_key_issue(product=world.product)[1]
    with caplog.at_level(logging.INFO, logger="django.request"):
        assert api(raw).get(CHECK, {"isrc": "USRC17607839", "use": "training"}).status_code == 404
        assert api(raw).get(CHECK, {"isrc": "nope", "use": "training"}).status_code == 400
        assert api("cp_live_" + "x" * 43).get(CHECK, {"isrc": "x"}).status_code == 401
        assert Client().get("/no-such-page").status_code == 404
    logged = [r for r in caplog.records if r.name == "django.request"]
    # The portal's own missing page is still logged; the API's answers are not.
    assert [r.request.path for r in logged] == ["/no-such-page"]


@needs_redis
@override_settings(API_RATE_LIMIT="6400/hour")
def test_a_batch_taken_on_an_old_count_lets_through_only_what_fits() -> None:
    """Other processes brought the count to 50 under the limit while this one last read
    it far below: its batch of 100 lets 50 through, not 100."""
    key_hash = fresh_hash()
    caches[settings.API_CACHE].set(f"rl:{key_hash[:32]}:3600:{int(NOW // 3600)}", 6350)
    answers = [ratelimit.rate_limit_retry_after(key_hash=key_hash, now=NOW) for _ in range(60)]
    assert answers == [None] * 50 + [1800] * 10
