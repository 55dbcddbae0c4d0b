"""Undoing a bulk answer or "stop everything" within 30 days: each answer goes back to
what it was, with its conditions and expiry, as new ledger entries; anything answered
again since is left alone and listed; once only."""

from datetime import timedelta

import pytest
import time_machine
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from portal.catalogue.models import Work
from portal.consent.conditions import Given
from portal.consent.models import (
    NO_ANSWER,
    Answer,
    AnswerBatch,
    Decision,
    LedgerEntry,
    Side,
)
from portal.consent.selectors.batches import batch_plan
from portal.consent.services import ConsentError, decisions_set, grants_withdraw_all
from portal.consent.services.batches import BatchOf
from portal.consent.services.undo import batch_undo
from tests.conftest import World, logged_in
from tests.consent.test_decision_set import decide, is_permitted
from tests.seeded import vocabulary_seed

pytestmark = pytest.mark.django_db


def artist_answers(world: World) -> dict[int, tuple[str, object, list]]:
    return {
        work_id: (answer, expires, conditions)
        for work_id, answer, expires, conditions in Decision.objects.filter(
            side=Side.ARTIST, use_type=world.training
        ).values_list("work_id", "answer", "expires_at", "conditions")
    }


def test_stop_everything_is_undone_with_conditions_and_expiry(world: World) -> None:
    vocabulary_seed()
    soon = timezone.now() + timedelta(days=20)
    decide(world, Side.RIGHTS_HOLDER, work=world.works[0])
    decide(world, Side.ARTIST, work=world.works[0], expires_at=soon)
    decide(
        world,
        Side.ARTIST,
        work=world.works[1],
        conditions=(Given("credit_required", "Ada Lane"),),
    )
    before = artist_answers(world)
    assert is_permitted(world, world.works[0])
    grants_withdraw_all(actor=world.artist_user, artist=world.artist)
    assert not is_permitted(world, world.works[0])
    batch = AnswerBatch.objects.get()
    assert (batch.kind, batch.changed) == (AnswerBatch.Kind.STOP, 2)

    undone = batch_undo(actor=world.artist_user, batch_id=batch.pk)

    assert (undone.outcome.changed, undone.left_alone) == (2, [])
    assert artist_answers(world) == before
    assert is_permitted(world, world.works[0])
    entry = LedgerEntry.objects.latest("position")
    assert entry.note == "Undo: Stopped everything: 2 yes answers became no"
    assert entry.actor == world.artist_user
    batch.refresh_from_db()
    assert batch.undone_by == world.artist_user and batch.restored == 2
    call_command("verify_ledger")
    call_command("verify_tallies")
    # Once only.
    with pytest.raises(ConsentError, match="already restored"):
        batch_undo(actor=world.artist_user, batch_id=batch.pk)


def test_answers_given_since_by_someone_else_are_left_alone_and_listed(world: World) -> None:
    works = Work.objects.filter(pk__in=[w.pk for w in world.works])
    decide(world, Side.ARTIST, Answer.DENIED, work=world.works[0])
    decisions_set(
        actor=world.artist_user,
        product=world.product,
        use_type=world.training,
        side=Side.ARTIST,
        answer=Answer.GRANTED,
        works=works,
        batch=BatchOf("Yes to training on Tunesmith", artist_id=world.artist.pk),
    )
    batch = AnswerBatch.objects.get()
    assert batch.changed == 3
    # Another member of the team says no to one of them afterwards.
    editor = world.artist.artistmembership_set.create(user=world.other_artist_user, role="editor")
    decide(world, Side.ARTIST, Answer.DENIED, work=world.works[2], actor=editor.user)

    plan = batch_plan(batch=batch, now=timezone.now())
    assert [(r.work_id, r.answer) for r in plan.restore] == [
        (world.works[0].pk, Answer.DENIED),
        (world.works[1].pk, NO_ANSWER),
    ]
    (left,) = plan.left_alone
    assert left.work_id == world.works[2].pk
    assert left.why.startswith(f"answered again by {editor.user.display_name} on ")

    batch_undo(actor=world.artist_user, batch_id=batch.pk)
    answers = artist_answers(world)
    assert answers[world.works[0].pk][0] == Answer.DENIED
    assert world.works[1].pk not in answers  # no answer, as before
    assert answers[world.works[2].pk][0] == Answer.DENIED  # the editor's, left alone


def test_a_yes_that_expired_since_is_not_given_back(world: World) -> None:
    decide(world, Side.ARTIST, expires_at=timezone.now() + timedelta(days=2))
    grants_withdraw_all(actor=world.artist_user, artist=world.artist)
    batch = AnswerBatch.objects.get()
    with time_machine.travel(timezone.now() + timedelta(days=3)):
        plan = batch_plan(batch=batch, now=timezone.now())
        assert plan.restore == []
        assert plan.left_alone[0].why == "the yes it had has expired since"


