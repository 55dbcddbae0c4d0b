"""Standing label policies: added and lifted by the label's managers or staff, recorded in
the ledger, and every permission they flip announced with cause `policy`."""

from datetime import date

import pytest
from django.test import Client
from django.utils import timezone

from portal.api.services import api_key_issue
from portal.catalogue.models import ArtistMembership, Work
from portal.consent.facts import verdicts_for
from portal.consent.models import (
    AnnouncedPermission,
    Answer,
    Cause,
    LabelPolicy,
    PermissionChange,
    PolicyEvent,
    PolicyLedgerEntry,
    Side,
)
from portal.consent.rules import Reason
from portal.consent.services import ConsentError, policy_add, policy_lift
from tests import factories as f
from tests.conftest import World, say


def permit(world: World, work: Work, use: object = None) -> None:
    say(world, Side.ARTIST, Answer.GRANTED, work, use)  # type: ignore[arg-type]
    say(world, Side.RIGHTS_HOLDER, Answer.GRANTED, work, use)  # type: ignore[arg-type]


def permitted_pairs(world: World) -> set[tuple[int, int]]:
    return set(
        AnnouncedPermission.objects.filter(product=world.product, permitted=True).values_list(
            "work_id", "use_type_id"
        )
    )


@pytest.fixture
def answered(world: World) -> World:
    """Every work of Ada's permitted for training, the first for style generation too."""
    for work in world.works:
        permit(world, work)
    permit(world, world.works[0], world.style)
    return world


def test_a_use_policy_stops_that_use_at_once_and_announces_it_with_cause_policy(
    answered: World,
) -> None:
    world = answered
    before = PermissionChange.objects.filter(product=world.product).count()

    outcome = policy_add(actor=world.manager, label=world.label, use_type=world.training)

    assert outcome.flipped == {"Tunesmith": 3}
    assert permitted_pairs(world) == {(world.works[0].pk, world.style.pk)}
    changes = PermissionChange.objects.filter(product=world.product).order_by("seq")[before:]
    assert [(c.permitted, c.cause, c.reasons) for c in changes] == [
        (False, Cause.POLICY, [Reason.LABEL_POLICY])
    ] * 3
    assert outcome.policy.added_by == world.manager and outcome.policy.active


def test_lifting_it_permits_again_what_both_sides_said_yes_to(answered: World) -> None:
    world = answered
    policy = policy_add(actor=world.manager, label=world.label, use_type=world.training).policy

    outcome = policy_lift(actor=world.manager, policy=policy)

    assert outcome.flipped == {"Tunesmith": 3}
    assert len(permitted_pairs(world)) == 4
    last = PermissionChange.objects.filter(product=world.product).order_by("-seq").first()
    assert last is not None and last.permitted and last.cause == Cause.POLICY
    policy.refresh_from_db()
    assert policy.lifted_by == world.manager and policy.lifted_at is not None


def test_a_product_policy_stops_only_that_product(answered: World) -> None:
    world = answered
    other = f.ProductFactory(slug="stemify", name="Stemify", licensee=world.product.licensee)

    outcome = policy_add(actor=world.manager, label=world.label, product=other)

    assert outcome.flipped == {}
    assert len(permitted_pairs(world)) == 4
    policy_add(actor=world.manager, label=world.label, product=world.product)
    assert permitted_pairs(world) == set()


def test_a_date_policy_stops_works_released_from_the_date_and_works_without_one(
    answered: World,
) -> None:
    world = answered
    old, undated, new = world.works
    Work.objects.filter(pk=old.pk).update(release_date=date(2019, 6, 1))
    Work.objects.filter(pk=undated.pk).update(release_date=None)
    Work.objects.filter(pk=new.pk).update(release_date=date(2020, 1, 1))

    policy_add(actor=world.manager, label=world.label, released_before=date(2020, 1, 1))

    assert permitted_pairs(world) == {(old.pk, world.training.pk), (old.pk, world.style.pk)}


def test_answers_given_under_a_policy_stay_capped(world: World) -> None:
    policy_add(actor=world.manager, label=world.label, use_type=world.training)

    permit(world, world.works[0])

    assert permitted_pairs(world) == set()
    assert not PermissionChange.objects.filter(product=world.product).exists()


def test_another_labels_policy_touches_nothing_here(answered: World) -> None:
    world = answered

    outcome = policy_add(
        actor=world.other_manager, label=world.other_label, use_type=world.training
    )

    assert outcome.flipped == {}
    assert len(permitted_pairs(world)) == 4


def test_staff_may_add_and_lift(answered: World) -> None:
    world = answered
    policy = policy_add(actor=world.staff, label=world.label, use_type=world.style).policy
    assert len(permitted_pairs(world)) == 3
    policy_lift(actor=world.staff, policy=policy)
    assert len(permitted_pairs(world)) == 4


