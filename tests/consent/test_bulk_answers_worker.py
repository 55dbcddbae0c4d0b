"""A bulk answer above the request's limit, applied by a real Celery worker in its own
process (Redis as the broker, this run's PostgreSQL database): the page sends it, the
worker answers every work the filter matched in one transaction, the job's page says so."""

import os
import subprocess
from collections.abc import Iterator
from html import unescape
from pathlib import Path

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from portal.consent.models import Answer, BulkAnswer, Decision, Side
from tests import factories as f
from tests.conftest import World, say
from tests.processes import default_queue_worker, eventually

pytestmark = [
    pytest.mark.skipif(
        not os.environ.get("REDIS_URL") or connection.vendor != "postgresql",
        reason="a real worker needs Redis (REDIS_URL) and a database it can share (PostgreSQL)",
    ),
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture
def worker(tmp_path: Path) -> Iterator[subprocess.Popen[bytes]]:
    """A worker on the default queue: whatever an earlier run left there is dropped."""
    yield from default_queue_worker(tmp_path / "worker.log", "bulk-answers")


def test_a_worker_applies_a_large_bulk_answer_and_the_page_shows_the_outcome(
    world: World,
    manager_client: Client,
    worker: subprocess.Popen[bytes],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from portal.consent.views import bulk as views

    monkeypatch.setattr(views, "INLINE_LIMIT", 3)
    f.WorkFactory.create_batch(6, primary_artist=world.other_artist)
    for work in world.label.works.all():
        say(world, Side.ARTIST, Answer.GRANTED, work)
    bulk = reverse(
        "bulk", kwargs={"kind": "labels", "party_id": world.label.pk, "product_slug": "tunesmith"}
    )
    scope = {
        "use": "training",
        "filter-use": "training",
        "filter-artist_answer": "yes",
        "scope": "filtered",
        "answer": "granted",
    }
    preview = manager_client.post(bulk, scope)
    token = preview.context["token"]
    response = manager_client.post(
        bulk, {**scope, "confirm": "yes", "token": token, "expected": "10"}
    )
    assert response.status_code == 302
    job = BulkAnswer.objects.get()
    assert eventually(
        lambda: BulkAnswer.objects.filter(pk=job.pk, status=BulkAnswer.Status.DONE).exists(),
        timeout=60,
    ), BulkAnswer.objects.values("status", "error").get()
    assert Decision.objects.filter(side=Side.RIGHTS_HOLDER, answer=Answer.GRANTED).count() == 10
    page = unescape(manager_client.get(response["Location"]).content.decode())
    assert "Done" in page and "10 answers changed" in page and "10 permissions changed" in page
