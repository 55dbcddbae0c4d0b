"""Operations: liveness and readiness probes, request ids in logs, Prometheus metrics, the
worker heartbeat and the dependency audit's verdicts. Real PostgreSQL and Redis where the
suite has them (REDIS_URL); the Redis parts are skipped without."""

import json
import logging
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path

import pytest
import redis
import time_machine
from celery.signals import task_postrun, task_prerun
from django.test import Client, override_settings
from django.utils import timezone
from prometheus_client.parser import text_string_to_metric_families

from portal.consent.models import Answer, Side
from portal.delivery.models import Delivery, Endpoint
from portal.delivery.services import endpoint_create
from portal.ops.audit import verdict_of
from portal.ops.heartbeat import heartbeat_write, workers_alive
from portal.ops.logs import JsonFormatter, request_id
from tests import factories as f
from tests.conftest import World, say

REDIS_URL = os.environ.get("REDIS_URL", "")
needs_redis = pytest.mark.skipif(not REDIS_URL, reason="needs Redis (REDIS_URL)")
CLOSED_PORT = "redis://127.0.0.1:1/0"
ROOT = Path(__file__).resolve().parents[2]


def eventually(condition: Callable[[], bool], timeout: float = 30.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return condition()


@pytest.fixture
def heartbeat_key(settings) -> Iterator[str]:
    """A heartbeat set of this test's own, so no other run's worker counts here."""
    key = f"ops:test-heartbeats-{uuid.uuid4().hex}"
    settings.OPS_HEARTBEAT_KEY = key
    yield key
    if REDIS_URL:
        redis.Redis.from_url(REDIS_URL).delete(key)


@pytest.fixture
def worker_alive(heartbeat_key: str) -> None:
    """A worker stamped just now (where there is Redis to stamp in)."""
    if REDIS_URL:
        heartbeat_write(hostname="worker@test")


def readyz() -> tuple[int, dict]:
    """/readyz as a probe on this host sees it: with every check's detail."""
    response = Client(REMOTE_ADDR="127.0.0.1").get("/readyz")
    assert response["Content-Type"] == "application/json"
    return response.status_code, response.json()


# --- liveness ------------------------------------------------------------------------------


def test_healthz_answers_ok_without_the_database_or_a_login() -> None:
    # No `db` fixture: a query here would raise.
    response = Client().get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert "no-cache" in response["Cache-Control"]


def test_probes_are_not_redirected_to_https_when_everything_else_is(settings) -> None:
    settings.SECURE_SSL_REDIRECT = True
    assert Client().get("/healthz").status_code == 200
    assert Client().get("/accounts/login/").status_code == 301


# --- readiness -----------------------------------------------------------------------------


@needs_redis
def test_readyz_is_200_with_the_database_redis_and_a_fresh_worker(db, worker_alive) -> None:
    status, body = readyz()
    assert status == 200, body
    assert body["status"] == "ok" and body["failing"] == []
    assert set(body["checks"]) == {"database", "redis", "worker", "delivery_lag"}
    for check in body["checks"].values():
        assert check["status"] == "ok"
        assert isinstance(check["ms"], float)
    assert body["checks"]["worker"]["workers"] == 1


def test_readyz_is_503_naming_redis_when_it_is_unreachable(db, worker_alive, caplog) -> None:
    with override_settings(REDIS_URL=CLOSED_PORT):
        status, body = readyz()
    assert status == 503
    assert body["status"] == "failing"
    assert "redis" in body["failing"]
    assert body["checks"]["redis"] == {
        "status": "failing",
        "ms": body["checks"]["redis"]["ms"],
        "error": "ConnectionError",
    }
    assert body["checks"]["database"]["status"] == "ok"
    # Where Redis lives is logged, never shown.
    assert "127.0.0.1" not in json.dumps(body)
    assert "Readiness check redis failed" in caplog.text


@needs_redis
def test_readyz_is_503_when_the_worker_heartbeat_is_stale(db, heartbeat_key) -> None:
    heartbeat_write(hostname="worker@test", at=time.time() - 120)
    status, body = readyz()
    assert status == 503
    assert body["failing"] == ["worker"]
    worker = body["checks"]["worker"]
    assert worker["workers"] == 0
    assert 119 <= worker["last_heartbeat_s"] <= 130


@needs_redis
def test_readyz_is_503_when_no_worker_ever_stamped(db, heartbeat_key) -> None:
    status, body = readyz()
    assert status == 503
    assert body["failing"] == ["worker"]
    assert body["checks"]["worker"]["last_heartbeat_s"] is None


def both_sides_grant(world: World, ago: timedelta) -> None:
    """A permission change `ago` in the past, to a product with a webhook endpoint."""
    with time_machine.travel(timezone.now() - ago, tick=True):
        say(world, Side.ARTIST, Answer.GRANTED)
        say(world, Side.RIGHTS_HOLDER, Answer.GRANTED)
        endpoint_create(product=world.product, url="https://hooks.example/tunesmith")


def test_readyz_is_503_when_an_active_endpoint_waits_past_the_limit(
    world: World, worker_alive
) -> None:
    both_sides_grant(world, ago=timedelta(minutes=20))
    status, body = readyz()
    assert status == 503
    assert body["failing"] == ["delivery_lag"]
    lag = body["checks"]["delivery_lag"]
    assert lag["endpoints_behind"] == 1
    assert 20 * 60 <= lag["oldest_pending_s"] < 21 * 60
    assert lag["limit_s"] == 900


def test_readyz_reports_a_lag_under_the_limit_and_stays_ready(world: World, worker_alive) -> None:
    both_sides_grant(world, ago=timedelta(minutes=5))
    status, body = readyz()
    assert status == 200, body
    assert 5 * 60 <= body["checks"]["delivery_lag"]["oldest_pending_s"] < 6 * 60


def test_a_failing_receiver_does_not_make_the_portal_unready(world: World, worker_alive) -> None:
    both_sides_grant(world, ago=timedelta(hours=2))
    Endpoint.objects.update(status=Endpoint.Status.FAILING)
    status, body = readyz()
    assert status == 200, body
    assert body["checks"]["delivery_lag"]["endpoints_behind"] == 0


@needs_redis
def test_readyz_tells_a_remote_caller_the_status_and_nothing_else(db, worker_alive) -> None:
    remote = Client(REMOTE_ADDR="203.0.113.9")
    response = remote.get("/readyz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    with override_settings(REDIS_URL=CLOSED_PORT):
        failing = remote.get("/readyz")
    assert failing.status_code == 503
    assert failing.json() == {"status": "failing"}


def test_readyz_keeps_its_detail_from_what_a_proxy_forwarded(db, heartbeat_key) -> None:
    for headers in ({"HTTP_X_FORWARDED_FOR": "203.0.113.9"}, {"HTTP_X_FORWARDED_PROTO": "https"}):
        response = Client(REMOTE_ADDR="127.0.0.1", **headers).get("/readyz")
        assert set(response.json()) == {"status"}


def test_readyz_detail_takes_the_metrics_token_when_one_is_set(db, settings, heartbeat_key) -> None:
    settings.METRICS_TOKEN = "scrape-me-9f2c"
    remote = Client(REMOTE_ADDR="203.0.113.9")
    assert set(remote.get("/readyz").json()) == {"status"}
    assert set(Client().get("/readyz").json()) == {"status"}  # this host, without the token
    detail = remote.get("/readyz", HTTP_AUTHORIZATION="Bearer scrape-me-9f2c").json()
    assert {"status", "failing", "checks"} <= set(detail)
    assert "delivery_lag" in detail["checks"]


# --- request ids and logs ------------------------------------------------------------------


def test_a_valid_incoming_request_id_is_kept_and_returned() -> None:
    response = Client().get("/healthz", HTTP_X_REQUEST_ID="lb-7f3a.01_Z")
    assert response["X-Request-ID"] == "lb-7f3a.01_Z"


@pytest.mark.parametrize(
    "incoming", [None, "", "has space", "x" * 65, "<script>", "a\u00e9b", "a;b=c"]
)
def test_a_missing_or_unsafe_request_id_is_replaced_by_a_new_one(incoming: str | None) -> None:
    headers = {} if incoming is None else {"HTTP_X_REQUEST_ID": incoming}
    first = Client().get("/healthz", **headers)["X-Request-ID"]
    second = Client().get("/healthz", **headers)["X-Request-ID"]
    assert len(first) == 32 and int(first, 16) >= 0
    assert first != second


def test_log_records_of_a_request_carry_its_id(db, caplog) -> None:
    with caplog.at_level(logging.WARNING, logger="django.request"):
        response = Client().get("/no-such-page", HTTP_X_REQUEST_ID="req-42")
    assert response.status_code == 404
    [record] = [r for r in caplog.records if r.name == "django.request"]
    assert record.request_id == "req-42"
    assert request_id.get() == "-"
    line = json.loads(JsonFormatter().format(record))
    assert line["request_id"] == "req-42" and line["status_code"] == 404
    assert "request" not in line


def test_log_records_in_a_task_carry_the_task_id(caplog) -> None:
    log = logging.getLogger("portal.test")
    with caplog.at_level(logging.INFO, logger="portal.test"):
        task_prerun.send(sender=None, task_id="task-1", task=None)
        log.info("inside")
        task_postrun.send(sender=None, task_id="task-1", task=None)
        log.info("after")
    assert [r.request_id for r in caplog.records] == ["task-1", "-"]


def test_a_task_run_inside_a_request_keeps_the_request_id() -> None:
    token = request_id.set("req-9")
    try:
        task_prerun.send(sender=None, task_id="task-2", task=None)
        assert request_id.get() == "req-9"
        task_postrun.send(sender=None, task_id="task-2", task=None)
        assert request_id.get() == "req-9"
    finally:
        request_id.reset(token)


def test_the_json_formatter_writes_one_parsable_object_per_record() -> None:
    try:
        raise ValueError("boom")
    except ValueError:
        record = logging.getLogger("portal.x").makeRecord(
            "portal.x",
            logging.ERROR,
            __file__,
            1,
            "sent %s changes",
            (3,),
            sys.exc_info(),
            extra={"product": "tunesmith"},
        )
    record.request_id = "req-1"
    line = JsonFormatter().format(record)
    assert "\n" not in line
    parsed = json.loads(line)
    assert parsed["message"] == "sent 3 changes"
    assert parsed["level"] == "ERROR"
    assert parsed["logger"] == "portal.x"
    assert parsed["request_id"] == "req-1"
    assert parsed["product"] == "tunesmith"
    assert "ValueError: boom" in parsed["exception"]
    assert parsed["time"].endswith("+00:00")


def test_the_console_handler_adds_request_ids() -> None:
    [handler] = [h for h in logging.getLogger().handlers if h.name == "console"]
    assert any(type(f).__name__ == "RequestIdFilter" for f in handler.filters)


# --- metrics -------------------------------------------------------------------------------


def scrape(client: Client | None = None, **headers: str) -> dict[str, dict[tuple, float]]:
    """Samples by name, then by sorted label items."""
    response = (client or Client()).get("/metrics", **headers)
    assert response.status_code == 200, response.content
    assert response["Content-Type"].startswith("text/plain; version=")
    samples: dict[str, dict[tuple, float]] = {}
    for family in text_string_to_metric_families(response.content.decode()):
        for sample in family.samples:
            samples.setdefault(sample.name, {})[tuple(sorted(sample.labels.items()))] = sample.value
    return samples


def test_metrics_need_the_bearer_token_when_one_is_set(db, settings) -> None:
    settings.METRICS_TOKEN = "scrape-me-9f2c"
    refused = Client().get("/metrics")
    assert refused.status_code == 401
    assert refused["WWW-Authenticate"] == "Bearer"
    assert Client().get("/metrics", HTTP_AUTHORIZATION="Bearer nope").status_code == 401
    assert Client().get("/metrics", HTTP_AUTHORIZATION="scrape-me-9f2c").status_code == 401
    scrape(HTTP_AUTHORIZATION="Bearer scrape-me-9f2c")


def test_without_a_token_metrics_are_served_only_to_this_host(db, settings) -> None:
    settings.METRICS_TOKEN = ""
    scrape(Client(REMOTE_ADDR="127.0.0.1"))
    scrape(Client(REMOTE_ADDR="::1"))
    assert Client(REMOTE_ADDR="10.0.0.7").get("/metrics").status_code == 403
    # A proxy on this host forwarding someone else's request is not "this host".
    forwarded = Client(REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.9")
    assert forwarded.get("/metrics").status_code == 403
    # Nor is one that only says which scheme it was asked in, as production's must.
    proxied = Client(REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_PROTO="https")
    assert proxied.get("/metrics").status_code == 403


def test_the_request_histogram_counts_requests_by_view_method_and_status(db) -> None:
    labels = (("method", "GET"), ("status", "200"), ("view", "healthz"))
    before = scrape().get("portal_http_request_duration_seconds_count", {}).get(labels, 0)
    Client().get("/healthz")
    Client().get("/healthz")
    Client().get("/nowhere/12345")
    after = scrape()
    counts = after["portal_http_request_duration_seconds_count"]
    assert counts[labels] == before + 2
    assert counts[(("method", "GET"), ("status", "404"), ("view", "<unmatched>"))] >= 1
    # Raw paths never become labels.
    assert not any("12345" in str(key) for key in counts)
    bucket = tuple(sorted((*labels, ("le", "0.005"))))
    assert bucket in after["portal_http_request_duration_seconds_bucket"]


def test_domain_metrics_are_read_from_the_database(world: World, heartbeat_key) -> None:
    both_sides_grant(world, ago=timedelta(minutes=3))
    say(world, Side.ARTIST, Answer.DENIED, work=world.works[1])
    endpoint = Endpoint.objects.get()
    Delivery.objects.create(
        endpoint=endpoint,
        first_seq=1,
        last_seq=1,
        webhook_id="msg_ops_test",
        status=Delivery.Status.FAILED,
        created_at=timezone.now(),
    )
    metrics = scrape()
    decisions = metrics["portal_decisions"]
    assert decisions[(("answer", "granted"), ("side", "artist"))] == 1
    assert decisions[(("answer", "granted"), ("side", "rights_holder"))] == 1
    assert decisions[(("answer", "denied"), ("side", "artist"))] == 1
    assert decisions[(("answer", "denied"), ("side", "rights_holder"))] == 0
    assert metrics["portal_ledger_entries_total"][()] == 3
    assert metrics["portal_permission_changes_total"][(("product", "tunesmith"),)] == 1
    assert metrics["portal_deliveries_open"] == {
        (("status", "pending"),): 0,
        (("status", "failed"),): 1,
    }
    assert metrics["portal_webhook_endpoints"] == {
        (("status", "active"),): 1,
        (("status", "failing"),): 0,
        (("status", "disabled"),): 0,
    }
    assert metrics["portal_delivery_lag_changes"] == {(("product", "tunesmith"),): 1}
    age = metrics["portal_delivery_lag_seconds"][(("product", "tunesmith"),)]
    assert 180 <= age < 240
    assert metrics["portal_metrics_source_up"][(("source", "database"),)] == 1


def test_a_scrape_costs_the_same_few_queries_however_many_products(
    world: World, settings, django_assert_num_queries
) -> None:
    settings.REDIS_URL = ""
    both_sides_grant(world, ago=timedelta(minutes=1))
    for _ in range(3):
        endpoint_create(product=f.ProductFactory(), url="https://hooks.example/other")
    with django_assert_num_queries(6):
        scrape()


@needs_redis
def test_celery_queue_lengths_and_live_workers_are_read_from_redis(
    db, settings, heartbeat_key
) -> None:
    queue = f"ops-test-{uuid.uuid4().hex}"
    settings.CELERY_TASK_QUEUES = {queue: {}}
    client = redis.Redis.from_url(REDIS_URL)
    client.rpush(queue, "a", "b", "c")
    heartbeat_write(hostname="one@test")
    heartbeat_write(hostname="two@test")
    heartbeat_write(hostname="gone@test", at=time.time() - 600)
    try:
        metrics = scrape()
    finally:
        client.delete(queue)
    assert metrics["portal_celery_queue_length"] == {(("queue", queue),): 3}
    assert metrics["portal_celery_workers"][()] == 2
    assert metrics["portal_metrics_source_up"][(("source", "redis"),)] == 1


def test_with_redis_down_the_scrape_still_answers(db, settings, caplog) -> None:
    settings.REDIS_URL = CLOSED_PORT
    metrics = scrape()
    assert metrics["portal_metrics_source_up"][(("source", "redis"),)] == 0
    assert metrics["portal_metrics_source_up"][(("source", "database"),)] == 1
    assert "portal_celery_queue_length" not in metrics
    assert "portal_http_request_duration_seconds_count" in metrics
    assert "Metrics source redis is unavailable" in caplog.text


def test_metrics_from_several_processes_are_summed_in_multiprocess_mode(tmp_path: Path) -> None:
    """Gunicorn's forked workers each count their own requests; one scrape sees them all."""
    script = """
import os
import django
django.setup()
from django.test import Client
from prometheus_client import generate_latest
from portal.ops.metrics import request_registry
child = os.fork()
Client().get("/healthz")
if child == 0:
    os._exit(0)
os.waitpid(child, 0)
print(generate_latest(request_registry()).decode())
"""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "PROMETHEUS_MULTIPROC_DIR": str(tmp_path),
    }
    run = subprocess.run(  # noqa: S603
        [sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert run.returncode == 0, run.stderr
    assert len(list(tmp_path.glob("histogram_*.db"))) == 2
    line = 'portal_http_request_duration_seconds_count{method="GET",status="200",view="healthz"}'
    assert f"{line} 2.0" in run.stdout


# --- the worker heartbeat ------------------------------------------------------------------


@needs_redis
def test_a_real_worker_stamps_its_heartbeat_and_removes_it_on_shutdown(
    tmp_path: Path, heartbeat_key: str
) -> None:
    hostname = f"ops-test-{uuid.uuid4().hex[:8]}@localhost"
    queue = f"ops-test-{uuid.uuid4().hex}"
    log = tmp_path / "worker.log"
    command = [
        str(Path(sys.executable).parent / "celery"),
        "-A",
        "config",
        "worker",
        "--queues",
        queue,
        "--concurrency",
        "1",
        "--hostname",
        hostname,
        "--without-gossip",
        "--without-mingle",
        "--without-heartbeat",
    ]
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "OPS_HEARTBEAT_KEY": heartbeat_key,
    }
    client = redis.Redis.from_url(REDIS_URL)
    with log.open("wb") as out:
        proc = subprocess.Popen(  # noqa: S603
            command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
    try:
        assert eventually(lambda: client.zscore(heartbeat_key, hostname) is not None), (
            log.read_text()[-3000:]
        )
        first = client.zscore(heartbeat_key, hostname)
        assert eventually(lambda: client.zscore(heartbeat_key, hostname) > first, timeout=10)
        assert workers_alive().alive == 1
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=30)
        assert client.zscore(heartbeat_key, hostname) is None
        # The worker logs through the project's LOGGING, request id field included.
        text = log.read_text()
        assert " ready." in text and "[-]" in text
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)
        client.delete(queue, f"_kombu.binding.{queue}")


# --- the dependency audit ------------------------------------------------------------------


def test_the_audit_reports_a_vulnerable_dependency() -> None:
    verdict = verdict_of(
        {
            "dependencies": [
                {"name": "django", "version": "5.2.19", "vulns": []},
                {
                    "name": "urllib3",
                    "version": "2.0.0",
                    "vulns": [{"id": "GHSA-x", "fix_versions": ["2.0.7"]}],
                },
                {"name": "consent-portal", "skip_reason": "distribution marked as editable"},
            ]
        }
    )
    assert verdict.conclusive
    assert verdict.audited == 2
    assert verdict.vulnerable == ["urllib3 2.0.0: GHSA-x (fixed in: 2.0.7)"]
    assert verdict.unaudited == []


def test_an_audit_that_looked_nothing_up_is_not_a_clean_result() -> None:
    verdict = verdict_of(
        {
            "dependencies": [
                {"name": "django", "skip_reason": "Dependency not found on PyPI"},
                {"name": "consent-portal", "skip_reason": "distribution marked as editable"},
            ]
        }
    )
    assert not verdict.conclusive
    assert verdict.unaudited == ["django"]