def test_after_30_days_nothing_can_be_undone(world: World) -> None:
    decide(world, Side.ARTIST)
    grants_withdraw_all(actor=world.artist_user, artist=world.artist)
    batch = AnswerBatch.objects.get()
    later = time_machine.travel(timezone.now() + timedelta(days=31))
    with later, pytest.raises(ConsentError, match="30 days"):
        batch_undo(actor=world.artist_user, batch_id=batch.pk)
    assert Decision.objects.get(side=Side.ARTIST).answer == Answer.DENIED


def test_someone_who_may_no_longer_answer_cannot_undo(world: World) -> None:
    decide(world, Side.ARTIST)
    grants_withdraw_all(actor=world.artist_user, artist=world.artist)
    batch = AnswerBatch.objects.get()
    with pytest.raises(ConsentError):
        batch_undo(actor=world.outsider_user, batch_id=batch.pk)
    assert not AnswerBatch.objects.get().undone_at


def test_the_activity_page_previews_and_restores(world: World, artist_client: Client) -> None:
    decide(world, Side.RIGHTS_HOLDER)
    decide(world, Side.ARTIST)
    grants_withdraw_all(actor=world.artist_user, artist=world.artist)
    batch = AnswerBatch.objects.get()
    activity = artist_client.get(reverse("artist_activity", args=[world.artist.pk]))
    assert "Restore the answers you had before" in activity.content.decode()
    url = reverse("undo", args=["artists", world.artist.pk, batch.pk])
    preview = artist_client.get(url).content.decode()
    assert "Restore the 1 answer you had before" in preview
    assert "<strong>1</strong> yes" in preview
    response = artist_client.post(url, follow=True)
    assert "Restored 1 answer as they were." in response.content.decode()
    assert is_permitted(world)
    after = artist_client.get(reverse("artist_activity", args=[world.artist.pk])).content
    assert "1 answer given back" in after.decode()


def test_a_label_undoes_its_own_bulk_answer_and_nobody_else_can(
    world: World, manager_client: Client
) -> None:
    decisions_set(
        actor=world.manager,
        product=world.product,
        use_type=world.training,
        side=Side.RIGHTS_HOLDER,
        answer=Answer.GRANTED,
        works=Work.objects.filter(label=world.label),
        batch=BatchOf("Yes to training on Tunesmith", label_id=world.label.pk),
    )
    batch = AnswerBatch.objects.get()
    url = reverse("undo", args=["labels", world.label.pk, batch.pk])
    assert logged_in(world.artist_user).get(url).status_code == 404
    assert logged_in(world.other_manager).get(url).status_code == 404
    wrong_party = reverse("undo", args=["artists", world.artist.pk, batch.pk])
    assert logged_in(world.artist_user).get(wrong_party).status_code == 404
    home = manager_client.get(reverse("label_home", args=[world.label.pk])).content.decode()
    assert "Yes to training on Tunesmith" in home
    manager_client.post(url)
    assert not Decision.objects.filter(side=Side.RIGHTS_HOLDER).exists()


def test_the_bulk_page_records_a_batch(world: World, artist_client: Client) -> None:
    bulk = reverse("bulk", args=["artists", world.artist.pk, "tunesmith"])
    artist_client.post(
        bulk, {"use": "training", "answer": "denied", "scope": "all", "confirm": "yes"}
    )
    batch = AnswerBatch.objects.get()
    assert (batch.summary, batch.changed, batch.artist) == (
        "No to training on Tunesmith",
        3,
        world.artist,
    )


def test_a_bulk_answer_applied_by_a_worker_records_a_batch(
    world: World, manager_client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    from portal.consent.services import bulk_answers
    from portal.consent.services.bulk_answers import bulk_answer_run
    from portal.consent.views import bulk as decisions_views

    monkeypatch.setattr(decisions_views, "INLINE_LIMIT", 1)
    monkeypatch.setattr(bulk_answers, "_queue", lambda job_id: None)
    manager_client.post(
        reverse("bulk", args=["labels", world.label.pk, "tunesmith"]),
        {
            **{"use": "training", "answer": "granted", "scope": "filtered"},
            **{"confirm": "yes", "token": "b" * 32},
        },
    )
    from portal.consent.models import BulkAnswer

    bulk_answer_run(job_id=BulkAnswer.objects.get().pk)
    batch = AnswerBatch.objects.get()
    assert (batch.label, batch.side, batch.changed) == (world.label, Side.RIGHTS_HOLDER, 4)
