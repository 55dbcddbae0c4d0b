"""The facts behind a policy's verdict: the labels' policies in force in one query, the
works' release dates in one more only when a policy has a date, whatever the number of
works; and the words people read."""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from portal.catalogue.models import Work
from portal.consent.facts import verdicts_for
from portal.consent.models import Answer, LabelPolicy, Side
from portal.consent.rules import Cap, Reason, Verdict
from portal.consent.selectors.policies import policy_add_preview, policy_lift_preview
from portal.consent.services import decisions_set, policy_add, policy_lift
from portal.consent.wording import explain, policy_words
from tests import factories as f
from tests.conftest import World


def queries(world: World, works: list[Work]) -> int:
    with CaptureQueriesContext(connection) as captured:
        verdicts_for(
            product=world.product,
            works=[(w.pk, w.label_id) for w in works],
            use_type_ids=[world.training.pk, world.style.pk],
            now=timezone.now(),
        )
    return len(captured)


def policy(world: World, **conditions: object) -> LabelPolicy:
    return LabelPolicy.objects.create(
        label=world.label, added_by=world.manager, added_at=timezone.now(), **conditions
    )


def test_policies_cost_one_query_and_dates_one_more_only_with_a_date_policy(world: World) -> None:
    few = world.works
    many = few + f.bulk_works(label=world.label, n=200, start=70000)
    baseline = queries(world, few)
    assert queries(world, many) == baseline

    policy(world, use_type=world.training)
    assert queries(world, few) == queries(world, many) == baseline

    policy(world, released_before=date(2020, 1, 1))
    assert queries(world, few) == queries(world, many) == baseline + 1


def test_lifted_policies_and_other_labels_policies_do_not_count(world: World) -> None:
    lifted = policy(world, use_type=world.training)
    LabelPolicy.objects.filter(pk=lifted.pk).update(
        lifted_at=timezone.now(), lifted_by=world.manager
    )
    LabelPolicy.objects.create(
        label=world.other_label,
        use_type=world.training,
        added_by=world.other_manager,
        added_at=timezone.now(),
    )
    verdicts = verdicts_for(
        product=world.product,
        works=[(world.works[0].pk, world.label.pk)],
        use_type_ids=[world.training.pk],
        now=timezone.now(),
    )
    assert Reason.LABEL_POLICY not in verdicts[(world.works[0].pk, world.training.pk)].reasons


def capped(cap: Cap) -> Verdict:
    return Verdict(False, (Reason.LABEL_POLICY, Reason.ARTIST_UNDECIDED), policy=cap)


@pytest.mark.parametrize(
    ("cap", "words"),
    [
        (Cap(use_type_id=1, use_name="Voice likeness"), "voice likeness"),
        (Cap(product_id=1, product_name="Tunesmith"), "any use for Tunesmith"),
        (Cap(released_before=date(2020, 1, 1)), "any use for works released from 2020"),
        (
            Cap(use_type_id=1, use_name="Training", released_before=date(2021, 6, 30)),
            "training for works released from 30 Jun 2021",
        ),
    ],
)
def test_a_policy_in_words(cap: Cap, words: str) -> None:
    assert policy_words(cap) == words


@pytest.mark.parametrize("side", ["artist", "rights_holder"])
def test_the_policy_is_said_above_the_answers_on_both_sides(world: World, side: str) -> None:
    work = world.works[0]
    message = explain(
        capped(Cap(use_type_id=1, use_name="Voice likeness")),
        side=side,
        product=world.product,
        work=work,
        label_name="Northern Lights Records",
    )
    assert message == "Not permitted: Northern Lights Records does not allow voice likeness"


def test_a_work_without_a_release_date_is_said_to_be_capped_for_that(world: World) -> None:
    work = world.works[0]
    work.release_date = None
    message = explain(
        capped(Cap(released_before=date(2020, 1, 1))),
        side="artist",
        product=world.product,
        work=work,
        label_name="Northern Lights Records",
    )
    assert message == (
        "Not permitted: Northern Lights Records does not allow any use for works released "
        "from 2020 or without a release date"
    )


def test_the_previews_cost_the_same_queries_whatever_the_catalogue(world: World) -> None:
    def counted(label_works: int) -> tuple[int, int]:
        works = f.bulk_works(label=world.label, n=label_works, start=80000 + label_works)
        f.ArtistMembershipFactory(artist=works[0].primary_artist, user=world.artist_user)
        scope = Work.objects.filter(pk__in=[w.pk for w in works])
        for side, actor in ((Side.ARTIST, world.artist_user), (Side.RIGHTS_HOLDER, world.manager)):
            decisions_set(
                actor=actor,
                product=world.product,
                use_type=world.training,
                side=side,
                answer=Answer.GRANTED,
                works=scope,
            )
        with CaptureQueriesContext(connection) as adding:
            stops = policy_add_preview(
                label=world.label,
                use_type=world.training,
                product=None,
                released_before=None,
                now=timezone.now(),
            )
        policy = policy_add(actor=world.manager, label=world.label, use_type=world.training).policy
        with CaptureQueriesContext(connection) as lifting:
            permits = policy_lift_preview(policy=policy, now=timezone.now())
        assert stops == permits
        policy_lift(actor=world.manager, policy=policy)
        return len(adding), len(lifting)

    assert counted(5) == counted(300)