# --- refused, and nothing written -----------------------------------------------------------
def test_another_labels_manager_is_refused(answered: World) -> None:
    world = answered
    changes = PermissionChange.objects.count()

    with pytest.raises(ConsentError, match="Only the managers of Northern Lights Records"):
        policy_add(actor=world.other_manager, label=world.label, use_type=world.training)

    assert not LabelPolicy.objects.exists()
    assert not PolicyLedgerEntry.objects.exists()
    assert PermissionChange.objects.count() == changes


def test_an_artist_teams_editor_is_refused(answered: World) -> None:
    world = answered
    editor = f.ArtistMembershipFactory(artist=world.artist, role=ArtistMembership.Role.EDITOR).user

    with pytest.raises(ConsentError):
        policy_add(actor=editor, label=world.label, use_type=world.training)
    assert not LabelPolicy.objects.exists()


def test_another_labels_manager_cannot_lift(answered: World) -> None:
    world = answered
    policy = policy_add(actor=world.manager, label=world.label, use_type=world.training).policy

    with pytest.raises(ConsentError):
        policy_lift(actor=world.other_manager, policy=policy)

    policy.refresh_from_db()
    assert policy.active
    assert PolicyLedgerEntry.objects.count() == 1


def test_lifting_twice_is_refused_and_records_one_lift(answered: World) -> None:
    world = answered
    policy = policy_add(actor=world.manager, label=world.label, use_type=world.training).policy
    policy_lift(actor=world.manager, policy=policy)
    changes = PermissionChange.objects.count()

    with pytest.raises(ConsentError, match="lifted already"):
        policy_lift(actor=world.manager, policy=policy)

    assert PolicyLedgerEntry.objects.filter(event=PolicyEvent.LIFTED).count() == 1
    assert PermissionChange.objects.count() == changes


def test_a_policy_without_a_condition_is_refused(world: World) -> None:
    with pytest.raises(ConsentError, match="Choose what the policy stops"):
        policy_add(actor=world.manager, label=world.label)
    assert not LabelPolicy.objects.exists()


# --- the API ------------------------------------------------------------------------------
def test_the_api_check_names_the_policy_from_the_announced_state_and_from_the_rule(
    answered: World,
) -> None:
    world = answered
    raw = api_key_issue(product=world.product, name="tests")[1]
    client = Client(headers={"Authorization": f"Bearer {raw}"})
    policy_add(actor=world.manager, label=world.label, use_type=world.training)
    say(world, Side.ARTIST, Answer.GRANTED, world.works[1], world.style)

    def reasons(work: Work, use: str) -> list[str]:
        response = client.get("/api/v1/permissions/check", {"isrc": work.isrc, "use": use})
        assert response.status_code == 200
        return response.json()["reasons"]

    # Announced: it was permitted, and the policy flipped it.
    assert reasons(world.works[0], "training") == ["label_policy"]
    # Never permitted: the rule names it.
    assert reasons(world.works[2], "training") == ["label_policy"]
    assert reasons(world.works[1], "style_generation") == ["rights_holder_undecided"]
    feed = client.get("/api/v1/permissions/changes", {"after": 0}).json()["changes"]
    assert [c["permitted"] for c in feed][-3:] == [False, False, False]


def rule_permits(world: World) -> set[tuple[int, int]]:
    """What the rule permits now, judged afresh over every work and use of the product."""
    works = list(Work.objects.order_by("pk").values_list("pk", "label_id"))
    verdicts = verdicts_for(
        product=world.product,
        works=works,
        use_type_ids=[world.training.pk, world.style.pk],
        now=timezone.now(),
    )
    return {pair for pair, verdict in verdicts.items() if verdict.permitted}


def test_adding_and_lifting_judge_again_every_pair_that_can_flip(answered: World) -> None:
    world = answered
    # Beside what is permitted: the label's yes alone, the artist's yes alone, both
    # sides' yes for style, and a yes from both sides on another artist's work.
    say(world, Side.RIGHTS_HOLDER, Answer.GRANTED, world.works[1], world.style)
    say(world, Side.ARTIST, Answer.GRANTED, world.works[2], world.style)
    paper_moons = Work.objects.get(title="Paper Moons")
    permit(world, paper_moons, world.style)
    steps = [
        lambda: policy_add(actor=world.manager, label=world.label, use_type=world.training),
        lambda: policy_add(
            actor=world.manager, label=world.label, released_before=date(2000, 1, 1)
        ),
    ]
    for add in steps:
        policy = add().policy
        assert permitted_pairs(world) == rule_permits(world)
        policy_lift(actor=world.manager, policy=policy)
        assert permitted_pairs(world) == rule_permits(world)
    assert len(permitted_pairs(world)) == len(world.works) + 2
