"""Processes the tests start (a command as operators run it, Celery workers), each given
this run's test database, queues, cache prefix and timings through its environment."""

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import quote

import redis
from django.conf import settings
from django.db import connection

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


def database_url() -> str:
    """The test database (`test_<name>`) as a URL, for the processes the tests start."""
    db = connection.settings_dict
    user = quote(db["USER"] or "", safe="")
    password = f":{quote(db['PASSWORD'], safe='')}" if db["PASSWORD"] else ""
    host, port = db["HOST"] or "127.0.0.1", db["PORT"] or "5432"
    return f"postgres://{user}{password}@{host}:{port}/{db['NAME']}"


def process_env(**extra: str) -> dict[str, str]:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "WEBHOOK_QUEUE": settings.WEBHOOK_QUEUE,
        "CELERY_QUEUE": settings.CELERY_TASK_DEFAULT_QUEUE,
        "WEBHOOK_DELIVERY_JSON": json.dumps(settings.WEBHOOK_DELIVERY),
        "IMPORTS_ROOT": str(settings.STORAGES["imports"]["OPTIONS"]["location"]),
        "PYTHONUNBUFFERED": "1",
        **extra,
    }
    if connection.vendor == "postgresql":
        env["DATABASE_URL"] = database_url()
    else:
        env.pop("DATABASE_URL", None)
    if prefix := settings.CACHES["default"].get("KEY_PREFIX"):
        env["CACHE_KEY_PREFIX"] = prefix
    return env


def manage(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=process_env(),
        check=False,
        timeout=120,
    )


def eventually(condition: Callable[[], bool], timeout: float = 30.0, every: float = 0.05) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(every)
    return condition()


def celery_worker(log: Path, *options: str) -> subprocess.Popen[bytes]:
    """`celery -A config worker` with `options`, in a process group of its own (so a test
    can SIGKILL it whole) and this run's environment, logging to `log`; returned once it
    says it is ready."""
    command = [
        *(str(BIN / "celery"), "-A", "config", "worker"),
        *options,
        *("--without-gossip", "--without-mingle", "--loglevel", "INFO"),
    ]
    with log.open("wb") as out:
        proc = subprocess.Popen(  # noqa: S603
            command,
            cwd=ROOT,
            env=process_env(),
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    ready = eventually(
        lambda: proc.poll() is not None or " ready." in log.read_text(errors="replace")
    )
    if not ready or proc.poll() is not None:
        if proc.poll() is None:  # never said it was ready: leave nothing running
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)
        raise AssertionError(log.read_text(errors="replace")[-3000:])
    return proc


def default_queue_worker(log: Path, name: str) -> Iterator[subprocess.Popen[bytes]]:
    """A Celery worker on the default queue, in its own process, logging to `log`, until
    the generator is closed; whatever an earlier run left on the queue is dropped first.
    For a fixture: `yield from default_queue_worker(tmp_path / "worker.log", "imports")`."""
    queue = settings.CELERY_TASK_DEFAULT_QUEUE
    redis.Redis.from_url(settings.REDIS_URL).delete(queue)
    proc = celery_worker(
        log,
        *("--queues", queue, "--concurrency", "1"),
        *("--hostname", f"{name}-test-{os.getpid()}@%h"),
    )
    try:
        yield proc
    finally:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)
