"""Bulk answers too large for a request: recorded, queued once committed, applied in one
transaction (never half), one at a time per product, and harmless when sent twice."""

import re
from datetime import timedelta
from html import unescape

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from portal.consent.access import label_party
from portal.consent.models import Answer, BulkAnswer, Decision, LedgerEntry, PermissionChange, Side
from portal.consent.selectors.filtering import WorkFilter
from portal.consent.services import ConsentError, bulk_answers, common
from portal.consent.services import decisions as decisions_module
from portal.consent.services.bulk_answers import bulk_answer_run, bulk_answer_start, bulk_scope
from tests import factories as f
from tests.conftest import World, say


def start(world: World, token: str = "a" * 32, **scope: object) -> BulkAnswer:
    return bulk_answer_start(
        actor=world.manager,
        party=label_party(world.manager, world.label.pk),
        product=world.product,
        use_type=world.training,
        answer=Answer.GRANTED,
        scope=bulk_scope(f=WorkFilter(**scope), selected=None, other_granted=False),  # type: ignore[arg-type]
        expected=4,
        token=token,
    )


def label_answers() -> int:
    return Decision.objects.filter(side=Side.RIGHTS_HOLDER).count()


def test_a_bulk_answer_is_queued_only_once_committed(
    world: World, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks() as callbacks:
        job = start(world)
    assert job.status == BulkAnswer.Status.QUEUED
    assert len(callbacks) == 1


def test_the_same_confirmation_twice_finds_the_same_job(world: World) -> None:
    first = start(world)
    assert start(world) == first
    assert BulkAnswer.objects.count() == 1


def test_a_second_bulk_answer_for_the_product_is_refused_while_one_runs(world: World) -> None:
    start(world)
    with pytest.raises(ConsentError, match="still being applied"):
        start(world, token="b" * 32)
    assert BulkAnswer.objects.count() == 1


def test_jobs_left_waiting_or_running_are_queued_again(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    queued: list[int] = []
    monkeypatch.setattr(bulk_answers, "_queue", queued.append)
    long_ago = timezone.now() - timedelta(minutes=10)
    done = start(world)
    BulkAnswer.objects.filter(pk=done.pk).update(status=BulkAnswer.Status.DONE, created_at=long_ago)
    stuck = start(world, token="b" * 32)
    BulkAnswer.objects.filter(pk=stuck.pk).update(
        status=BulkAnswer.Status.RUNNING, created_at=long_ago
    )
    queued.clear()  # what starting them queued
    assert bulk_answers.bulk_answers_unfinished_queue() == 1
    assert queued == [stuck.pk]
    # One just started is its own message's to run.
    BulkAnswer.objects.filter(pk=stuck.pk).update(created_at=timezone.now())
    assert bulk_answers.bulk_answers_unfinished_queue() == 0


def test_the_worker_answers_what_the_filter_matches_and_records_the_outcome(
    world: World,
) -> None:
    say(world, Side.ARTIST, Answer.GRANTED, world.works[0])
    say(world, Side.ARTIST, Answer.GRANTED, world.works[1])
    job = start(world, use_type_id=world.training.pk, artist_answer="yes")
    done = bulk_answer_run(job_id=job.pk)
    assert done is not None and done.status == BulkAnswer.Status.DONE
    assert (done.changed, done.unchanged, done.flipped) == (2, 0, 2)
    assert set(
        Decision.objects.filter(side=Side.RIGHTS_HOLDER).values_list("work__title", flat=True)
    ) == {"Night Drive 0", "Night Drive 1"}
    # Delivered twice: nothing more happens.
    assert bulk_answer_run(job_id=job.pk) is None
    # The product is free for the next one.
    start(world, token="c" * 32)


def test_a_failure_mid_way_leaves_nothing_written(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    f.WorkFactory.create_batch(6, primary_artist=world.artist)
    ledger, changes = LedgerEntry.objects.count(), PermissionChange.objects.count()
    # Chunks of two works, and the third chunk's announcement fails.
    monkeypatch.setattr(decisions_module, "chunks", lambda items: common.chunks(items, 2))
    calls = []
    real = decisions_module.changes_announce

    def failing(**kwargs: object) -> int:
        calls.append(1)
        if len(calls) == 3:
            raise RuntimeError("the database went away")
        return real(**kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(decisions_module, "changes_announce", failing)
    job = start(world)
    with pytest.raises(RuntimeError):
        bulk_answer_run(job_id=job.pk)
    assert len(calls) == 3  # two chunks were written before the failure...
    assert label_answers() == 0  # ...and rolled back with it
    assert (LedgerEntry.objects.count(), PermissionChange.objects.count()) == (ledger, changes)
    job.refresh_from_db()
    assert job.status == BulkAnswer.Status.FAILED
    assert "Nothing was changed" in job.error


def test_a_manager_who_lost_the_label_changes_nothing(world: World) -> None:
    job = start(world)
    world.label.labelmanager_set.all().delete()
    done = bulk_answer_run(job_id=job.pk)
    assert done is not None and done.status == BulkAnswer.Status.FAILED
    assert "no longer answer" in done.error
    assert label_answers() == 0


# --- through the page -----------------------------------------------------------------


def bulk_url(world: World) -> str:
    kwargs = {"kind": "labels", "party_id": world.label.pk, "product_slug": "tunesmith"}
    return reverse("bulk", kwargs=kwargs)


def test_above_the_limit_the_page_says_a_worker_applies_it_and_shows_its_progress(
    world: World,
    manager_client: Client,
    monkeypatch: pytest.MonkeyPatch,
    django_capture_on_commit_callbacks,
) -> None:
    from portal.consent.views import bulk as views
    from portal.consent.views import decisions

    monkeypatch.setattr(views, "INLINE_LIMIT", 2)
    monkeypatch.setattr(decisions, "INLINE_LIMIT", 2)
    matrix = reverse(
        "matrix", kwargs={"kind": "labels", "party_id": world.label.pk, "product_slug": "tunesmith"}
    )
    assert "once you confirm, it is applied in the background" in unescape(
        manager_client.get(matrix).content.decode()
    )
    scope = {"use": "training", "scope": "filtered", "answer": "granted"}
    preview = unescape(manager_client.post(bulk_url(world), scope).content.decode())
    assert "a worker applies it in the background" in preview
    token = re.search(r'name="token" value="([0-9a-f]{32})"', preview)
    assert token
    confirm = {**scope, "confirm": "yes", "token": token.group(1), "expected": "4"}
    with django_capture_on_commit_callbacks(execute=False):
        response = manager_client.post(bulk_url(world), confirm)
        again = manager_client.post(bulk_url(world), confirm)
    assert response.status_code == 302 and again["Location"] == response["Location"]
    assert BulkAnswer.objects.count() == 1
    assert label_answers() == 0  # nothing in the request
    page = unescape(manager_client.get(response["Location"]).content.decode())
    assert "Waiting for a worker" in page and 'hx-trigger="every 2s"' in page
    assert "being applied" in unescape(manager_client.get(matrix).content.decode())
    # Another preview's confirmation while it waits is refused with a message.
    other = {**confirm, "token": "d" * 32}
    refused = manager_client.post(bulk_url(world), other, follow=True)
    assert "still being applied" in unescape(refused.content.decode())
    bulk_answer_run(job_id=BulkAnswer.objects.get().pk)
    done = manager_client.get(response["Location"], headers={"HX-Request": "true"})
    body = unescape(done.content.decode())
    assert "4 answers changed" in body and "every 2s" not in body
    assert label_answers() == 4


def test_a_confirmation_without_a_preview_is_refused_above_the_limit(
    world: World, manager_client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    from portal.consent.views import bulk as views

    monkeypatch.setattr(views, "INLINE_LIMIT", 2)
    response = manager_client.post(
        bulk_url(world),
        {"use": "training", "scope": "filtered", "answer": "granted", "confirm": "yes"},
        follow=True,
    )
    assert "Preview the answer first" in unescape(response.content.decode())
    assert not BulkAnswer.objects.exists()
    assert bulk_answers.INLINE_LIMIT == 20_000
