"""A gunicorn of the API's own, for tests that need a server in another process: bodies
sent chunked (which Django's test client cannot send) and answers kept per process."""

import os
import re
import subprocess
import time
from collections.abc import Iterator

import pytest
from django.db import connection

from tests.processes import BIN, ROOT, database_url

GUNICORN = BIN / "gunicorn"
LISTENING = re.compile(r"Listening at: http://127\.0\.0\.1:(\d+)")


@pytest.fixture(scope="module")
def server(django_db_setup: None, tmp_path_factory: pytest.TempPathFactory) -> Iterator[int]:
    """A gunicorn serving config.wsgi on a port the OS picks, for the module; the port."""
    if connection.vendor != "postgresql":
        pytest.skip("gunicorn's own process needs a database it can share (PostgreSQL)")
    log = tmp_path_factory.mktemp("gunicorn") / "gunicorn.log"
    with log.open("wb") as out:
        server = subprocess.Popen(  # noqa: S603
            [str(GUNICORN), "config.wsgi", "--bind", "127.0.0.1:0", "--workers", "1"],
            cwd=ROOT,
            env={
                **os.environ,
                "DJANGO_SETTINGS_MODULE": "config.settings.test",
                "DATABASE_URL": database_url(),
            },
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + 30
        while not (found := LISTENING.search(log.read_text(errors="replace"))):
            assert server.poll() is None and time.monotonic() < deadline, log.read_text()
            time.sleep(0.05)
        yield int(found.group(1))
    finally:
        server.terminate()
        server.wait(timeout=10)


@pytest.fixture
def gunicorn(server: int, transactional_db: None) -> int:
    """The server's port, in a test whose data is committed, so the server sees it."""
    return server
