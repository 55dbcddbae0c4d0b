"""The worker's task: a thin call of the writer, which a second delivery of the same
message (Redis hands it out again after its visibility timeout) does not run twice."""

import pytest
from celery.exceptions import Retry
from django.db import connection

from portal.imports import tasks
from portal.imports.models import CatalogueImport, ImportFile
from tests.conftest import World
from tests.imports.fakes import FakeRun
from tests.locks import held_by_another_worker


def an_import(world: World, **fields) -> CatalogueImport:
    made = CatalogueImport.objects.create(label=world.label, source="admin", **fields)
    ImportFile.objects.create(catalogue_import=made, name="catalogue.csv", size=10)
    return made


def test_the_task_runs_the_import(world: World, fake_run: FakeRun) -> None:
    made = an_import(world)
    assert tasks.import_run.apply(args=[made.pk]).get() == CatalogueImport.Status.DONE
    assert [pk for pk, _ in fake_run.calls] == [made.pk]
    made.refresh_from_db()
    assert made.status == CatalogueImport.Status.DONE


def test_a_finished_or_vanished_import_is_left_alone(world: World, fake_run: FakeRun) -> None:
    done = an_import(world, status=CatalogueImport.Status.DONE)
    assert tasks.import_run.apply(args=[done.pk]).get() == "nothing to do"
    assert tasks.import_run.apply(args=[done.pk + 1000]).get() == "nothing to do"
    assert fake_run.calls == []


def test_the_task_is_acknowledged_late_and_may_run_for_hours() -> None:
    task = tasks.import_run
    assert (task.acks_late, task.reject_on_worker_lost) == (True, True)
    assert task.time_limit >= 3600 and task.soft_time_limit < task.time_limit


@pytest.mark.skipif(connection.vendor != "postgresql", reason="advisory locks are PostgreSQL's")
@pytest.mark.django_db(transaction=True)
def test_while_another_worker_runs_the_import_the_task_comes_back_later(
    world: World, fake_run: FakeRun
) -> None:
    made = an_import(world, status=CatalogueImport.Status.RUNNING)
    with held_by_another_worker(tasks.LOCK_SPACE, made.pk):
        with pytest.raises(Retry):
            tasks.import_run.apply(args=[made.pk], throw=True).get()
        assert fake_run.calls == []
    assert tasks.import_run.apply(args=[made.pk]).get() == CatalogueImport.Status.DONE
    assert [pk for pk, _ in fake_run.calls] == [made.pk]
