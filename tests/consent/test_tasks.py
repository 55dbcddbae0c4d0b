"""Consent's worker tasks: a bulk answer delivered twice (Redis hands a message out again
after its visibility timeout) is not applied twice at once."""

import pytest
from celery.exceptions import Retry
from django.db import connection

from portal.consent import tasks
from portal.consent.models import BulkAnswer
from portal.consent.services import bulk_answers
from tests.conftest import World
from tests.consent.test_bulk_answers import label_answers, start
from tests.locks import held_by_another_worker


@pytest.mark.skipif(connection.vendor != "postgresql", reason="advisory locks are PostgreSQL's")
@pytest.mark.django_db(transaction=True)
def test_while_another_worker_applies_a_bulk_answer_the_task_comes_back_later(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(bulk_answers, "_queue", lambda job_id: None)  # no broker here
    job = start(world)
    with held_by_another_worker(tasks.BULK_LOCK_SPACE, job.pk):
        with pytest.raises(Retry):
            tasks.bulk_answer_apply.apply(args=[job.pk], throw=True).get()
        job.refresh_from_db()
        assert (job.status, label_answers()) == (BulkAnswer.Status.QUEUED, 0)
    assert tasks.bulk_answer_apply.apply(args=[job.pk]).get() == BulkAnswer.Status.DONE
    assert label_answers() == world.label.works.count()  # Paper Moons too
    # Delivered once more, it finds the job finished.
    assert tasks.bulk_answer_apply.apply(args=[job.pk]).get() == "nothing to do"


def test_the_task_is_acknowledged_late_and_retried_without_end() -> None:
    task = tasks.bulk_answer_apply
    assert (task.acks_late, task.reject_on_worker_lost, task.max_retries) == (True, True, None)
