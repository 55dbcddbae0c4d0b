"""A bulk answer's preview counts exactly what the answer then does: the works it changes,
those it leaves, the permissions it flips, where a label's policy caps some works too."""

from datetime import date, timedelta

import pytest
from django.db.models import QuerySet
from django.utils import timezone

from portal.catalogue.models import Work
from portal.consent.models import Answer, Decision, Side
from portal.consent.selectors import Preview, bulk_preview
from portal.consent.services import Outcome, decisions_set, policy_add
from portal.consent.services.works import works_withdraw
from tests import factories as f
from tests.conftest import World, say


def preview_then_answer(
    world: World, answer: str, scope: QuerySet[Work]
) -> tuple[Preview, Outcome]:
    """The label's preview of `answer` for training over `scope`, then the answer itself."""
    kwargs = {
        "product": world.product,
        "use_type": world.training,
        "side": Side.RIGHTS_HOLDER,
        "answer": answer,
        "works": scope,
    }
    previewed = bulk_preview(**kwargs, now=timezone.now())
    return previewed, decisions_set(actor=world.manager, **kwargs)


def test_the_preview_leaves_out_what_a_policy_caps(world: World) -> None:
    recent = [
        f.WorkFactory(primary_artist=world.artist, title=f"New {i}", release_date=date(2024, 1, 1))
        for i in range(3)
    ]
    works = [*world.works, *recent]  # the world's works have no release date: capped too
    older = [
        f.WorkFactory(primary_artist=world.artist, title=f"Old {i}", release_date=date(2010, 1, 1))
        for i in range(2)
    ]
    for work in [*works, *older]:
        say(world, Side.ARTIST, Answer.GRANTED, work)
    policy_add(actor=world.manager, label=world.label, released_before=date(2020, 1, 1))
    scope = Work.objects.filter(pk__in=[w.pk for w in [*works, *older]])

    previewed, outcome = preview_then_answer(world, Answer.GRANTED, scope)

    assert previewed.flipping == outcome.flipped == len(older)
    assert previewed.changing == outcome.changed


def _scene(world: World) -> list[Work]:
    """Works in every state the preview tells apart, for the label's answer on training."""
    artist_yes, both_yes, label_yes_until, label_no, artist_no, lapsed, withdrawn = (
        f.WorkFactory(primary_artist=world.artist, title=f"Scene {i}") for i in range(7)
    )
    for work in (artist_yes, both_yes, label_yes_until, label_no, lapsed, withdrawn):
        say(world, Side.ARTIST, Answer.GRANTED, work)
    say(world, Side.ARTIST, Answer.DENIED, artist_no)
    say(world, Side.RIGHTS_HOLDER, Answer.GRANTED, both_yes)
    later = timezone.now() + timedelta(days=30)
    say(world, Side.RIGHTS_HOLDER, Answer.GRANTED, label_yes_until, expires_at=later)
    say(world, Side.RIGHTS_HOLDER, Answer.DENIED, label_no)
    Decision.objects.filter(work=lapsed, side=Side.ARTIST).update(
        expires_at=timezone.now() - timedelta(days=1)
    )
    works_withdraw(work_ids=[withdrawn.pk])
    return [artist_yes, both_yes, label_yes_until, label_no, artist_no, lapsed, withdrawn]


@pytest.mark.parametrize("answer", [Answer.GRANTED, Answer.DENIED])
def test_the_preview_counts_exactly_what_the_answer_then_does(world: World, answer: str) -> None:
    scope = Work.objects.filter(pk__in=[w.pk for w in _scene(world)])

    previewed, outcome = preview_then_answer(world, answer, scope)

    assert previewed.total == 7
    assert (previewed.changing, previewed.already) == (outcome.changed, outcome.unchanged)
    assert previewed.flipping == outcome.flipped
    # A yes permits the two waiting on the label (it said nothing, or no) and replaces
    # the yes until a date; a no ends the two permitted and replaces the earlier no.
    assert (previewed.already, previewed.flipping) == (1, 2)
