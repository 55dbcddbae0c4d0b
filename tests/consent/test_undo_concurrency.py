"""Undo racing another answer, on PostgreSQL with real connections: whichever commits
first, an answer given since the batch is never overwritten by the undo, and what is
announced matches the facts. (An answer that changes nothing, a no on a no, is not
recorded, so the undo rightly restores over it.)"""

import pytest
from django.db import connection

from portal.consent.models import NO_ANSWER, AnswerBatch, Decision, Side
from portal.consent.services import decision_set, grants_withdraw_all
from portal.consent.services.undo import batch_undo
from tests.conftest import World
from tests.consent.test_concurrency import (
    answer,
    assert_announced_matches_the_facts,
    assert_chain_and_sequences_hold,
    many_works,
    together,
)

pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="real concurrency needs PostgreSQL"
    ),
    pytest.mark.django_db(transaction=True),
]


def stopped(world: World, works: list) -> AnswerBatch:
    for work in works:
        answer(world, Side.ARTIST, work)()
        answer(world, Side.RIGHTS_HOLDER, work)()
    grants_withdraw_all(actor=world.artist_user, artist=works[0].primary_artist)
    return AnswerBatch.objects.latest("pk")


def test_an_answer_given_while_the_undo_runs_is_never_overwritten(world: World) -> None:
    works = many_works(world, 6)
    for work in works:
        batch = stopped(world, [work])
        # The artist takes the answer back at the moment of the undo.
        together(
            lambda batch=batch: batch_undo(actor=world.artist_user, batch_id=batch.pk),
            lambda work=work: decision_set(
                actor=world.artist_user,
                product=world.product,
                work=work,
                use_type=world.training,
                side=Side.ARTIST,
                answer=NO_ANSWER,
            ),
        )
        # Either order ends with no answer: taken back first, the undo leaves it alone
        # (an answer given since); taken back after, it is the latest word.
        assert not Decision.objects.filter(work=work, side=Side.ARTIST).exists()
    assert_chain_and_sequences_hold()
    assert_announced_matches_the_facts(world.product)


def test_the_labels_answer_racing_an_undo_leaves_the_permission_as_the_facts_say(
    world: World,
) -> None:
    works = many_works(world, 6, start=71000)
    for work in works:
        batch = stopped(world, [work])
        answer(world, Side.RIGHTS_HOLDER, work, granted=False)()
        together(
            lambda batch=batch: batch_undo(actor=world.artist_user, batch_id=batch.pk),
            answer(world, Side.RIGHTS_HOLDER, work),
        )
        # The artist's yes is back and the label said yes again: permitted, announced once.
        assert Decision.objects.get(work=work, side=Side.ARTIST).answer == "granted"
    assert_chain_and_sequences_hold()
    assert_announced_matches_the_facts(world.product)
